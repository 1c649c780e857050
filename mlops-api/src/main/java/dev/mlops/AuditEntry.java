package dev.mlops;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One entry of a model's log, which is both its state and its audit trail.
 *
 * <p>Immutable and thread-safe.
 *
 * @param seq 1, 2, 3... with no gaps
 * @param type what happened, e.g. {@code REGISTER_VERSION}, {@code SET_ALIAS}, {@code APPROVE}
 * @param actor who did it
 * @param at when
 * @param details what changed, as flat key/value text
 * @param hash SHA-256 of this entry's stored bytes, hex
 * @param previousHash SHA-256 of the previous entry's stored bytes (64 zeros for the first)
 */
public record AuditEntry(
    long seq, String type, String actor, Instant at, Map<String, String> details, String hash, String previousHash) {
  /** Validates and copies. */
  public AuditEntry {
    if (seq < 1) {
      throw new IllegalArgumentException("seq must be >= 1, got " + seq);
    }
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(at, "at");
    details = Map.copyOf(details);
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(previousHash, "previousHash");
  }
}
