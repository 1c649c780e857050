package dev.mlops.tuning;

/**
 * Where a trial is. Its run's status follows: RUNNING, FINISHED, KILLED (pruned), FAILED.
 *
 * <p>Immutable and thread-safe.
 */
public enum TrialState {
  /** Started, not ended. */
  RUNNING,
  /** Ended with a finite value. */
  COMPLETE,
  /** Stopped early by a pruner. */
  PRUNED,
  /** The objective threw or returned NaN. */
  FAILED
}
