package dev.mlops.pipeline.trigger;

/**
 * What became of one firing of a retrain trigger, as recorded in the trigger history.
 *
 * <p>Immutable and thread-safe.
 */
public enum TriggerOutcome {
  /** The trigger started an execution; the record carries its id. */
  FIRED,
  /** Suppressed: the trigger fired less than its cooldown after its last firing (in any process). */
  COOLDOWN,
  /** Suppressed: the pipeline already had its maximum number of running executions. */
  CONCURRENCY_CAP,
  /**
   * Suppressed: the same event (alarm window, scheduled instant, dataset digest) had already been
   * claimed, by another process or earlier, when this process looked.
   */
  DUPLICATE,
  /** Suppressed: this process and another tried to claim the same event at once and the other won. */
  LOST_RACE,
  /** The trigger claimed the event but starting the execution threw; the record carries the error. */
  FAILED;

  /** @return whether this outcome is a suppressed firing (neither fired nor failed) */
  public boolean suppressed() {
    return this != FIRED && this != FAILED;
  }
}
