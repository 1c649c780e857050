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
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Content-addressed artifacts: the blob lives at {@code artifacts/sha256/<2 hex>/<62 hex>}, its
 * descriptor (size, media type, metadata of the first put) at
 * {@code artifacts/meta/sha256/<2 hex>/<62 hex>.json}. The blob is published before the
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

  /** Stored descriptor. */
  record Descriptor(int format, String digest, long size, String mediaType, Map<String, String> metadata) {}

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
      }
    } catch (IOException e) {
      throw new StorageException("storing an artifact failed while reading its content", e, false);
    }
    ArtifactRef ref = new ArtifactRef(digest, size, spec.mediaType(), spec.metadata());
    try {
      store.create(metaKey(digest), Json.write(
          new Descriptor(1, digest.toString(), size, spec.mediaType(), spec.metadata())));
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

  @Override
  public Optional<ArtifactRef> find(Digest digest) {
    Objects.requireNonNull(digest, "digest");
    Optional<byte[]> meta = store.get(metaKey(digest));
    if (meta.isPresent()) {
      Descriptor d = Json.read(metaKey(digest), meta.get(), Descriptor.class);
      if (!digest.toString().equals(d.digest())) {
        throw new CorruptDataException("artifact descriptor '" + metaKey(digest) + "' describes " + d.digest());
      }
      return Optional.of(new ArtifactRef(digest, d.size(), d.mediaType(),
          d.metadata() == null ? Map.of() : d.metadata()));
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
      store.create(metaKey(digest), Json.write(
          new Descriptor(1, digest.toString(), size, ArtifactRef.DEFAULT_MEDIA_TYPE, Map.of())));
    } catch (AlreadyExistsException ignored) {
      return find(digest);
    }
    return Optional.of(new ArtifactRef(digest, size, ArtifactRef.DEFAULT_MEDIA_TYPE, Map.of()));
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
