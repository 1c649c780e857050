package dev.mlops;

import java.security.PublicKey;
import java.util.List;
import java.util.Optional;

/**
 * The governance rules of a store: approval policies per model or global, the public keys trusted
 * for signed entries, and access-control grants. They live in one hash-chained log in the store
 * ({@code governance/log/}), so every change is an audited entry, and every workspace on the store
 * enforces them in its registry. Obtain with {@link ModelRegistry#policies()}.
 *
 * <p>Everything is opt-in: a store without policies, keys or grants behaves as one without
 * governance. Once a key is trusted, changes to these rules must be signed by a trusted key
 * (the workspace's {@link Principal} signs them); once a grant exists, every action needs one.
 * Changes made by another process take effect here within the workspace's refresh interval.
 *
 * <p>Thread-safe.
 */
public interface RegistryPolicies {

  /**
   * Stores the policy for a model, or for every model without its own ({@link ApprovalPolicy#GLOBAL}).
   *
   * @param scope a model name or {@code *}
   * @param policy the policy
   * @throws PolicyViolationException if the acting principal may not change policies
   */
  void setPolicy(String scope, ApprovalPolicy policy);

  /**
   * Removes the policy of a scope.
   *
   * @param scope a model name or {@code *}
   * @throws NotFoundException if the scope has no policy
   * @throws PolicyViolationException if the acting principal may not change policies
   */
  void removePolicy(String scope);

  /**
   * @param model a model name
   * @return the policy that applies to it: its own, else the global one, else empty
   */
  Optional<ApprovalPolicy> policy(String model);

  /**
   * Trusts a public key for entries signed by {@code owner}.
   *
   * @param owner the principal the key belongs to
   * @param key an Ed25519 public key
   * @throws PolicyViolationException if the acting principal may not change policies
   */
  void trustKey(String owner, PublicKey key);

  /**
   * Revokes a trusted key; signatures made before stay valid.
   *
   * @param keyId the key's id
   * @throws NotFoundException if no such key is trusted
   */
  void revokeKey(String keyId);

  /** @return every key ever trusted, revoked ones included, in the order they were added */
  List<TrustedKey> trustedKeys();

  /**
   * Adds a grant. The first grant switches access control on.
   *
   * @param grant who may do what on which model
   * @throws PolicyViolationException if the acting principal may not change policies
   */
  void grant(RoleGrant grant);

  /**
   * Removes a grant exactly as it was added.
   *
   * @param grant the grant
   * @throws NotFoundException if there is no such grant
   */
  void revoke(RoleGrant grant);

  /** @return the current grants */
  List<RoleGrant> grants();

  /**
   * Whether {@code principal} may do {@code action} on a version now, by the grants and the
   * model's policy: for {@link GovernedAction#REVIEW} the four-eyes rule and the required
   * evidence; for {@link GovernedAction#ALIAS} and {@link GovernedAction#DEPLOY} whether the
   * version must be Approved. Reads only; records nothing. Serving calls this before a deployment.
   *
   * @param model model name
   * @param version the version
   * @param action the action
   * @param principal who would act
   * @return the answer, naming every missing condition
   * @throws NotFoundException if the version does not exist
   */
  PolicyCheck check(String model, int version, GovernedAction action, String principal);

  /** @return the governance log (policy, key and grant changes, refusals), oldest first */
  List<AuditEntry> history();

  /**
   * Checks the governance log's chain and the signature of every signed entry, and that every
   * change made after the first trusted key is signed by a key trusted at the time.
   *
   * @return the report, naming the first bad entry
   */
  VerifyReport verify();
}
