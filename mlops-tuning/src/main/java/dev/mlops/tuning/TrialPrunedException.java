package dev.mlops.tuning;

/**
 * Thrown by an objective to stop its trial early, usually after {@link Trial#shouldPrune()}
 * returned true; the study then records the trial as pruned (its run KILLED with the step and
 * reason) instead of failed.
 *
 * <p>Immutable and thread-safe.
 */
public final class TrialPrunedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Prunes with the reason the pruner gave, if any. */
  public TrialPrunedException() {
    super("pruned", null, false, false);
  }

  /** @param reason why the objective stopped */
  public TrialPrunedException(String reason) {
    super(reason, null, false, false);
  }
}
