package dev.mlops;

/**
 * Where a model version stands in its approval workflow. Every new version starts at
 * {@link #PENDING_MANUAL_APPROVAL}; it moves once, to {@link #APPROVED} or {@link #REJECTED}.
 */
public enum ApprovalStatus {
  /** Registered, not yet reviewed. */
  PENDING_MANUAL_APPROVAL,
  /** Reviewed and approved for use. */
  APPROVED,
  /** Reviewed and rejected; a rejected version cannot hold an alias. */
  REJECTED
}
