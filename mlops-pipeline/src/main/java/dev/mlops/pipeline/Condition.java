package dev.mlops.pipeline;

import java.util.List;

/**
 * What a condition step decides on: earlier steps' outputs (and the registry, for gates that
 * compare with a deployed version). See {@link QualityGates} for the common gates.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Condition {
  /**
   * @param ctx the outputs the condition step reads, and the workspace
   * @return the decision and its reason
   * @throws Exception if it cannot decide; the condition step fails
   */
  Decision decide(ConditionContext ctx) throws Exception;

  /**
   * The outputs ({@code step.output}) this condition reads; the condition step declares them, so
   * they become its dependencies and are validated at build time.
   *
   * @return the references; empty by default
   */
  default List<String> reads() {
    return List.of();
  }

  /**
   * What a condition sees.
   *
   * <p>Thread-safe.
   */
  interface ConditionContext {
    /**
     * @param ref an output the condition step reads
     * @return its value
     * @throws IllegalArgumentException naming the reference if the step does not read it
     */
    OutputValue input(String ref);

    /**
     * @param name an execution parameter
     * @return its value
     * @throws IllegalArgumentException if there is none by that name
     */
    String parameter(String name);

    /** @return the workspace */
    dev.mlops.Workspace workspace();
  }
}
