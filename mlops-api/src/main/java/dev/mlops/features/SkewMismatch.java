package dev.mlops.features;

import java.util.Objects;

/**
 * One feature of one entity whose online value disagrees with the offline value at the same time.
 *
 * <p>Immutable and thread-safe.
 *
 * @param entityKey the entity
 * @param online what online lookup returned
 * @param offline what the point-in-time join over the offline log returned
 */
public record SkewMismatch(String entityKey, FeatureValue online, FeatureValue offline) {
  /** Validates. */
  public SkewMismatch {
    Objects.requireNonNull(entityKey, "entityKey");
    Objects.requireNonNull(online, "online");
    Objects.requireNonNull(offline, "offline");
  }
}
