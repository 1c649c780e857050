package dev.mlops.pipeline;

/**
 * The kinds of pipeline step.
 *
 * <p>Immutable and thread-safe.
 */
public enum StepKind {
  /** Runs a {@link StepBody}: processing, training, evaluation. */
  TASK,
  /** Decides between two branches on earlier outputs; records the branch and why. */
  CONDITION,
  /** Registers a model version (PendingManualApproval) with lineage to the execution. */
  REGISTER,
  /** Fails the execution with a message. */
  FAIL,
  /** Runs its body once per item of a list, in parallel; its outputs are lists. */
  MAP,
  /** Runs its body (which submits external work), then waits for a completion reported with a token. */
  CALLBACK
}
