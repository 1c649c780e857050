package dev.mlops;

/**
 * Stored data failed a check: a digest mismatch, a broken hash chain, malformed JSON, an
 * object outside the store's root. The message names the key or digest concerned.
 *
 * <p>Immutable and thread-safe.
 */
public final class CorruptDataException extends MlopsException {
  private static final long serialVersionUID = 1L;

  /** @param message names the damaged key or digest and what is wrong with it */
  public CorruptDataException(String message) {
    super(message);
  }

  /**
   * @param message names the damaged key or digest and what is wrong with it
   * @param cause the parse or I/O error that revealed it
   */
  public CorruptDataException(String message, Throwable cause) {
    super(message, cause);
  }
}
