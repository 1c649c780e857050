package dev.mlops;

import java.util.Map;
import java.util.Objects;

/**
 * What to record about content being stored besides its bytes.
 *
 * <p>Immutable and thread-safe.
 *
 * @param mediaType e.g. {@code application/json}
 * @param metadata user metadata (keys follow {@link Names}), copied
 */
public record ArtifactSpec(String mediaType, Map<String, String> metadata) {
  /** Validates and copies. */
  public ArtifactSpec {
    Objects.requireNonNull(mediaType, "mediaType");
    if (mediaType.isBlank()) {
      throw new IllegalArgumentException("mediaType must not be blank");
    }
    metadata = Map.copyOf(metadata);
    metadata.keySet().forEach(k -> Names.requireValid("metadata key", k));
  }

  /** @return octet-stream, no metadata */
  public static ArtifactSpec defaults() {
    return new ArtifactSpec(ArtifactRef.DEFAULT_MEDIA_TYPE, Map.of());
  }

  /**
   * @param mediaType media type
   * @return a spec with that media type and no metadata
   */
  public static ArtifactSpec of(String mediaType) {
    return new ArtifactSpec(mediaType, Map.of());
  }
}
