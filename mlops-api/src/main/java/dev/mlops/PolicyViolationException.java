package dev.mlops;

import java.util.Objects;

/**
 * A registry command was refused by a governance rule: an approval policy (four-eyes, number of
 * approvals, required evidence, approved-only aliases, signatures) or an access-control grant.
 * The message names the policy and the condition that is missing; the refusal itself is recorded
 * in the audit log. Not retryable: satisfy the condition (attach the report, ask another
 * approver), then issue the command again.
 *
 * <p>Immutable and thread-safe.
 */
public final class PolicyViolationException extends MlopsException {
  private static final long serialVersionUID = 1L;

  /** @serial the policy or rule that refused */
  private final String policy;
  /** @serial the missing condition */
  private final String condition;

  /**
   * @param policy which policy or rule refused, e.g. {@code approval policy of fraud}
   * @param condition the missing condition, e.g. {@code four-eyes: approver alice registered the version}
   */
  public PolicyViolationException(String policy, String condition) {
    super("refused by " + Objects.requireNonNull(policy, "policy") + ": "
        + Objects.requireNonNull(condition, "condition"));
    this.policy = policy;
    this.condition = condition;
  }

  /** @return which policy or rule refused */
  public String policy() {
    return policy;
  }

  /** @return the condition that was not met */
  public String condition() {
    return condition;
  }
}
