package dev.mlops;

/**
 * The storage backend failed: an I/O error, a refused or timed-out request, a throttled store.
 * {@link #retryable()} says whether the same call may succeed later.
 *
 * <p>Immutable and thread-safe.
 */
public class StorageException extends MlopsException {
  private static final long serialVersionUID = 1L;
  private final boolean retryable;

  /**
   * @param message what failed, naming the key or location
   * @param cause the underlying error, may be null
   * @param retryable whether the same call may succeed later
   */
  public StorageException(String message, Throwable cause, boolean retryable) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** @param message what failed, naming the key or location; not retryable */
  public StorageException(String message) {
    this(message, null, false);
  }

  @Override
  public boolean retryable() {
    return retryable;
  }
}
