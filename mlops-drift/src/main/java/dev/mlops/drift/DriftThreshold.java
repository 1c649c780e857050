package dev.mlops.drift;

import java.util.Objects;

/**
 * When a test result counts as drift. For tests with a p-value: {@code p < threshold}; for
 * distances: {@code statistic >= threshold}; in both cases the effect size must also reach
 * {@code effectSizeFloor}, so that a huge window does not alarm on a shift too small to matter
 * (with a million samples per side, a 0.01-sigma mean shift has a KS p-value far below 0.05 but a
 * D of about 0.004).
 *
 * <p>Immutable and thread-safe.
 *
 * @param test the test this threshold applies to
 * @param threshold the significance level (in (0, 1)) for tests with a p-value, otherwise the
 *     distance at and above which a feature drifted (finite, > 0)
 * @param effectSizeFloor the smallest effect size that may count as drift (finite, >= 0)
 */
public record DriftThreshold(DriftTest test, double threshold, double effectSizeFloor) {

  /** @throws IllegalArgumentException naming the bad value */
  public DriftThreshold {
    Objects.requireNonNull(test, "test");
    if (test.hasPValue()) {
      if (!(threshold > 0 && threshold < 1)) {
        throw new IllegalArgumentException(
            test + " threshold is a significance level and must be in (0, 1), got " + threshold);
      }
    } else if (!(threshold > 0 && Double.isFinite(threshold))) {
      throw new IllegalArgumentException(test + " threshold must be finite and > 0, got " + threshold);
    }
    if (!(effectSizeFloor >= 0 && Double.isFinite(effectSizeFloor))) {
      throw new IllegalArgumentException(
          test + " effect size floor must be finite and >= 0, got " + effectSizeFloor);
    }
  }

  /**
   * The defaults: PSI {@code >= 0.1}; Kolmogorov-Smirnov {@code p < 0.05} with
   * {@code D >= 0.05}; chi-square {@code p < 0.05} with Cohen's {@code w >= 0.1}; Jensen-Shannon
   * distance, Hellinger distance and normalized Wasserstein distance {@code >= 0.1}.
   *
   * @param test the test
   * @return its default threshold
   */
  public static DriftThreshold defaultFor(DriftTest test) {
    return switch (test) {
      case POPULATION_STABILITY_INDEX, JENSEN_SHANNON, HELLINGER, WASSERSTEIN -> new DriftThreshold(test, 0.1, 0);
      case KOLMOGOROV_SMIRNOV -> new DriftThreshold(test, 0.05, 0.05);
      case CHI_SQUARE -> new DriftThreshold(test, 0.05, 0.1);
    };
  }

  /**
   * @param result a result of {@link #test()}
   * @return whether it counts as drift
   * @throws IllegalArgumentException if the result is of another test
   */
  public boolean isDrift(DriftTestResult result) {
    if (result.test() != test) {
      throw new IllegalArgumentException("threshold for " + test + " cannot judge a " + result.test() + " result");
    }
    boolean significant = test.hasPValue()
        ? result.pValue().getAsDouble() < threshold
        : result.statistic() >= threshold;
    return significant && result.effectSize() >= effectSizeFloor;
  }
}
