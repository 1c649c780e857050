package dev.mlops.fs;

import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic pseudo-random content of any length, generated on the fly (xorshift), so tests can
 * write and check gigabytes in constant memory: same seed and length, same bytes.
 *
 * <p>Not thread-safe; confine to one thread.
 */
final class GeneratedStream extends InputStream {
  private final long length;
  private long position;
  private long state;

  GeneratedStream(long seed, long length) {
    this.length = length;
    this.state = seed * 0x9E3779B97F4A7C15L + 0x2545F4914F6CDD1DL;
    if (state == 0) {
      state = 1;
    }
  }

  @Override
  public int read() {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (position >= length) {
      return -1;
    }
    int n = (int) Math.min(len, length - position);
    int i = 0;
    while (i < n) {
      state ^= state << 13;
      state ^= state >>> 7;
      state ^= state << 17;
      long w = state;
      for (int k = 0; k < 8 && i < n; k++, i++) {
        b[off + i] = (byte) w;
        w >>>= 8;
      }
    }
    position += n;
    return n;
  }

  /** @return hex SHA-256 of the content of {@code new GeneratedStream(seed, length)} */
  static String sha256(long seed, long length) {
    MessageDigest sha = newSha256();
    byte[] buf = new byte[1 << 16];
    GeneratedStream in = new GeneratedStream(seed, length);
    for (int n; (n = in.read(buf, 0, buf.length)) >= 0; ) {
      sha.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
