package dev.mlops.serving;

import dev.mlops.ModelVersion;

/**
 * Builds the host's predictor for a registered version, typically by reading the version's
 * artifacts from the workspace. Called off the request path, on the endpoint's refresh thread.
 *
 * <p>Implementations must be thread-safe if the same loader serves several endpoints.
 *
 * @param <I> input type
 * @param <O> output type
 */
@FunctionalInterface
public interface PredictorLoader<I, O> {

  /**
   * @param version the version to load
   * @return a ready predictor
   * @throws Exception if it cannot be loaded; the endpoint keeps serving what it served and
   *     records the failure in {@link EndpointStatus#lastFailure()}
   */
  Predictor<I, O> load(ModelVersion version) throws Exception;
}
