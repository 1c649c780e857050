package dev.mlops.tuning;

import dev.mlops.Names;

/**
 * A real-valued parameter in {@code [low, high]}, sampled uniformly or, when {@code log}, uniformly
 * in {@code ln x}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the parameter name
 * @param low the lower bound, inclusive, finite
 * @param high the upper bound, inclusive, finite, {@code >= low}
 * @param log whether the scale is logarithmic; then {@code low > 0}
 */
public record FloatParam(String name, double low, double high, boolean log) implements Param {
  /**
   * Validates the range.
   *
   * @throws IllegalArgumentException naming the parameter if a bound is not finite, the range is
   *     inverted, or a log scale has a non-positive bound
   */
  public FloatParam {
    Names.requireValid("parameter name", name);
    if (!Double.isFinite(low) || !Double.isFinite(high)) {
      throw new IllegalArgumentException("parameter '" + name + "': bounds must be finite, got [" + low + ", "
          + high + "]");
    }
    if (low > high) {
      throw new IllegalArgumentException("parameter '" + name + "': inverted range [" + low + ", " + high
          + "]: low must be <= high");
    }
    if (log && low <= 0) {
      throw new IllegalArgumentException("parameter '" + name + "': log scale needs low > 0, got low " + low);
    }
  }

  @Override
  public String display(double internal) {
    if (!contains(internal)) {
      throw new IllegalArgumentException("parameter '" + name + "': " + internal + " is outside [" + low + ", "
          + high + "]");
    }
    return Double.toString(internal);
  }

  @Override
  public boolean contains(double internal) {
    return internal >= low && internal <= high;
  }
}
