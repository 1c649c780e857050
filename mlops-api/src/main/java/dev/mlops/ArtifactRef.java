package dev.mlops;

import java.util.Map;
import java.util.Objects;

/**
 * A reference to stored content: its digest, size, media type and user metadata. Content is
 * stored once per digest; refs with different metadata may point at the same content.
 *
 * <p>Immutable and thread-safe.
 *
 * @param digest SHA-256 of the content
 * @param size length in bytes
 * @param mediaType e.g. {@code application/octet-stream}
 * @param metadata user metadata, copied
 */
public record ArtifactRef(Digest digest, long size, String mediaType, Map<String, String> metadata) {
  /** Media type used when none is given. */
  public static final String DEFAULT_MEDIA_TYPE = "application/octet-stream";

  /** Validates and copies. */
  public ArtifactRef {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(mediaType, "mediaType");
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0, got " + size);
    }
    if (mediaType.isBlank()) {
      throw new IllegalArgumentException("mediaType must not be blank");
    }
    metadata = Map.copyOf(metadata);
  }
}
