package dev.mlops.explain;

import java.util.Objects;

/**
 * One post-training bias metric of a monitoring window compared with its baseline value.
 *
 * <p>Immutable and thread-safe.
 *
 * @param metric the metric
 * @param baseline the baseline's value (from the model version's bias report), NaN if undefined there
 * @param window the window's value, possibly NaN with a reason (too few labelled predictions, a
 *     facet without predicted positives)
 * @param tolerance the largest |window − baseline| that is not a violation
 * @param violated whether both values are defined and differ by more than the tolerance
 */
public record BiasDrift(BiasMetric metric, double baseline, MetricValue window, double tolerance, boolean violated) {
  /**
   * Validates.
   *
   * @throws IllegalArgumentException if the window value is for another metric or the tolerance is negative
   */
  public BiasDrift {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(window, "window");
    if (window.metric() != metric) {
      throw new IllegalArgumentException("window value " + window + " is not " + metric);
    }
    if (!(tolerance >= 0)) {
      throw new IllegalArgumentException("tolerance of " + metric + " must be >= 0, got " + tolerance);
    }
  }

  static BiasDrift of(BiasMetric metric, double baseline, MetricValue window, double tolerance) {
    boolean violated = window.isDefined() && !Double.isNaN(baseline) && Math.abs(window.value() - baseline) > tolerance;
    return new BiasDrift(metric, baseline, window, tolerance, violated);
  }
}
