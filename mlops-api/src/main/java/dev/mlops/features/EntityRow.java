package dev.mlops.features;

import java.time.Instant;
import java.util.Objects;

/**
 * One row of the "entity dataframe" of a training set: an entity and the time at which its
 * features are wanted (typically the label's time).
 *
 * <p>Immutable and thread-safe.
 *
 * @param entityKey the entity's key, not empty
 * @param timestamp the as-of time; only rows with event time at or before it are used
 */
public record EntityRow(String entityKey, Instant timestamp) {
  /**
   * Validates.
   *
   * @throws IllegalArgumentException if the key is empty
   */
  public EntityRow {
    Objects.requireNonNull(entityKey, "entityKey");
    if (entityKey.isEmpty()) {
      throw new IllegalArgumentException("entity key must not be empty");
    }
    Objects.requireNonNull(timestamp, "timestamp");
  }
}
