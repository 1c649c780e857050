package dev.mlops.tuning;

import dev.mlops.Names;

/**
 * An integer parameter {@code low, low + step, ..., <= high}, sampled uniformly over that grid or,
 * when {@code log}, uniformly in {@code ln x} and rounded (a log scale needs {@code step == 1}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the parameter name
 * @param low the lowest value
 * @param high the highest value, {@code >= low}
 * @param step the grid step, {@code >= 1}
 * @param log whether the scale is logarithmic; then {@code low >= 1} and {@code step == 1}
 */
public record IntParam(String name, long low, long high, long step, boolean log) implements Param {
  /**
   * Validates the range.
   *
   * @throws IllegalArgumentException naming the parameter if the range is inverted, the step is
   *     not positive, or a log scale has a non-positive bound or a step other than 1
   */
  public IntParam {
    Names.requireValid("parameter name", name);
    if (low > high) {
      throw new IllegalArgumentException("parameter '" + name + "': inverted range [" + low + ", " + high
          + "]: low must be <= high");
    }
    if (step < 1) {
      throw new IllegalArgumentException("parameter '" + name + "': step must be >= 1, got " + step);
    }
    if (log && low <= 0) {
      throw new IllegalArgumentException("parameter '" + name + "': log scale needs low > 0, got low " + low);
    }
    if (log && step != 1) {
      throw new IllegalArgumentException("parameter '" + name + "': log scale needs step 1, got step " + step);
    }
  }

  /** @return how many values the grid holds */
  public long size() {
    return (high - low) / step + 1;
  }

  /** @return the highest value on the grid, {@code <= high} */
  public long top() {
    return low + (size() - 1) * step;
  }

  @Override
  public String display(double internal) {
    if (!contains(internal)) {
      throw new IllegalArgumentException("parameter '" + name + "': " + internal + " is not on the grid "
          + low + ".." + high + " step " + step);
    }
    return Long.toString((long) internal);
  }

  @Override
  public boolean contains(double internal) {
    return internal == Math.rint(internal) && internal >= low && internal <= high
        && ((long) internal - low) % step == 0;
  }

  /** Rounds an internal value to the nearest grid value inside the range. */
  double snap(double x) {
    double k = Math.rint((x - low) / step);
    k = Math.max(0, Math.min(size() - 1, k));
    return low + k * step;
  }
}
