package dev.mlops.core;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.Artifacts;
import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.NotFoundException;
import dev.mlops.StorageException;
import dev.mlops.core.internal.Json;
import dev.mlops.spi.BlobSink;
import dev.mlops.spi.ObjectStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.CopyOption;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Content-addressed artifacts: the blob lives at {@code artifacts/sha256/<2 hex>/<62 hex>}, its
 * descriptor (size, media type, metadata of the first put) at
 * {@code artifacts/meta/sha256/<2 hex>/<62 hex>.json}, checksummed ({@link Descriptor}). The blob is published before the
 * descriptor, so a crash between the two leaves a blob whose descriptor is rebuilt on demand.
 * Hashing runs beside the I/O on a helper thread ({@link PipelinedSha256}) for large content.
 *
 * <p>Thread-safe.
 */
final class CoreArtifacts implements Artifacts {
  private static final int BUFFER = 64 * 1024;
  private final ObjectStore store;

  CoreArtifacts(ObjectStore store) {
    this.store = store;
  }

  static String blobKey(Digest d) {
    return "artifacts/sha256/" + d.hex().substring(0, 2) + "/" + d.hex().substring(2);
  }

  static String metaKey(Digest d) {
    return "artifacts/meta/sha256/" + d.hex().substring(0, 2) + "/" + d.hex().substring(2) + ".json";
  }

  /**
   * Stored descriptor. Format 2 carries {@code sha256}: the SHA-256 of the JSON of its other
   * fields ({@link Described}, metadata sorted by key), checked on every read. Format 1 (written
   * before 0.1.0) has no checksum; it is still read, and a format-1 descriptor that carries a
   * checksum is refused as altered.
   */
  record Descriptor(int format, String digest, long size, String mediaType, Map<String, String> metadata,
      String sha256) {
    static Descriptor of(Digest digest, long size, String mediaType, Map<String, String> metadata) {
      Described body = new Described(FORMAT, digest.toString(), size, mediaType, new TreeMap<>(metadata));
      return new Descriptor(FORMAT, body.digest(), size, mediaType, body.metadata(), body.sha256());
    }
  }

  /** The checksummed fields of a descriptor, in their canonical order. */
  record Described(int format, String digest, long size, String mediaType, TreeMap<String, String> metadata) {
    String sha256() {
      return Digest.of(Json.write(this)).hex();
    }
  }

  static final int FORMAT = 2;

  @Override
  public ArtifactRef put(InputStream in, ArtifactSpec spec) {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(spec, "spec");
    PipelinedSha256 sha = new PipelinedSha256();
    long size = 0;
    Digest digest;
    try (BlobSink sink = store.newBlobSink()) {
      OutputStream out = sink.stream();
      byte[] buf = new byte[BUFFER];
      int n;
      while ((n = in.read(buf)) >= 0) {
        sha.update(buf, 0, n);
        out.write(buf, 0, n);
        size += n;
      }
      out.flush();
      digest = sha.digest();
      String key = blobKey(digest);
      if (!exists(key)) {
        try {
          sink.publish(key);
        } catch (AlreadyExistsException racedWithSameContent) {
          // someone stored the same content first: content addressing makes that a success
        }
      } else {
        // stored before: restart mlops-governance's GC grace period for it (its candidate marker)
        store.delete(gcCandidateKey(digest));
      }
    } catch (IOException e) {
      throw new StorageException("storing an artifact failed while reading its content", e, false);
    }
    ArtifactRef ref = new ArtifactRef(digest, size, spec.mediaType(), spec.metadata());
    try {
      store.create(metaKey(digest), Json.write(Descriptor.of(digest, size, spec.mediaType(), spec.metadata())));
    } catch (AlreadyExistsException alreadyDescribed) {
      // first put's descriptor wins; this caller's ref still carries its own spec
    }
    return ref;
  }

  private boolean exists(String key) {
    return store.list(key, "", 1).keys().contains(key);
  }

