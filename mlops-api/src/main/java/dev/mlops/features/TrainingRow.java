package dev.mlops.features;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One output row of a training set: an entity row and, per requested feature, the value that was
 * visible at its timestamp (point-in-time correct), with status and age as in online lookups.
 *
 * <p>Immutable and thread-safe.
 *
 * @param entityKey the entity's key
 * @param timestamp the entity row's as-of time
 * @param values one per requested feature, in request order
 */
public record TrainingRow(String entityKey, Instant timestamp, List<FeatureValue> values) {
  /** Validates and copies. */
  public TrainingRow {
    Objects.requireNonNull(entityKey, "entityKey");
    Objects.requireNonNull(timestamp, "timestamp");
    values = List.copyOf(values);
  }

  /**
   * @param ref a requested feature
   * @return its value, or empty if it was not requested
   */
  public Optional<FeatureValue> find(FeatureRef ref) {
    for (FeatureValue v : values) {
      if (v.ref().equals(ref)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }
}
