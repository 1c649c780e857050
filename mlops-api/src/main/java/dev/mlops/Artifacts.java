package dev.mlops;

import java.io.InputStream;
import java.util.Optional;

/**
 * Content-addressed artifact storage. Content is identified by its SHA-256; storing the same
 * bytes twice stores them once. Every read verifies the digest while streaming and fails with
 * {@link CorruptDataException} naming the digest on a mismatch. Streams of any size use constant
 * memory.
 *
 * <p>Thread-safe.
 */
public interface Artifacts {

  /**
   * Stores content read from {@code in} until its end (the stream is not closed).
   *
   * @param in the content
   * @param spec media type and metadata to record
   * @return the reference to the content
   * @throws StorageException if the backend fails; nothing partial becomes visible
   */
  ArtifactRef put(InputStream in, ArtifactSpec spec);

  /**
   * Opens the content for reading. The stream verifies the digest as it is read and throws
   * {@link CorruptDataException} at its end if the content does not match.
   *
   * @param digest the content's digest
   * @return a stream the caller closes
   * @throws NotFoundException if no such content is stored
   */
  InputStream open(Digest digest);

  /**
   * Looks up stored content.
   *
   * @param digest the content's digest
   * @return its reference (as first stored), or empty
   */
  Optional<ArtifactRef> find(Digest digest);

  /** Stores bytes with default spec. @see #put(InputStream, ArtifactSpec) */
  default ArtifactRef put(byte[] bytes) {
    return put(bytes, ArtifactSpec.defaults());
  }

  /** Stores bytes. @see #put(InputStream, ArtifactSpec) */
  default ArtifactRef put(byte[] bytes, ArtifactSpec spec) {
    return put(new java.io.ByteArrayInputStream(bytes), spec);
  }

  /**
   * Reads whole content into memory, verified.
   *
   * @param digest the content's digest
   * @return the bytes
   * @throws NotFoundException if no such content is stored
   * @throws CorruptDataException if the stored bytes do not match the digest
   */
  default byte[] read(Digest digest) {
    try (InputStream in = open(digest)) {
      return in.readAllBytes();
    } catch (java.io.IOException e) {
      throw new StorageException("reading artifact " + digest + " failed", e, true);
    }
  }

  /**
   * @param digest the content's digest
   * @return its reference
   * @throws NotFoundException if no such content is stored
   */
  default ArtifactRef get(Digest digest) {
    return find(digest).orElseThrow(() -> new NotFoundException("no artifact " + digest));
  }
}
