package dev.mlops.serving;

import dev.mlops.MlopsException;

/**
 * A request failed: the predictor threw, or it did not answer within the endpoint's request
 * timeout ({@link #timedOut()}). Counted against the version that served it.
 *
 * <p>Immutable and thread-safe.
 */
public final class PredictionException extends MlopsException {
  private static final long serialVersionUID = 1L;
  private final int version;
  private final boolean timedOut;

  PredictionException(String message, int version, boolean timedOut, Throwable cause) {
    super(message, cause);
    this.version = version;
    this.timedOut = timedOut;
  }

  /** @return the version that was asked */
  public int version() {
    return version;
  }

  /** @return whether the request timed out (the predictor hung or was too slow) */
  public boolean timedOut() {
    return timedOut;
  }
}
