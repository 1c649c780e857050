package dev.mlops.serving;

/**
 * Exercises a freshly loaded predictor before it takes traffic (JIT, caches, lazily opened
 * sessions); for blue/green this is also the health check. A warm-up that throws keeps the
 * version out of traffic, as a loader failure does.
 *
 * <p>Implementations must be thread-safe if shared between endpoints.
 *
 * @param <I> input type
 * @param <O> output type
 */
@FunctionalInterface
public interface WarmUp<I, O> {

  /**
   * @param predictor the new predictor, not yet serving
   * @throws Exception if it is not healthy
   */
  void warmUp(Predictor<I, O> predictor) throws Exception;
}