  @Override
  public InputStream open(Digest digest) {
    Objects.requireNonNull(digest, "digest");
    InputStream raw = store.openStream(blobKey(digest))
        .orElseThrow(() -> new NotFoundException("no artifact " + digest));
    return new VerifyingInputStream(raw, digest);
  }

  /** @return the key of mlops-governance's GC candidate marker of {@code digest} */
  static String gcCandidateKey(Digest digest) {
    return "gc/candidates/" + digest.hex();
  }

  /**
   * Finds an artifact that a registration is about to reference. First restarts mlops-governance's
   * GC grace period for it (removes its candidate marker: a collector deletes a blob only if the
   * marker it re-reads just before the delete is still there and older than the grace period),
   * then requires its descriptor and its blob (a collector deletes the blob before the
   * descriptor). So a writer that uploads, stalls for longer than the grace period, and then
   * registers either keeps its blob or gets a {@link dev.mlops.NotFoundException} from the
   * registration; it no longer registers a version whose blob a collector deleted meanwhile,
   * except when its check falls between a collector's last marker read and its delete (one
   * request).
   *
   * @param digest the artifact's digest
   * @return the stored artifact, or empty when its descriptor or its blob is missing
   */
  Optional<ArtifactRef> findForReference(Digest digest) {
    Objects.requireNonNull(digest, "digest");
    store.delete(gcCandidateKey(digest));
    Optional<ArtifactRef> found = find(digest);
    return found.isPresent() && exists(blobKey(digest)) ? found : Optional.empty();
  }

  @Override
  public Optional<ArtifactRef> find(Digest digest) {
    Objects.requireNonNull(digest, "digest");
    Optional<byte[]> meta = store.get(metaKey(digest));
    if (meta.isPresent()) {
      return Optional.of(describe(metaKey(digest), digest, meta.get()));
    }
    if (!exists(blobKey(digest))) {
      return Optional.empty();
    }
    // Blob stored but its descriptor was lost to a crash: measure (and verify) it, then describe it.
    long size;
    try (InputStream in = open(digest)) {
      size = in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new StorageException("reading artifact " + digest + " failed", e, true);
    }
    try {
      store.create(metaKey(digest), Json.write(Descriptor.of(digest, size, ArtifactRef.DEFAULT_MEDIA_TYPE, Map.of())));
    } catch (AlreadyExistsException ignored) {
      return find(digest);
    }
    return Optional.of(new ArtifactRef(digest, size, ArtifactRef.DEFAULT_MEDIA_TYPE, Map.of()));
  }

  /**
   * Reads and checks a stored descriptor.
   *
   * @throws CorruptDataException naming the key if it is unreadable, altered or describes other content
   */
  static ArtifactRef describe(String key, Digest digest, byte[] bytes) {
    Descriptor d = Json.read(key, bytes, Descriptor.class);
    switch (d.format()) {
      case FORMAT -> {
        if (d.metadata() == null || d.digest() == null || d.mediaType() == null || d.sha256() == null) {
          throw new CorruptDataException("artifact descriptor '" + key + "' lacks digest, mediaType, metadata or sha256");
        }
        String actual = new Described(d.format(), d.digest(), d.size(), d.mediaType(), new TreeMap<>(d.metadata())).sha256();
        if (!actual.equals(d.sha256())) {
          throw new CorruptDataException("artifact descriptor '" + key + "' is altered: its fields hash to " + actual
              + " but it records " + d.sha256());
        }
      }
      case 1 -> {
        if (d.sha256() != null) {
          throw new CorruptDataException("artifact descriptor '" + key + "' is altered: format 1 carries no checksum"
              + " but this one does");
        }
      }
      default -> throw new CorruptDataException("artifact descriptor '" + key + "' has unknown format " + d.format()
          + " (this version reads 1 and " + FORMAT + ")");
    }
    if (!digest.toString().equals(d.digest())) {
      throw new CorruptDataException("artifact descriptor '" + key + "' describes " + d.digest() + ", not " + digest);
    }
    try {
      return new ArtifactRef(digest, d.size(), d.mediaType(), d.metadata() == null ? Map.of() : d.metadata());
    } catch (RuntimeException e) {
      throw new CorruptDataException("artifact descriptor '" + key + "' is invalid: " + e.getMessage(), e);
    }
  }

