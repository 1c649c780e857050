package dev.mlops.features;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored version of an entity definition.
 *
 * <p>Immutable and thread-safe.
 *
 * @param definition the definition
 * @param version its number, 1 for the first
 * @param registeredAt when it was applied
 */
public record EntityVersion(Entity definition, int version, Instant registeredAt) {
  /**
   * Validates.
   *
   * @throws IllegalArgumentException if version is not positive
   */
  public EntityVersion {
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(registeredAt, "registeredAt");
    if (version < 1) {
      throw new IllegalArgumentException("version must be positive, got " + version);
    }
  }
}
