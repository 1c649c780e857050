package dev.mlops.features;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One row pushed into a feature view: the values of some or all of its features for one entity
 * at one event time. A feature left out has no value in this row (it reads as
 * {@link FeatureStatus#NOT_FOUND} when this row is the latest). Times are stored with microsecond
 * precision.
 *
 * <p>Rows are idempotent per (entity key, event time, created time): pushing one again changes
 * nothing. Use a later created time to correct a row with the same event time.
 *
 * <p>Immutable and thread-safe (vector values are copied in and out).
 *
 * @param entityKey the entity's key, not empty
 * @param eventTime when the values were observed
 * @param createdTime when the row was produced; breaks ties between rows with the same event time
 * @param values feature name to value ({@link Double}, {@link Long}, {@link Boolean}, {@link String}
 *     or {@code float[]}, as the feature's {@link FeatureType}; smaller numbers are widened losslessly,
 *     see {@link FeatureStore#push(String, java.util.List, PushTarget)}); no null values
 */
public record FeatureRow(String entityKey, Instant eventTime, Instant createdTime, Map<String, Object> values) {
  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if the entity key is empty
   * @throws NullPointerException if a value is null
   */
  public FeatureRow {
    Objects.requireNonNull(entityKey, "entityKey");
    if (entityKey.isEmpty()) {
      throw new IllegalArgumentException("entity key must not be empty");
    }
    Objects.requireNonNull(eventTime, "eventTime");
    Objects.requireNonNull(createdTime, "createdTime");
    LinkedHashMap<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : values.entrySet()) {
      Object v = Objects.requireNonNull(e.getValue(), () -> "value of feature " + e.getKey());
      copy.put(Objects.requireNonNull(e.getKey(), "feature name"), v instanceof float[] f ? f.clone() : v);
    }
    values = Collections.unmodifiableMap(copy);
  }

  /**
   * A row whose created time equals its event time.
   *
   * @param entityKey the entity's key
   * @param eventTime event time
   * @param values feature values
   * @return the row
   */
  public static FeatureRow of(String entityKey, Instant eventTime, Map<String, Object> values) {
    return new FeatureRow(entityKey, eventTime, eventTime, values);
  }

  /** @return the values; a {@code float[]} value is the row's own array, do not modify it */
  @Override
  public Map<String, Object> values() {
    return values;
  }
}
