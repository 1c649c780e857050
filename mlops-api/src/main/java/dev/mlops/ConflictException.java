package dev.mlops;

/**
 * A precondition of a command no longer holds: an alias moved since it was read, a version was
 * already approved, a run has already ended. Re-read the state and decide again.
 *
 * <p>Immutable and thread-safe.
 */
public final class ConflictException extends MlopsException {
  private static final long serialVersionUID = 1L;

  /** @param message names the precondition that failed and the state found */
  public ConflictException(String message) {
    super(message);
  }
}
