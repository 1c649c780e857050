package dev.mlops.pipeline;

/**
 * An execution's status, as folded from its log.
 *
 * <p>Immutable and thread-safe.
 */
public enum ExecutionStatus {
  /** Started, not finished (possibly abandoned by a dead process: resume it). */
  RUNNING,
  /** Every step succeeded or was skipped. */
  SUCCEEDED,
  /** A step failed. */
  FAILED
}
