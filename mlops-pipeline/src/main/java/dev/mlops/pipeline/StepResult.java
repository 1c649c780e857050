package dev.mlops.pipeline;

import dev.mlops.RunId;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One step's state in an execution.
 *
 * @param step the step name ({@code map[3]} for a map item)
 * @param status its status
 * @param outputs its recorded outputs by name
 * @param run the experiment run of the attempt that produced them (of the source execution for a cache hit)
 * @param cacheHit whether the outputs were served from the cache
 * @param cacheSource for a cache hit, the execution that produced them
 * @param reason why it failed, was skipped or branched; empty otherwise
 * @param failedAttempts attempts that failed before the last one
 *
 * <p>Immutable and thread-safe.
 */
public record StepResult(String step, StepStatus status, Map<String, OutputValue> outputs, Optional<RunId> run,
    boolean cacheHit, Optional<String> cacheSource, String reason, int failedAttempts) {
  /** @throws NullPointerException if a component is null */
  public StepResult {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(status, "status");
    outputs = Map.copyOf(outputs);
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(cacheSource, "cacheSource");
    Objects.requireNonNull(reason, "reason");
  }

  /**
   * @param name an output name
   * @return its value
   * @throws IllegalArgumentException naming the step and output if it has no such output
   */
  public OutputValue output(String name) {
    OutputValue v = outputs.get(name);
    if (v == null) {
      throw new IllegalArgumentException("step '" + step + "' has no output '" + name + "' (it has "
          + new java.util.TreeSet<>(outputs.keySet()) + ")");
    }
    return v;
  }
}
