package dev.mlops;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An approval-gated model registry. Each model's history is one append-only, hash-chained log:
 * the log is both the state and the audit trail. Versions are allocated by the log, so
 * concurrent registrations from many threads or processes get distinct, gap-free numbers.
 *
 * <p>Names (models, aliases, tag keys) follow {@link Names}; a bad name is an
 * {@link IllegalArgumentException} naming it, and nothing is stored.
 *
 * <p>Reads ({@link #find}, {@link #resolve}) are served from an in-memory fold of the log that
 * this workspace updates on its own writes and refreshes from storage in the background; a change
 * made by another process becomes visible within the workspace's refresh interval. Commands
 * always check their preconditions against the latest stored state.
 *
 * <p>Thread-safe.
 */
public interface ModelRegistry {

  /**
   * Registers a new version; it starts as {@link ApprovalStatus#PENDING_MANUAL_APPROVAL}.
   *
   * @param model model name (created on first registration)
   * @param registration artifacts, lineage, description and tags
   * @return the new version
   * @throws IllegalArgumentException if the model name is invalid
   * @throws NotFoundException if the lineage's parent version does not exist
   */
  ModelVersion register(String model, Registration registration);

  /**
   * Looks up a version by reference: {@code name/3}, {@code name@alias} or {@code name@latest}.
   *
   * @param ref the reference
   * @return the version, or empty if the model, version or alias does not exist
   * @throws IllegalArgumentException if ref is malformed
   */
  Optional<ModelVersion> find(String ref);

  /**
   * @param model model name
   * @return every version, oldest first; empty if the model does not exist
   */
  List<ModelVersion> versions(String model);

  /** @return every model name, sorted */
  List<String> models();

  /**
   * Points an alias at a version, if the condition holds at commit time.
   *
   * @param model model name
   * @param alias alias name; {@code latest} is reserved
   * @param version target version
   * @param condition what the alias must be now
   * @throws NotFoundException if the version does not exist
   * @throws ConflictException if the condition does not hold, or the version is rejected
   */
  void setAlias(String model, String alias, int version, AliasCondition condition);

  /**
   * Removes an alias, if the condition holds at commit time.
   *
   * @param model model name
   * @param alias alias name
   * @param condition what the alias must be now
   * @throws NotFoundException if the alias does not exist
   * @throws ConflictException if the condition does not hold
   */
  void deleteAlias(String model, String alias, AliasCondition condition);

  /**
   * Records a review decision. A version is decided once.
   *
   * @param model model name
   * @param version the version
   * @param decision {@link ApprovalStatus#APPROVED} or {@link ApprovalStatus#REJECTED}
   * @param actor who decides
   * @param comment why
   * @return the version after the decision
   * @throws NotFoundException if the version does not exist
   * @throws ConflictException if it was already decided, or it is rejected while an alias points at it
   */
  ModelVersion review(String model, int version, ApprovalStatus decision, String actor, String comment);

  /**
   * Sets (or, with an empty optional, removes) a tag on a version, and optionally its description.
   *
   * @param model model name
   * @param version the version
   * @param tags tags to set; a tag mapped to the empty string is removed
   * @param description new description, if present
   * @return the version after the change
   * @throws NotFoundException if the version does not exist
   */
  ModelVersion update(String model, int version, Map<String, String> tags, Optional<String> description);

  /**
   * @param model model name
   * @return the model's whole log, oldest first; empty if the model does not exist
   */
  List<AuditEntry> history(String model);

  /**
   * @return this process's cache counters (hits, loads, staleness), for monitoring; implementations
   *     without a cache return {@link RegistryCacheStats#NONE}
   */
  default RegistryCacheStats cacheStats() {
    return RegistryCacheStats.NONE;
  }

  /**
   * Reads the model's whole log from storage and checks every entry's hash, its number and the
   * chain; every stored checkpoint against the fold of the entries it summarises and against the
   * digest the log recorded for it; and the model's index marker. Cannot detect, on its own, that
   * the newest entries were deleted or consistently rewritten: see {@link #verify(String, LogAnchor)}.
   *
   * @param model model name
   * @return the report, naming the first broken or missing object; on a clean report
   *     {@link VerifyReport#head()} is the newest entry, to keep as an anchor
   */
  VerifyReport verify(String model);

  /**
   * {@link #verify(String)}, and also checks that the log still holds the entry an earlier clean
   * report named as its {@link VerifyReport#head() head}, unchanged. The chain alone cannot show
   * that the newest entries were removed or consistently rewritten; an anchor kept outside the
   * store (a ticket, a release record) can.
   *
   * @param model the model name
   * @param anchor an earlier report's head, kept outside the store
   * @return the report; broken at the anchor's entry if it is missing or different
   */
  VerifyReport verify(String model, LogAnchor anchor);

  /**
   * The store's governance rules (approval policies, trusted keys, grants), enforced by this
   * registry.
   *
   * @return the policies
   * @throws UnsupportedOperationException if this registry does not enforce policies
   */
  default RegistryPolicies policies() {
    throw new UnsupportedOperationException(getClass().getName() + " does not enforce governance policies");
  }

  /**
   * @param ref {@code name/3}, {@code name@alias} or {@code name@latest}
   * @return the version
   * @throws NotFoundException naming the reference if it does not resolve
   */
  default ModelVersion resolve(String ref) {
    return find(ref).orElseThrow(() -> new NotFoundException("model reference '" + ref + "' does not resolve"));
  }

  /** Points an alias at a version, unconditionally. @see #setAlias(String, String, int, AliasCondition) */
  default void setAlias(String model, String alias, int version) {
    setAlias(model, alias, version, AliasCondition.any());
  }

  /**
   * Moves an alias only if it still points at {@code expected}.
   *
   * @throws ConflictException if it points elsewhere or is absent
   */
  default void moveAlias(String model, String alias, int expected, int version) {
    setAlias(model, alias, version, AliasCondition.pointsAt(expected));
  }

  /** Removes an alias unconditionally. */
  default void deleteAlias(String model, String alias) {
    deleteAlias(model, alias, AliasCondition.any());
  }

  /** Approves a version. @see #review */
  default ModelVersion approve(String model, int version, String actor, String comment) {
    return review(model, version, ApprovalStatus.APPROVED, actor, comment);
  }

  /** Rejects a version. @see #review */
  default ModelVersion reject(String model, int version, String actor, String comment) {
    return review(model, version, ApprovalStatus.REJECTED, actor, comment);
  }

  /**
   * @param model model name
   * @param version version
   * @return the version
   * @throws NotFoundException if absent
   */
  default ModelVersion get(String model, int version) {
    return resolve(model + "/" + version);
  }

  /**
   * Searches versions of all models.
   *
   * @param query filters
   * @return matching versions, by model name then version
   */
  default List<ModelVersion> search(ModelQuery query) {
    return models().stream()
        .filter(m -> query.modelPrefix().map(m::startsWith).orElse(true))
        .flatMap(m -> versions(m).stream())
        .filter(query::matches)
        .toList();
  }
}
