package dev.mlops;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A SHA-256 content digest, the identity of an artifact or a dataset. Printed and parsed as
 * {@code sha256:<64 lowercase hex>}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param hex 64 lowercase hexadecimal characters
 */
public record Digest(String hex) {
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
  private static final String PREFIX = "sha256:";

  /**
   * @throws IllegalArgumentException if hex is not 64 lowercase hex characters
   */
  public Digest {
    Objects.requireNonNull(hex, "hex");
    if (!HEX.matcher(hex).matches()) {
      throw new IllegalArgumentException(
          "digest " + Names.quote(hex) + " is invalid: expected 64 lowercase hex characters");
    }
  }

  /**
   * Parses {@code sha256:<hex>} or a bare 64-character hex string.
   *
   * @param text the printed digest
   * @return the digest
   * @throws IllegalArgumentException if text is neither form
   */
  public static Digest parse(String text) {
    Objects.requireNonNull(text, "text");
    return new Digest(text.startsWith(PREFIX) ? text.substring(PREFIX.length()) : text);
  }

  /**
   * @param bytes content
   * @return the SHA-256 of bytes
   */
  public static Digest of(byte[] bytes) {
    return fromBytes(newSha256().digest(bytes));
  }

  /**
   * @param sha256 the 32 bytes of a finished SHA-256
   * @return the digest
   */
  public static Digest fromBytes(byte[] sha256) {
    if (sha256.length != 32) {
      throw new IllegalArgumentException("a SHA-256 has 32 bytes, got " + sha256.length);
    }
    return new Digest(HexFormat.of().formatHex(sha256));
  }

  /** @return a fresh SHA-256 {@link MessageDigest} */
  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return PREFIX + hex;
  }
}
