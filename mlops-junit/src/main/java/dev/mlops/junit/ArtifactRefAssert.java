package dev.mlops.junit;

import dev.mlops.ArtifactRef;
import dev.mlops.Digest;
import java.util.Objects;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on an {@link ArtifactRef} (what {@code put} returned, or what a run or model version
 * recorded); obtain with {@link MlopsAssertions#assertThat(ArtifactRef)}. To check the stored
 * content itself, use {@link MlopsAssertions#assertThat(dev.mlops.Artifacts)}.
 *
 * <p>Not thread-safe; confine to one thread.
 */
public final class ArtifactRefAssert extends AbstractAssert<ArtifactRefAssert, ArtifactRef> {

  ArtifactRefAssert(ArtifactRef actual) {
    super(actual, ArtifactRefAssert.class);
  }

  /**
   * @param digest the expected digest
   * @return this
   */
  public ArtifactRefAssert hasDigest(Digest digest) {
    Objects.requireNonNull(digest, "digest");
    isNotNull();
    if (!actual.digest().equals(digest)) {
      failWithMessage("expected an artifact with digest %s but it is %s", digest, actual.digest());
    }
    return this;
  }

  /**
   * @param content bytes
   * @return this, if the reference names exactly these bytes (their SHA-256 and length)
   */
  public ArtifactRefAssert isContentOf(byte[] content) {
    Objects.requireNonNull(content, "content");
    isNotNull();
    Digest expected = Digest.of(content);
    if (!actual.digest().equals(expected) || actual.size() != content.length) {
      failWithMessage("expected the artifact of the given %s bytes (%s) but it is %s of %s bytes", content.length,
          expected, actual.digest(), actual.size());
    }
    return this;
  }

  /**
   * @param size the expected size in bytes
   * @return this
   */
  public ArtifactRefAssert hasSize(long size) {
    isNotNull();
    if (actual.size() != size) {
      failWithMessage("expected artifact %s to be %s bytes but it is %s bytes", actual.digest(), size, actual.size());
    }
    return this;
  }

  /**
   * @param mediaType the expected media type
   * @return this
   */
  public ArtifactRefAssert hasMediaType(String mediaType) {
    isNotNull();
    if (!actual.mediaType().equals(mediaType)) {
      failWithMessage("expected artifact %s to have media type '%s' but it is '%s'", actual.digest(), mediaType,
          actual.mediaType());
    }
    return this;
  }

  /**
   * @param key metadata key
   * @param value expected value
   * @return this
   */
  public ArtifactRefAssert hasMetadata(String key, String value) {
    isNotNull();
    if (!Objects.equals(actual.metadata().get(key), value)) {
      failWithMessage("expected artifact %s to have metadata '%s'='%s' but its metadata is %s", actual.digest(), key,
          value, actual.metadata());
    }
    return this;
  }
}
