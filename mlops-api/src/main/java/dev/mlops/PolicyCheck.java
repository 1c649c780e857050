package dev.mlops;

import java.util.List;
import java.util.Objects;

/**
 * The answer of {@link RegistryPolicies#check}: whether an action is allowed, and if not, which
 * rule refuses it and every condition that is missing.
 *
 * <p>Immutable and thread-safe.
 *
 * @param policy the rule consulted, e.g. {@code approval policy of fraud (model)}
 * @param missing the conditions not met; empty if allowed
 */
public record PolicyCheck(String policy, List<String> missing) {
  /** Validates and copies. */
  public PolicyCheck {
    Objects.requireNonNull(policy, "policy");
    missing = List.copyOf(missing);
  }

  /** @return whether the action is allowed */
  public boolean allowed() {
    return missing.isEmpty();
  }

  /**
   * @throws PolicyViolationException naming the policy and the missing conditions, if not allowed
   */
  public void orThrow() {
    if (!allowed()) {
      throw new PolicyViolationException(policy, String.join("; ", missing));
    }
  }
}
