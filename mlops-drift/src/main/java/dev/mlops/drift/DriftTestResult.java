package dev.mlops.drift;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The outcome of one data-drift test on one feature.
 *
 * <p>Immutable and thread-safe.
 *
 * @param test the test that produced it
 * @param statistic the test statistic (a distance for PSI, Jensen-Shannon, Hellinger and
 *     Wasserstein; D for Kolmogorov-Smirnov; the chi-square statistic for chi-square)
 * @param pValue the p-value, for the tests that have one ({@link DriftTest#hasPValue()})
 * @param effectSize a sample-size-free measure of how large the shift is: the statistic itself
 *     for distances, D for Kolmogorov-Smirnov, Cohen's w for chi-square
 */
public record DriftTestResult(DriftTest test, double statistic, OptionalDouble pValue, double effectSize) {

  /**
   * @throws IllegalArgumentException if the statistic or effect size is NaN, or the p-value is
   *     present for a test without one, absent for a test with one, or outside [0, 1]
   */
  public DriftTestResult {
    Objects.requireNonNull(test, "test");
    Objects.requireNonNull(pValue, "pValue");
    if (Double.isNaN(statistic) || Double.isNaN(effectSize)) {
      throw new IllegalArgumentException(
          test + ": statistic and effect size must not be NaN, got " + statistic + " and " + effectSize);
    }
    if (pValue.isPresent() != test.hasPValue()) {
      throw new IllegalArgumentException(test + (test.hasPValue() ? " needs" : " has no") + " p-value");
    }
    if (pValue.isPresent() && !(pValue.getAsDouble() >= 0 && pValue.getAsDouble() <= 1)) {
      throw new IllegalArgumentException(test + ": p-value must be in [0, 1], got " + pValue.getAsDouble());
    }
  }
}
