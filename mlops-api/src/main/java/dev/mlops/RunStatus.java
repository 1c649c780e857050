package dev.mlops;

/** Lifecycle of a run: RUNNING, then exactly one terminal state. */
public enum RunStatus {
  /** Started, not ended. */
  RUNNING,
  /** Ended normally. */
  FINISHED,
  /** Ended with an error. */
  FAILED,
  /** Stopped from outside. */
  KILLED;

  /** @return whether this is an end state */
  public boolean terminal() {
    return this != RUNNING;
  }
}
