package dev.mlops.core;

import dev.mlops.Digest;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * SHA-256 of a byte stream, computed on a helper thread while the caller does the I/O, so that
 * hashing and copying overlap on two cores instead of adding up on one. Bytes are copied into
 * one of two 1 MiB chunks; a full chunk is hashed in the background (chunks in order, one at a
 * time) while the caller fills the other. Content shorter than one chunk is hashed on the
 * caller's thread, with no hand-off.
 *
 * <p>Not thread-safe; confine to one thread.
 */
final class PipelinedSha256 {
  static final int CHUNK = 1 << 20;

  private static final ExecutorService HASHERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "mlops-sha256");
    t.setDaemon(true);
    return t;
  });

  private final MessageDigest sha = Digest.newSha256();
  private final byte[][] chunks = new byte[2][];
  private final CompletableFuture<?>[] inFlight = new CompletableFuture<?>[2];
  private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
  private boolean handedOff;
  private int current;
  private int fill;

  /** Adds bytes. */
  void update(byte[] b, int off, int len) {
    while (len > 0) {
      byte[] chunk = chunks[current];
      if (chunk == null) {
        chunk = chunks[current] = new byte[CHUNK];
      }
      int n = Math.min(len, CHUNK - fill);
      System.arraycopy(b, off, chunk, fill, n);
      fill += n;
      off += n;
      len -= n;
      if (fill == CHUNK) {
        handOff();
      }
    }
  }

  /** @return the digest of everything added; this object is finished afterwards */
  Digest digest() {
    if (!handedOff) {
      if (fill > 0) {
        sha.update(chunks[current], 0, fill);
      }
    } else {
      if (fill > 0) {
        handOff();
      }
      last.join();
    }
    return Digest.fromBytes(sha.digest());
  }

  private void handOff() {
    handedOff = true;
    byte[] chunk = chunks[current];
    int n = fill;
    last = last.thenRunAsync(() -> sha.update(chunk, 0, n), HASHERS);
    inFlight[current] = last;
    current ^= 1;
    fill = 0;
    CompletableFuture<?> previous = inFlight[current];
    if (previous != null) {
      previous.join(); // the other chunk must be hashed before it is refilled
    }
  }
}
