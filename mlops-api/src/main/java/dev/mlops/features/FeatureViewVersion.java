package dev.mlops.features;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored version of a feature view.
 *
 * <p>Immutable and thread-safe.
 *
 * @param definition the definition
 * @param version its number, 1 for the first, without gaps
 * @param dataVersion the version whose stored rows this version reads and writes: the first version
 *     with the same schema ({@link FeatureView#sameSchema}). A change of TTL, owner, description or
 *     tags keeps the rows; a change of entity or features starts empty.
 * @param registeredAt when it was applied
 */
public record FeatureViewVersion(FeatureView definition, int version, int dataVersion, Instant registeredAt) {
  /**
   * Validates.
   *
   * @throws IllegalArgumentException if a version number is not positive or dataVersion exceeds version
   */
  public FeatureViewVersion {
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(registeredAt, "registeredAt");
    if (version < 1 || dataVersion < 1 || dataVersion > version) {
      throw new IllegalArgumentException("invalid version " + version + " / dataVersion " + dataVersion);
    }
  }

  /** @return the view's name */
  public String name() {
    return definition.name();
  }
}
