package dev.mlops.explain;

import dev.mlops.MlopsException;

/**
 * The model function under explanation threw, or returned NaN or an infinite value; the message
 * names the input it was called with. No partial explanation is returned.
 *
 * <p>Immutable and thread-safe.
 */
public final class ModelFunctionException extends MlopsException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the input
   * @param cause the model's own exception, or null when the model returned a non-finite value
   */
  public ModelFunctionException(String message, Throwable cause) {
    super(message, cause);
  }
}
