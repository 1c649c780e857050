package dev.mlops.pipeline;

/**
 * The work of a plain, map or callback step: reads inputs and parameters from the context and
 * records its declared outputs on it. A class implementing it (rather than a lambda) is its own
 * code identity for the step cache.
 *
 * <p>Implementations must be thread-safe when a step can run in several executions at once.
 */
@FunctionalInterface
public interface StepBody {
  /**
   * @param ctx the step's inputs, parameters, run and outputs
   * @throws Exception any failure; retried when the step's {@link RetryPolicy} says so
   */
  void run(StepContext ctx) throws Exception;
}
