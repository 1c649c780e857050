package dev.mlops;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A point in a hash-chained log — an entry's number and its SHA-256 — kept outside the store
 * (in a ticket, a release note, a signed file) to check later that the log still holds that entry
 * unchanged. A log's own chain detects an edited or removed entry in the middle, but not the
 * removal or consistent rewriting of its newest entries; an anchor recorded outside does.
 *
 * <p>Immutable and thread-safe.
 *
 * @param seq the entry's number, {@code >= 1}
 * @param hash the entry's SHA-256, 64 lower-case hex digits
 */
public record LogAnchor(long seq, String hash) {
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  /** Validates. */
  public LogAnchor {
    if (seq < 1) {
      throw new IllegalArgumentException("anchor seq must be >= 1, got " + seq);
    }
    Objects.requireNonNull(hash, "hash");
    if (!HEX64.matcher(hash).matches()) {
      throw new IllegalArgumentException("anchor hash '" + hash + "' is not 64 lower-case hex digits");
    }
  }

  /**
   * @param text {@code <seq>:<hash>}, as {@link #toString()} writes it
   * @return the anchor
   * @throws IllegalArgumentException if malformed
   */
  public static LogAnchor parse(String text) {
    Objects.requireNonNull(text, "text");
    int colon = text.indexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException("log anchor '" + text + "' is not <seq>:<64 hex>");
    }
    try {
      return new LogAnchor(Long.parseLong(text.substring(0, colon)), text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("log anchor '" + text + "' is not <seq>:<64 hex>", e);
    }
  }

  @Override
  public String toString() {
    return seq + ":" + hash;
  }
}
