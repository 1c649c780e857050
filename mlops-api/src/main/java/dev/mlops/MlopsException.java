package dev.mlops;

/**
 * Root of every exception mlops throws for a condition outside the caller's code (storage, data,
 * concurrency, configuration). Programming errors use the JDK's own types instead
 * ({@link IllegalArgumentException}, {@link NullPointerException}, {@link IllegalStateException}).
 *
 * <p>Immutable and thread-safe.
 */
public abstract class MlopsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected MlopsException(String message) {
    super(message);
  }

  protected MlopsException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Whether repeating the same operation later may succeed (a transient storage fault, a lost
   * race). Commands that are not idempotent are retried by mlops itself where that is safe.
   *
   * @return true if a retry may succeed
   */
  public boolean retryable() {
    return false;
  }
}
