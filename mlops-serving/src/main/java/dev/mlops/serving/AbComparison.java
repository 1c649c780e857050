package dev.mlops.serving;

/**
 * The difference between two variants in one metric, with a two-sided significance test: a
 * two-proportion z-test for the error rate, Welch's t-test (Commons Math) for a host metric.
 *
 * <p>Immutable and thread-safe.
 *
 * @param metric {@code error} or a host metric name
 * @param versionA first variant
 * @param versionB second variant
 * @param countA observations of A
 * @param countB observations of B
 * @param meanA A's error rate or metric mean
 * @param meanB B's
 * @param pValue two-sided p-value of "no difference" (NaN if either has fewer than 2 observations)
 * @param test {@code two-proportion-z} or {@code welch-t}
 */
public record AbComparison(String metric, int versionA, int versionB, long countA, long countB, double meanA,
    double meanB, double pValue, String test) {

  /** @param alpha significance level, e.g. 0.05 @return whether the difference is significant at it */
  public boolean significant(double alpha) {
    return pValue < alpha;
  }
}
