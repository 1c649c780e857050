package dev.mlops.pipeline;

/**
 * A step's status in an execution, as folded from the execution log.
 *
 * <p>Immutable and thread-safe.
 */
public enum StepStatus {
  /** Not reached yet. */
  PENDING,
  /** Claimed by a process, under a lease. */
  RUNNING,
  /** A callback step waiting for its token to be reported. */
  WAITING,
  /** Finished with outputs (run, or served from the cache). */
  SUCCEEDED,
  /** Failed after its last attempt; the execution fails. */
  FAILED,
  /** Not run: on a branch a condition did not take, or after a skipped step. */
  SKIPPED;

  /** @return whether the status is final */
  public boolean terminal() {
    return this == SUCCEEDED || this == FAILED || this == SKIPPED;
  }
}
