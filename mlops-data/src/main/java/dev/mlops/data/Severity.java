package dev.mlops.data;

/**
 * How much a violated constraint matters: an {@link #ERROR} fails {@link ValidationReport#passed()},
 * a {@link #WARNING} is reported only.
 *
 * <p>Immutable and thread-safe.
 */
public enum Severity {
  /** Reported; does not fail the check. */
  WARNING,
  /** Fails the check. */
  ERROR
}
