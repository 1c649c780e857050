package dev.mlops.serving;

/**
 * The host's own model, as loaded for one version: an ONNX Runtime session, a booster, a client of
 * a model server, a hand-written scorer. mlops never looks inside; it routes requests to it and
 * closes it once no request uses it any more.
 *
 * <p>Implementations must be thread-safe: an {@link Endpoint} calls {@link #predict} from every
 * request thread at once.
 *
 * @param <I> input type
 * @param <O> output type
 */
@FunctionalInterface
public interface Predictor<I, O> {

  /**
   * Scores one input.
   *
   * @param input the input
   * @return the output
   * @throws Exception any failure; the endpoint counts it against this version and rethrows it
   *     wrapped in a {@link PredictionException}
   */
  O predict(I input) throws Exception;

  /**
   * Releases what the predictor holds. Called exactly once, after the last request that used it
   * has finished. The default does nothing.
   *
   * @throws Exception a failure, which the endpoint logs
   */
  default void close() throws Exception {
  }
}
