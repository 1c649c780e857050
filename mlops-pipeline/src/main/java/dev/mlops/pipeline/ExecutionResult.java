package dev.mlops.pipeline;

import java.util.Map;
import java.util.Objects;

/**
 * An execution's state: its status and every step's result (map items included).
 *
 * @param executionId the id
 * @param pipeline the pipeline name
 * @param status the execution status
 * @param reason why it failed; empty otherwise
 * @param parameters the parameters it started with
 * @param cause why it started
 * @param steps each step's result by step name (map items as {@code map[i]})
 *
 * <p>Immutable and thread-safe.
 */
public record ExecutionResult(String executionId, String pipeline, ExecutionStatus status, String reason,
    Map<String, String> parameters, String cause, Map<String, StepResult> steps) {
  /** @throws NullPointerException if a component is null */
  public ExecutionResult {
    Objects.requireNonNull(executionId, "executionId");
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
    parameters = Map.copyOf(parameters);
    Objects.requireNonNull(cause, "cause");
    steps = Map.copyOf(steps);
  }

  /**
   * @param name a step name
   * @return its result
   * @throws IllegalArgumentException naming the step if the execution has no such step
   */
  public StepResult step(String name) {
    StepResult r = steps.get(name);
    if (r == null) {
      throw new IllegalArgumentException("execution " + executionId + " has no step '" + name + "'");
    }
    return r;
  }
}
