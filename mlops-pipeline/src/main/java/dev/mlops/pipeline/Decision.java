package dev.mlops.pipeline;

import java.util.Objects;

/**
 * The outcome of a condition or quality gate: which branch, and why (recorded in the execution log).
 *
 * @param passed whether the condition holds (the {@code ifTrue} branch runs)
 * @param reason a sentence naming the values compared
 *
 * <p>Immutable and thread-safe.
 */
public record Decision(boolean passed, String reason) {
  /** @throws NullPointerException if reason is null */
  public Decision {
    Objects.requireNonNull(reason, "reason");
  }
}
