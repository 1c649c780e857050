package dev.mlops.testkit;

import dev.mlops.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Deterministic pseudo-random content of any length, produced on the fly so a test can store and
 * compare gigabytes without holding them: the same seed and length always give the same bytes, so
 * a read-back is checked against {@link #digestOf} instead of a copy.
 *
 * <p>Not thread-safe; confine to one thread.
 */
final class GeneratedContent extends InputStream {
  private final long length;
  private long position;
  private long state;
  private long word;
  private int wordBytesLeft;

  GeneratedContent(long seed, long length) {
    if (length < 0) {
      throw new IllegalArgumentException("length must be >= 0, got " + length);
    }
    this.length = length;
    // any non-zero start state works for xorshift; mix the seed so small seeds differ early
    this.state = seed * 0x9E3779B97F4A7C15L + 0x2545F4914F6CDD1DL;
    if (state == 0) {
      state = 1;
    }
  }

  /** SHA-256 of the content {@code new GeneratedContent(seed, length)} produces. */
  static Digest digestOf(long seed, long length) {
    return digestOf(new GeneratedContent(seed, length));
  }

  /** SHA-256 of everything {@code in} yields, read in constant memory; closes it. */
  static Digest digestOf(InputStream in) {
    MessageDigest sha = Digest.newSha256();
    byte[] buf = new byte[1 << 16];
    try (in) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        sha.update(buf, 0, n);
      }
    } catch (IOException e) {
      throw new AssertionError("reading content failed", e);
    }
    return Digest.fromBytes(sha.digest());
  }

  @Override
  public int read() {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (len == 0) {
      return 0;
    }
    if (position >= length) {
      return -1;
    }
    int n = (int) Math.min(len, length - position);
    int i = 0;
    if (wordBytesLeft == 0) {
      // whole words at a time: the same bytes as the loop below, eight per step
      for (; i + 8 <= n; i += 8) {
        long w = next();
        for (int j = 0; j < 8; j++) {
          b[off + i + j] = (byte) w;
          w >>>= 8;
        }
      }
    }
    for (; i < n; i++) {
      if (wordBytesLeft == 0) {
        word = next();
        wordBytesLeft = 8;
      }
      b[off + i] = (byte) word;
      word >>>= 8;
      wordBytesLeft--;
    }
    position += n;
    return n;
  }

  private long next() {
    state ^= state << 13;
    state ^= state >>> 7;
    state ^= state << 17;
    return state;
  }

  @Override
  public int available() {
    return (int) Math.min(Integer.MAX_VALUE, length - position);
  }
}
