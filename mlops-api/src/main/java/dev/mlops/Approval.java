package dev.mlops;

import java.time.Instant;
import java.util.Objects;

/**
 * A review decision on a model version.
 *
 * <p>Immutable and thread-safe.
 *
 * @param status {@link ApprovalStatus#APPROVED} or {@link ApprovalStatus#REJECTED}
 * @param actor who decided
 * @param comment why (may be empty)
 * @param at when
 */
public record Approval(ApprovalStatus status, String actor, String comment, Instant at) {
  /** Validates. */
  public Approval {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(comment, "comment");
    Objects.requireNonNull(at, "at");
    if (status == ApprovalStatus.PENDING_MANUAL_APPROVAL) {
      throw new IllegalArgumentException("an approval decides: APPROVED or REJECTED, not " + status);
    }
    if (actor.isBlank()) {
      throw new IllegalArgumentException("actor must not be blank");
    }
  }
}
