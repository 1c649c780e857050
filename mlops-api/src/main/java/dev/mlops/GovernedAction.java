package dev.mlops;

/**
 * What a principal may be granted to do on a model ({@link RoleGrant}) and what
 * {@link RegistryPolicies#check} is asked about.
 */
public enum GovernedAction {
  /** Register versions and change their tags or description. */
  REGISTER,
  /** Approve or reject versions. */
  REVIEW,
  /** Set, move or delete aliases. */
  ALIAS,
  /** Deploy a version (checked by serving through {@link RegistryPolicies#check}). */
  DEPLOY,
  /** Change approval policies, trusted keys and grants. */
  POLICY
}
