package dev.mlops;

/**
 * A create-if-absent found the target already present: a storage key, a write-once run
 * parameter with a different value, an experiment name.
 *
 * <p>Immutable and thread-safe.
 */
public final class AlreadyExistsException extends MlopsException {
  private static final long serialVersionUID = 1L;

  /** @param message names the thing that already exists */
  public AlreadyExistsException(String message) {
    super(message);
  }
}
