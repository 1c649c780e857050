package dev.mlops.tuning;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Exhaustive search over a declared space: every combination of categorical choices, integer
 * values (or {@code points} evenly spaced ones when an integer range is larger) and {@code points}
 * evenly spaced real values (on the log scale for log parameters). Trial {@code n} takes grid cell
 * {@code n mod size()}; the order is fixed, so the first {@link #size()} trials cover the grid.
 * A conditional parameter takes its grid value whenever its condition holds.
 *
 * <p>Immutable and thread-safe.
 */
public final class GridSampler implements Sampler {
  private final SearchSpace space;
  private final List<double[]> axes = new ArrayList<>();

  /**
   * @param space the declared space
   * @param points values per real parameter (and per integer parameter with more values), {@code >= 1}
   * @throws IllegalArgumentException if points is below 1
   */
  public GridSampler(SearchSpace space, int points) {
    this.space = Objects.requireNonNull(space, "space");
    if (points < 1) {
      throw new IllegalArgumentException("points must be >= 1, got " + points);
    }
    for (SearchSpace.Entry e : space.entries()) {
      axes.add(axis(e.param(), points));
    }
  }

  private static double[] axis(Param p, int points) {
    if (p instanceof CategoricalParam c) {
      double[] a = new double[c.choices().size()];
      for (int i = 0; i < a.length; i++) {
        a[i] = i;
      }
      return a;
    }
    if (p instanceof IntParam i && !i.log() && i.size() <= points) {
      double[] a = new double[(int) i.size()];
      for (int k = 0; k < a.length; k++) {
        a[k] = i.low() + (long) k * i.step();
      }
      return a;
    }
    boolean log = p instanceof FloatParam f ? f.log() : ((IntParam) p).log();
    double low = p instanceof FloatParam f ? f.low() : ((IntParam) p).low();
    double high = p instanceof FloatParam f ? f.high() : ((IntParam) p).top();
    double[] a = new double[points];
    for (int k = 0; k < points; k++) {
      double frac = points == 1 ? 0.5 : (double) k / (points - 1);
      // low * (high / low)^frac keeps decades exact (0.001, 0.01, 0.1) where exp(log x) would not
      double v = k == points - 1 && points > 1 ? high : log ? low * Math.pow(high / low, frac) : low + (high - low) * frac;
      a[k] = p instanceof IntParam ip ? ip.snap(v) : Math.max(low, Math.min(high, v));
    }
    return a;
  }

  /** @return how many cells the grid has */
  public long size() {
    long n = 1;
    for (double[] a : axes) {
      n = Math.multiplyExact(n, a.length);
    }
    return n;
  }

  @Override
  public double sample(StudyHistory history, TrialRecord current, Param param) {
    List<SearchSpace.Entry> entries = space.entries();
    long cell = Math.floorMod((long) current.number(), size());
    for (int d = entries.size() - 1; d >= 0; d--) {
      double[] a = axes.get(d);
      int index = (int) (cell % a.length);
      cell /= a.length;
      if (entries.get(d).param().name().equals(param.name())) {
        if (!entries.get(d).param().equals(param)) {
          throw new IllegalArgumentException("parameter '" + param.name() + "' is suggested as " + param
              + " but the grid declares " + entries.get(d).param());
        }
        return a[index];
      }
    }
    throw new IllegalArgumentException("parameter '" + param.name() + "' is not in the grid's space "
        + entries.stream().map(e -> e.param().name()).toList());
  }

  @Override
  public String toString() {
    return "GridSampler[size=" + size() + "]";
  }
}
