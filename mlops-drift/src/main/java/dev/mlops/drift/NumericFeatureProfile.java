package dev.mlops.drift;

import java.util.Objects;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * The baseline of one numeric feature: a KLL quantile sketch of its finite values, quantile-based
 * histogram edges with each bin's probability, moments, and how many values were missing (NaN) or
 * infinite. Bin {@code i} holds values {@code v} with {@code edges[i-1] <= v < edges[i]}.
 *
 * <p>Accuracy: quantiles, ranks and the bin probabilities come from the sketch, whose rank error is
 * at most {@link #normalizedRankError()} (about 1.3% for the default k = 200) with 99% confidence,
 * and exact while the feature has at most k values. Moments, counts, minimum and maximum are exact.
 *
 * <p>Immutable and thread-safe.
 */
public final class NumericFeatureProfile {
  private final String name;
  private final long count;
  private final long missing;
  private final long infinite;
  private final double mean;
  /** Sum of squared deviations, in units of {@code 4^m2Shift} (see {@link #M2_HEADROOM}). */
  private final double m2;
  private final int m2Shift;
  private final double min;
  private final double max;
  private final double[] edges;
  private final double[] probabilities;
  private final KllDoublesSketch sketch;
  private final BinnedBaseline binned;

  /**
   * Values whose binary exponent exceeds this are scaled down by {@code 2^shift} before their
   * squares are summed, so the sum of squared deviations of any finite values stays finite (the
   * shift is 0 unless some |value| exceeds {@code 2^480}, about 3e144).
   */
  static final int M2_HEADROOM = 480;

  NumericFeatureProfile(String name, long count, long missing, long infinite, double mean, double m2, int m2Shift,
      double min, double max, double[] edges, double[] probabilities, KllDoublesSketch sketch) {
    this.name = Objects.requireNonNull(name, "name");
    this.count = count;
    this.missing = missing;
    this.infinite = infinite;
    this.mean = mean;
    this.m2 = m2;
    this.m2Shift = m2Shift;
    this.min = min;
    this.max = max;
    this.edges = edges.clone();
    this.probabilities = probabilities.clone();
    this.sketch = sketch;
    this.binned = new BinnedBaseline(edges, probabilities, binMeans(sketch, probabilities, min, max),
        effectiveCount(sketch, count), count > 0 ? Math.scalb(Math.sqrt(m2 / count), m2Shift) : 0, true);
  }

  /** @return the feature name */
  public String name() {
    return name;
  }

  /** @return number of finite values */
  public long count() {
    return count;
  }

  /** @return number of NaN (missing) values */
  public long missingCount() {
    return missing;
  }

  /** @return number of infinite values */
  public long infiniteCount() {
    return infinite;
  }

  /** @return missing / (finite + missing + infinite), 0 when there were no values */
  public double missingRate() {
    long total = count + missing + infinite;
    return total == 0 ? 0 : (double) missing / total;
  }

  /** @return mean of the finite values (NaN if none) */
  public double mean() {
    return count == 0 ? Double.NaN : mean;
  }

  /**
   * @return unbiased sample variance of the finite values (NaN if fewer than two; +Inf only when
   *     the variance itself exceeds {@code Double.MAX_VALUE})
   */
  public double variance() {
    return count < 2 ? Double.NaN : Math.scalb(m2 / (count - 1), 2 * m2Shift);
  }

  /** @return smallest finite value (NaN if none) */
  public double min() {
    return count == 0 ? Double.NaN : min;
  }

  /** @return largest finite value (NaN if none) */
  public double max() {
    return count == 0 ? Double.NaN : max;
  }

  /** @return interior bin edges, strictly increasing (a copy); bins = edges + 1 */
  public double[] binEdges() {
    return edges.clone();
  }

  /** @return each bin's probability (a copy), summing to 1 */
  public double[] binProbabilities() {
    return probabilities.clone();
  }

  /**
   * @param rank in [0, 1]
   * @return the approximate quantile at that rank
   * @throws IllegalArgumentException if rank is outside [0, 1] or the feature had no finite value
   */
  public double quantile(double rank) {
    if (!(rank >= 0 && rank <= 1)) {
      throw new IllegalArgumentException("rank must be in [0, 1], got " + rank);
    }
    if (sketch.isEmpty()) {
      throw new IllegalArgumentException("feature '" + name + "' had no finite value");
    }
    return sketch.getQuantile(rank, QuantileSearchCriteria.INCLUSIVE);
  }

  /**
   * @param value a value
   * @return the approximate share of finite baseline values strictly below it
   * @throws IllegalArgumentException if the feature had no finite value
   */
  public double rank(double value) {
    if (sketch.isEmpty()) {
      throw new IllegalArgumentException("feature '" + name + "' had no finite value");
    }
    return sketch.getRank(value, QuantileSearchCriteria.EXCLUSIVE);
  }

  /** @return the sketch's rank error bound (99% confidence, single rank) */
  public double normalizedRankError() {
    return sketch.getNormalizedRankError(false);
  }

  /**
   * How many values the bin probabilities are worth to the chi-square and Kolmogorov-Smirnov
   * p-values. Once the sketch compacts, its rank error (standard deviation about a 2.58th of the
   * 99% bound) dominates sampling error beyond 0.25 / sd^2 values (~9,000 for k = 200); counting
   * more would make the tests over-confident and alarm more often than their significance level.
   */
  static double effectiveCount(KllDoublesSketch sketch, long count) {
    if (!sketch.isEstimationMode()) {
      return count;
    }
    double sd = sketch.getNormalizedRankError(false) / 2.576;
    return Math.min(count, 0.25 / (sd * sd));
  }

  /** Each bin's mean, from sketch quantiles at 16 evenly spaced ranks within the bin. */
  private static double[] binMeans(KllDoublesSketch sketch, double[] probabilities, double min, double max) {
    double[] means = new double[probabilities.length];
    if (sketch.isEmpty()) {
      return means;
    }
    final int steps = 16;
    double[] ranks = new double[probabilities.length * steps];
    double lo = 0;
    for (int i = 0; i < probabilities.length; i++) {
      double hi = Math.min(1, lo + probabilities[i]);
      for (int j = 0; j < steps; j++) {
        ranks[i * steps + j] = lo + (j + 0.5) / steps * (hi - lo);
      }
      lo = hi;
    }
    double[] q = sketch.getQuantiles(ranks, QuantileSearchCriteria.INCLUSIVE);
    for (int i = 0; i < probabilities.length; i++) {
      double sum = 0; // of values / steps (a power of two): cannot overflow
      for (int j = 0; j < steps; j++) {
        sum += Math.max(min, Math.min(max, q[i * steps + j])) / steps;
      }
      means[i] = sum;
    }
    return means;
  }

  /** @return the sum of squared deviations in units of {@code 4^m2Shift()} */
  double m2() {
    return m2;
  }

  int m2Shift() {
    return m2Shift;
  }

  double rawMean() {
    return mean;
  }

  double rawMin() {
    return min;
  }

  double rawMax() {
    return max;
  }

  KllDoublesSketch sketch() {
    return sketch;
  }

  BinnedBaseline binned() {
    return binned;
  }

  @Override
  public String toString() {
    return "NumericFeatureProfile[" + name + ", n=" + count + ", mean=" + mean() + ", sd="
        + Math.sqrt(variance()) + ", min=" + min() + ", max=" + max() + ", missing=" + missing
        + ", bins=" + probabilities.length + "]";
  }
}