  @Override
  public long download(Digest digest, Path target, CopyOption... options) {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(target, "target");
    boolean replace = false;
    for (CopyOption o : options) {
      if (o != StandardCopyOption.REPLACE_EXISTING) {
        throw new IllegalArgumentException("download accepts only REPLACE_EXISTING, not " + o);
      }
      replace = true;
    }
    Path to = target.toAbsolutePath();
    if (!replace && Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
      throw new AlreadyExistsException("download target '" + target + "' exists; pass "
          + "StandardCopyOption.REPLACE_EXISTING to replace it");
    }
    ArtifactRef ref = get(digest);
    Path dir = to.getParent();
    String name = to.getFileName().toString();
    Path part = null;
    try {
      part = Files.createTempFile(dir, "." + (name.length() > 80 ? name.substring(0, 80) : name) + ".", ".part");
      long n;
      try (InputStream in = open(digest); FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
        n = in.transferTo(Channels.newOutputStream(ch)); // open() verifies the digest at the end
        ch.force(true);
      }
      if (n != ref.size()) {
        throw new CorruptDataException("artifact descriptor '" + metaKey(digest) + "' records size " + ref.size()
            + " but artifact " + digest + " has " + n + " bytes");
      }
      if (replace) {
        try {
          Files.move(part, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(part, to, StandardCopyOption.REPLACE_EXISTING);
        }
      } else {
        publishNew(part, to, target);
      }
      return n;
    } catch (IOException e) {
      throw new StorageException("downloading artifact " + digest + " to '" + target + "' failed: " + e, e, false);
    } finally {
      if (part != null) {
        try {
          Files.deleteIfExists(part); // gone after a move; the spare link after a hard-link publish
        } catch (IOException ignored) {
          // a leftover hidden .part file is harmless
        }
      }
    }
  }

  /** Moves a finished download into place without ever replacing a file that appeared meanwhile. */
  private static void publishNew(Path part, Path to, Path target) throws IOException {
    // the caller deletes the part file afterwards (a no-op after a move)
    try {
      Files.createLink(to, part); // fails if the target exists, unlike a move
      return;
    } catch (FileAlreadyExistsException e) {
      throw new AlreadyExistsException("download target '" + target + "' appeared while downloading; pass "
          + "StandardCopyOption.REPLACE_EXISTING to replace it");
    } catch (UnsupportedOperationException | IOException noHardLinks) {
      // fall through to a move
    }
    try {
      Files.move(part, to); // no hard links here: a plain move, which refuses an existing target
    } catch (FileAlreadyExistsException e) {
      throw new AlreadyExistsException("download target '" + target + "' appeared while downloading; pass "
          + "StandardCopyOption.REPLACE_EXISTING to replace it");
    }
  }

  /** Hashes while reading; at the end, a mismatch is a {@link CorruptDataException} naming the digest. */
  private static final class VerifyingInputStream extends FilterInputStream {
    private final Digest expected;
    private final PipelinedSha256 sha = new PipelinedSha256();
    private final byte[] one = new byte[1];
    private boolean checked;

    VerifyingInputStream(InputStream in, Digest expected) {
      super(in);
      this.expected = expected;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b < 0) {
        check();
      } else {
        one[0] = (byte) b;
        sha.update(one, 0, 1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n < 0) {
        check();
      } else {
        sha.update(b, off, n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      // skipping would bypass verification: read and discard instead
      byte[] buf = new byte[(int) Math.min(BUFFER, Math.max(n, 1))];
      long left = n;
      while (left > 0) {
        int r = read(buf, 0, (int) Math.min(buf.length, left));
        if (r < 0) {
          break;
        }
        left -= r;
      }
      return n - left;
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    private void check() {
      if (!checked) {
        checked = true;
        Digest actual = sha.digest();
        if (!actual.equals(expected)) {
          throw new CorruptDataException("artifact " + expected + " is corrupt: its stored content hashes to " + actual);
        }
      }
    }
  }
}
