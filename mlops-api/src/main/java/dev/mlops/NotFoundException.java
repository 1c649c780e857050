package dev.mlops;

/**
 * A thing that was asked for by name, id or digest does not exist.
 *
 * <p>Immutable and thread-safe.
 */
public final class NotFoundException extends MlopsException {
  private static final long serialVersionUID = 1L;

  /** @param message names what was looked for and where */
  public NotFoundException(String message) {
    super(message);
  }
}
