package dev.mlops.pipeline.trigger;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * When a retrain trigger may start an execution: a cooldown after its last firing, a cap on the
 * pipeline's running executions, and the parameters it starts executions with. Start from
 * {@link #defaults()} (no cooldown, at most one running execution, no parameters).
 *
 * <p>Immutable and thread-safe.
 *
 * @param cooldown no firing of the trigger within this long after its last firing, across every
 *     process sharing the store; empty for none
 * @param maxConcurrent the trigger does not start an execution while the pipeline has this many
 *     running ({@link dev.mlops.pipeline.PipelineLauncher#runningExecutions()})
 * @param parameters parameters of every execution the trigger starts (the trigger adds its own,
 *     see {@link Triggers})
 */
public record TriggerPolicy(Optional<Duration> cooldown, int maxConcurrent, Map<String, String> parameters) {
  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if the cooldown is zero or negative, or maxConcurrent &lt; 1
   */
  public TriggerPolicy {
    Objects.requireNonNull(cooldown, "cooldown");
    cooldown.ifPresent(TriggerPolicy::requirePositive);
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("maxConcurrent must be at least 1, got " + maxConcurrent);
    }
    parameters = Map.copyOf(Objects.requireNonNull(parameters, "parameters"));
  }

  /** @return no cooldown, at most one running execution, no parameters */
  public static TriggerPolicy defaults() {
    return new TriggerPolicy(Optional.empty(), 1, Map.of());
  }

  /**
   * @param cooldown the cooldown, positive
   * @return this policy with that cooldown
   * @throws IllegalArgumentException if cooldown is zero or negative
   */
  public TriggerPolicy withCooldown(Duration cooldown) {
    return new TriggerPolicy(Optional.of(requirePositive(cooldown)), maxConcurrent, parameters);
  }

  /**
   * @param max at most this many running executions of the pipeline, at least 1
   * @return this policy with that cap
   * @throws IllegalArgumentException if max &lt; 1
   */
  public TriggerPolicy withMaxConcurrent(int max) {
    return new TriggerPolicy(cooldown, max, parameters);
  }

  /**
   * @param parameters execution parameters
   * @return this policy with those parameters
   */
  public TriggerPolicy withParameters(Map<String, String> parameters) {
    return new TriggerPolicy(cooldown, maxConcurrent, parameters);
  }

  private static Duration requirePositive(Duration cooldown) {
    Objects.requireNonNull(cooldown, "cooldown");
    if (cooldown.isZero() || cooldown.isNegative()) {
      throw new IllegalArgumentException("cooldown must be positive, got " + cooldown
          + " (leave it unset for no cooldown)");
    }
    return cooldown;
  }
}
