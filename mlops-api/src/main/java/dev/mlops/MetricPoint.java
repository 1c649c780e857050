package dev.mlops;

import java.util.Objects;

/**
 * One logged value of a metric series.
 *
 * <p>Immutable and thread-safe.
 *
 * @param key metric key (follows {@link Names})
 * @param value the value; NaN and infinities are stored as given
 * @param step training step, epoch or any caller-chosen position
 * @param timestampMillis wall-clock time of logging, epoch millis
 */
public record MetricPoint(String key, double value, long step, long timestampMillis) {
  /** Validates. */
  public MetricPoint {
    Names.requireValid("metric key", key);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MetricPoint p
        && key.equals(p.key)
        && Double.compare(value, p.value) == 0
        && step == p.step
        && timestampMillis == p.timestampMillis;
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, value, step, timestampMillis);
  }
}
