package dev.mlops.junit;

import dev.mlops.ArtifactRef;
import dev.mlops.Artifacts;
import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on the artifacts stored in a workspace; obtain with
 * {@link MlopsAssertions#assertThat(Artifacts)}. Content is read through {@link Artifacts#open},
 * so every content check also verifies the stored bytes against their digest. Failure messages
 * name the digest and say what was found.
 *
 * <p>Not thread-safe; confine to one thread.
 */
public final class ArtifactsAssert extends AbstractAssert<ArtifactsAssert, Artifacts> {

  ArtifactsAssert(Artifacts actual) {
    super(actual, ArtifactsAssert.class);
  }

  /**
   * @param digest a content digest
   * @return this, if content with that digest is stored
   */
  public ArtifactsAssert contains(Digest digest) {
    stored(digest);
    return this;
  }

  /**
   * @param ref a reference as returned by {@code put} or recorded on a run or model version
   * @return this, if its content is stored with the same size (the media type and metadata are those
   *     first stored with the content, so they are not compared)
   */
  public ArtifactsAssert contains(ArtifactRef ref) {
    Objects.requireNonNull(ref, "ref");
    ArtifactRef found = stored(ref.digest());
    if (found.size() != ref.size()) {
      failWithMessage("expected artifact %s of %s bytes but it is stored with %s bytes", ref.digest(), ref.size(),
          found.size());
    }
    return this;
  }

  /**
   * @param content some bytes
   * @return this, if exactly these bytes are stored as an artifact
   */
  public ArtifactsAssert containsContent(byte[] content) {
    Objects.requireNonNull(content, "content");
    Digest digest = Digest.of(content);
    isNotNull();
    if (actual.find(digest).isEmpty()) {
      failWithMessage("expected an artifact with the given %s bytes (%s) but none is stored", content.length, digest);
    }
    return this;
  }

  /**
   * @param digest a content digest
   * @return this, if no content with that digest is stored
   */
  public ArtifactsAssert doesNotContain(Digest digest) {
    Objects.requireNonNull(digest, "digest");
    isNotNull();
    actual.find(digest).ifPresent(ref ->
        failWithMessage("expected no artifact %s but it is stored (%s bytes, %s)", digest, ref.size(), ref.mediaType()));
    return this;
  }

  /**
   * @param digest a content digest
   * @param size the expected size in bytes
   * @return this, if the content is stored with that size
   */
  public ArtifactsAssert hasSize(Digest digest, long size) {
    ArtifactRef found = stored(digest);
    if (found.size() != size) {
      failWithMessage("expected artifact %s to be %s bytes but it is %s bytes", digest, size, found.size());
    }
    return this;
  }

  /**
   * @param digest a content digest
   * @param mediaType the expected media type, as recorded when the content was first stored
   * @return this
   */
  public ArtifactsAssert hasMediaType(Digest digest, String mediaType) {
    ArtifactRef found = stored(digest);
    if (!found.mediaType().equals(mediaType)) {
      failWithMessage("expected artifact %s to have media type '%s' but it is '%s'", digest, mediaType,
          found.mediaType());
    }
    return this;
  }

  /**
   * Reads the content (verifying it against its digest) and compares it byte by byte.
   *
   * @param digest a content digest
   * @param expected the expected bytes
   * @return this
   */
  public ArtifactsAssert hasContent(Digest digest, byte[] expected) {
    Objects.requireNonNull(expected, "expected");
    stored(digest);
    byte[] content = read(digest);
    if (!Arrays.equals(content, expected)) {
      int at = Arrays.mismatch(content, expected);
      failWithMessage("expected artifact %s to hold the given %s bytes but it holds %s bytes, first difference at"
          + " offset %s", digest, expected.length, content.length, at);
    }
    return this;
  }

  /**
   * @param digest a content digest
   * @param expected the expected content as UTF-8 text
   * @return this
   */
  public ArtifactsAssert hasContent(Digest digest, String expected) {
    Objects.requireNonNull(expected, "expected");
    stored(digest);
    String content = new String(read(digest), StandardCharsets.UTF_8);
    if (!content.equals(expected)) {
      failWithMessage("expected artifact %s to hold text%n  \"%s\"%nbut it holds%n  \"%s\"", digest,
          abbreviate(expected), abbreviate(content));
    }
    return this;
  }

  /**
   * Reads the whole content and checks it against its digest and recorded size, as every read does.
   *
   * @param digest a content digest
   * @return this, if the stored bytes are intact
   */
  public ArtifactsAssert isIntact(Digest digest) {
    ArtifactRef found = stored(digest);
    byte[] content = read(digest);
    if (content.length != found.size()) {
      failWithMessage("expected artifact %s to be intact but it holds %s bytes where %s are recorded", digest,
          content.length, found.size());
    }
    return this;
  }

  private ArtifactRef stored(Digest digest) {
    Objects.requireNonNull(digest, "digest");
    isNotNull();
    Optional<ArtifactRef> found = actual.find(digest);
    if (found.isEmpty()) {
      failWithMessage("expected artifact %s to be stored but it is not", digest);
    }
    return found.orElseThrow();
  }

  private byte[] read(Digest digest) {
    try (InputStream in = actual.open(digest)) {
      return in.readAllBytes();
    } catch (CorruptDataException e) {
      failWithMessage("expected artifact %s to be readable but its stored bytes are damaged: %s", digest,
          e.getMessage());
      throw e;
    } catch (IOException e) {
      failWithMessage("expected artifact %s to be readable but reading it failed: %s", digest, e);
      throw new AssertionError(e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "… (" + s.length() + " characters)";
  }
}
