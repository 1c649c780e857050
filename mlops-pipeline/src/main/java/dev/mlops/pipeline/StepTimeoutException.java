package dev.mlops.pipeline;

import java.time.Duration;

/**
 * Recorded as the failure of a step attempt that ran longer than its timeout (the attempt was
 * cancelled). Retried when a {@link RetryPolicy} lists this type.
 *
 * <p>Immutable and thread-safe.
 */
public final class StepTimeoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param step the step
   * @param timeout its timeout
   */
  public StepTimeoutException(String step, Duration timeout) {
    super("step '" + step + "' timed out after " + timeout + " and was cancelled");
  }
}
