package dev.mlops.explain;

import java.util.Objects;
import java.util.Optional;

/**
 * The value of one bias metric: a number, or NaN with the reason it is undefined for the data.
 *
 * <p>Immutable and thread-safe.
 *
 * @param metric the metric
 * @param value the value; NaN exactly when {@code reason} is present
 * @param reason why the metric is undefined, e.g. "facet d (sex = f) has no predicted positives"
 */
public record MetricValue(BiasMetric metric, double value, Optional<String> reason) {
  /**
   * Validates.
   *
   * @throws IllegalArgumentException if the value is NaN without a reason or a number with one
   */
  public MetricValue {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(reason, "reason");
    if (Double.isNaN(value) != reason.isPresent()) {
      throw new IllegalArgumentException(metric + ": value " + value + " and reason " + reason
          + " disagree; a value is NaN exactly when it has a reason");
    }
  }

  /**
   * A defined value.
   *
   * @param metric the metric
   * @param value the value, not NaN
   * @return the value
   */
  public static MetricValue of(BiasMetric metric, double value) {
    return new MetricValue(metric, value, Optional.empty());
  }

  /**
   * An undefined value (NaN).
   *
   * @param metric the metric
   * @param reason why it is undefined
   * @return the value
   */
  public static MetricValue undefined(BiasMetric metric, String reason) {
    return new MetricValue(metric, Double.NaN, Optional.of(reason));
  }

  /**
   * Whether the value is defined.
   *
   * @return true unless NaN
   */
  public boolean isDefined() {
    return reason.isEmpty();
  }

  @Override
  public String toString() {
    return metric + "=" + (isDefined() ? Double.toString(value) : "NaN (" + reason.get() + ")");
  }
}
