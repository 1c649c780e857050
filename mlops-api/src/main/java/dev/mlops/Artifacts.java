package dev.mlops;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
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

  /**
   * Downloads content to a file, verified while streaming. The bytes go to a temporary file in
   * the target's directory, which is moved into place only after the digest (and the size the
   * content was described with) checks out: a corrupt or failed download never leaves a partial
   * file at {@code target}, and an existing file there is kept unless replacing it was asked for.
   *
   * @param digest the content's digest
   * @param target the file to create; its directory must exist
   * @param options {@link StandardCopyOption#REPLACE_EXISTING} to replace an
   *     existing file (atomically where the file system can); no other option is accepted
   * @return the number of bytes written
   * @throws NotFoundException if no such content is stored
   * @throws AlreadyExistsException if target exists and REPLACE_EXISTING was not given
   * @throws CorruptDataException if the stored content does not match its digest or its recorded
   *     size (target is left as it was)
   * @throws StorageException if reading the store or writing the file fails (target is left as it was)
   * @throws IllegalArgumentException for an option other than REPLACE_EXISTING
   */
  long download(Digest digest, Path target, CopyOption... options);

  /**
   * Stores a file's content in constant memory, with the media type guessed from the file name
   * ({@link ArtifactSpec#forFileName}).
   *
   * @param file the file to store
   * @return the reference to the content
   * @throws StorageException if the file cannot be read or the backend fails; nothing partial becomes visible
   */
  default ArtifactRef put(Path file) {
    Objects.requireNonNull(file, "file");
    Path name = file.getFileName();
    return put(file, ArtifactSpec.forFileName(name == null ? "" : name.toString()));
  }

  /**
   * Stores a file's content in constant memory.
   *
   * @param file the file to store
   * @param spec media type and metadata to record
   * @return the reference to the content
   * @throws StorageException if the file cannot be read or the backend fails; nothing partial becomes visible
   */
  default ArtifactRef put(Path file, ArtifactSpec spec) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(spec, "spec");
    try (InputStream in = Files.newInputStream(file)) {
      return put(in, spec);
    } catch (IOException e) {
      throw new StorageException("reading file '" + file + "' to store it as an artifact failed: " + e, e, false);
    }
  }

  /** Stores bytes with default spec. @see #put(InputStream, ArtifactSpec) */
  default ArtifactRef put(byte[] bytes) {
    return put(bytes, ArtifactSpec.defaults());
  }

  /** Stores bytes. @see #put(InputStream, ArtifactSpec) */
  default ArtifactRef put(byte[] bytes, ArtifactSpec spec) {
    return put(new ByteArrayInputStream(bytes), spec);
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
    } catch (IOException e) {
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
