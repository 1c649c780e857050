package dev.mlops.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.AlreadyExistsException;
import dev.mlops.ApprovalPolicy;
import dev.mlops.ApprovalStatus;
import dev.mlops.AuditEntry;
import dev.mlops.ConflictException;
import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.GovernedAction;
import dev.mlops.ModelVersion;
import dev.mlops.Names;
import dev.mlops.NotFoundException;
import dev.mlops.PolicyCheck;
import dev.mlops.PolicyViolationException;
import dev.mlops.Principal;
import dev.mlops.RegistryPolicies;
import dev.mlops.RoleGrant;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.TrustedKey;
import dev.mlops.VerifyReport;
import dev.mlops.core.internal.EntrySignatures;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.core.internal.Json;
import java.io.IOException;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's governance rules and their enforcement: a hash-chained log at
 * {@code governance/log/} folded into {@link GovernanceState}, checked by the registry's commands
 * through small hooks ({@link #beforeRegister}, {@link #beforeReview}, {@link #beforeAlias},
 * {@link #beforeUpdate}), signing the entries this workspace's principal writes ({@link #signed})
 * and checking signatures on verify ({@link #checkSignatures}).
 *
 * <p>The folded rules are cached and re-read after the refresh interval, like the registry's
 * state; changes of the rules themselves always re-read the log first.
 *
 * <p>Thread-safe.
 */
final class CoreGovernance implements RegistryPolicies {
  private static final Logger LOG = LoggerFactory.getLogger(CoreGovernance.class);
  static final String LOG_PREFIX = "governance/log";
  /** Version tag holding the actors whose approvals were recorded before the last one needed (JSON array). */
  static final String VOTES_TAG = "mlops.approvals";
  /** Model-log entry types that are decisions: signed when a policy requires signatures. */
  static final Set<String> DECISIONS = Set.of(ModelState.REVIEW, ModelState.APPROVAL_VOTE, ModelState.SET_ALIAS,
      ModelState.DELETE_ALIAS);

  private final dev.mlops.spi.ObjectStore store;
  private final Clock clock;
  private final String actor;
  private final Optional<Principal> principal;
  private final long refreshNanos;
  private final Function<RunId, Optional<RunInfo>> runs;
  private final BiFunction<String, Integer, Optional<ModelVersion>> versions;
  private final HashChainedLog log;
  private volatile Cached cached = new Cached(GovernanceState.empty(), Long.MIN_VALUE);

  private record Cached(GovernanceState state, long loadedAt) {}

  CoreGovernance(dev.mlops.spi.ObjectStore store, Clock clock, String actor, Optional<Principal> principal, Duration refresh,
      Function<RunId, Optional<RunInfo>> runs, BiFunction<String, Integer, Optional<ModelVersion>> versions) {
    this.store = store;
    this.clock = clock;
    this.actor = actor;
    this.principal = principal;
    this.refreshNanos = refresh.toNanos();
    this.runs = runs;
    this.versions = versions;
    this.log = new HashChainedLog(store, LOG_PREFIX);
  }

  // ---------------------------------------------------------------- state

  /** @return the rules, at most one refresh interval old */
  GovernanceState state() {
    Cached c = cached;
    if (c.loadedAt != Long.MIN_VALUE && System.nanoTime() - c.loadedAt < refreshNanos) {
      return c.state;
    }
    return latest();
  }

  /** @return the rules as stored now */
  GovernanceState latest() {
    Cached c = cached;
    GovernanceState s = c.state;
    for (HashChainedLog.Entry e : log.readAfter(s.lastSeq(), s.lastHash())) {
      s = s.apply(e);
    }
    publish(s);
    return s;
  }

  private void publish(GovernanceState s) {
    synchronized (this) {
      if (s.lastSeq() >= cached.state.lastSeq()) {
        cached = new Cached(s, System.nanoTime());
      }
    }
  }

  // ---------------------------------------------------------------- RegistryPolicies

  @Override
  public void setPolicy(String scope, ApprovalPolicy policy) {
    requireScope(scope);
    Objects.requireNonNull(policy, "policy");
    change(GovernedAction.POLICY, scopeModel(scope), "set the policy of " + scope, s -> {
      ObjectNode b = entry(GovernanceState.SET_POLICY);
      b.put("scope", scope);
      b.set("policy", GovernanceState.policyNode(policy));
      return b;
    });
  }

  @Override
  public void removePolicy(String scope) {
    requireScope(scope);
    change(GovernedAction.POLICY, scopeModel(scope), "remove the policy of " + scope, s -> {
      if (!s.policies().containsKey(scope)) {
        throw new NotFoundException("scope '" + scope + "' has no policy; policies exist for "
            + new java.util.TreeSet<>(s.policies().keySet()));
      }
      ObjectNode b = entry(GovernanceState.REMOVE_POLICY);
      b.put("scope", scope);
      return b;
    });
  }

  @Override
  public Optional<ApprovalPolicy> policy(String model) {
    Objects.requireNonNull(model, "model");
    return state().policyOf(model).map(GovernanceState.ScopedPolicy::policy);
  }

  @Override
  public void trustKey(String owner, PublicKey key) {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(key, "key");
    if (owner.isBlank()) {
      throw new IllegalArgumentException("key owner must not be blank");
    }
    if (!key.getAlgorithm().equals("Ed25519") && !key.getAlgorithm().equals("EdDSA")) {
      throw new IllegalArgumentException("only Ed25519 keys can be trusted, got " + key.getAlgorithm());
    }
    change(GovernedAction.POLICY, RoleGrant.ALL_MODELS, "trust a key of " + owner, s -> {
      ObjectNode b = entry(GovernanceState.TRUST_KEY);
      b.put("keyId", Principal.keyId(key));
      b.put("owner", owner);
      b.put("publicKey", GovernanceState.encodeKey(key));
      return b;
    });
  }

  @Override
  public void revokeKey(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    change(GovernedAction.POLICY, RoleGrant.ALL_MODELS, "revoke key " + keyId, s -> {
      TrustedKey k = s.keys().get(keyId);
      if (k == null || k.revokedAt().isPresent()) {
        throw new NotFoundException("key " + keyId + " is not trusted; trusted: " + s.keys().keySet());
      }
      ObjectNode b = entry(GovernanceState.REVOKE_KEY);
      b.put("keyId", keyId);
      return b;
    });
  }

  @Override
  public List<TrustedKey> trustedKeys() {
    return List.copyOf(state().keys().values());
  }

  @Override
  public void grant(RoleGrant grant) {
    Objects.requireNonNull(grant, "grant");
    change(GovernedAction.POLICY, grant.model(), "grant " + grant, s -> {
      ObjectNode b = entry(GovernanceState.GRANT);
      GovernanceState.putGrant(b, grant);
      return b;
    });
  }

  @Override
  public void revoke(RoleGrant grant) {
    Objects.requireNonNull(grant, "grant");
    change(GovernedAction.POLICY, grant.model(), "revoke " + grant, s -> {
      if (!s.grants().contains(grant)) {
        throw new NotFoundException("no such grant: " + grant + "; grants: " + s.grants());
      }
      ObjectNode b = entry(GovernanceState.REVOKE_GRANT);
      GovernanceState.putGrant(b, grant);
      return b;
    });
  }

  @Override
  public List<RoleGrant> grants() {
    return state().grants();
  }

  @Override
  public PolicyCheck check(String model, int version, GovernedAction action, String who) {
    Names.requireValid("model name", model);
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(who, "principal");
    ModelVersion mv = versions.apply(model, version)
        .orElseThrow(() -> new NotFoundException("version " + model + "/" + version + " does not exist"));
    return evaluate(state(), model, Optional.of(mv), action, who, Optional.empty(), ApprovalStatus.APPROVED);
  }

  @Override
  public List<AuditEntry> history() {
    List<AuditEntry> out = new ArrayList<>();
    for (HashChainedLog.Entry e : log.readAfter(0, HashChainedLog.GENESIS)) {
      out.add(toAudit(e));
    }
    return out;
  }

  @Override
  public VerifyReport verify() {
    GovernanceState[] s = {GovernanceState.empty()};
    List<HashChainedLog.Entry> entries = new ArrayList<>();
    VerifyReport chain = log.verify(entries::add);
    if (!chain.ok()) {
      return chain;
    }
    long good = 0;
    for (HashChainedLog.Entry e : entries) {
      GovernanceState before = s[0];
      String type = e.body().path("type").asText();
      Optional<String> problem = Optional.empty();
      if (EntrySignatures.isSigned(e.body())) {
        problem = EntrySignatures.check(log.prefix(), e, signingKeys(before, e));
      } else if (before.signaturesRequiredForChanges() && !type.equals(GovernanceState.REFUSED)) {
        problem = Optional.of("unsigned " + type + " by " + e.body().path("actor").asText()
            + ": once a key is trusted, every change of the rules must be signed by a trusted key");
      }
      if (problem.isPresent()) {
        return new VerifyReport(good, Optional.of(e.key()), problem);
      }
      try {
        s[0] = before.apply(e);
      } catch (CorruptDataException ex) {
        return new VerifyReport(good, Optional.of(e.key()), Optional.of(ex.getMessage()));
      }
      good++;
    }
    return chain;
  }

  /**
   * The keys a governance entry's signature is checked against: those trusted before it, and for
   * the very first key of a store also the key it trusts (a self-signed bootstrap).
   */
  private static Map<String, TrustedKey> signingKeys(GovernanceState before, HashChainedLog.Entry e) {
    if (!before.keys().isEmpty() || !GovernanceState.TRUST_KEY.equals(e.body().path("type").asText())) {
      return before.keys();
    }
    try {
      return before.apply(e).keys();
    } catch (CorruptDataException ex) {
      return before.keys();
    }
  }

  // ---------------------------------------------------------------- hooks for the registry

  /** Refuses a registration the grants do not allow. */
  void beforeRegister(String model) {
    evaluate(state(), model, Optional.empty(), GovernedAction.REGISTER, actor, Optional.empty(), ApprovalStatus.APPROVED)
        .orThrow();
  }

  /** Refuses a tag change the grants do not allow, or one of the reserved votes tag. */
  void beforeUpdate(String model, Map<String, String> tags) {
    if (tags.containsKey(VOTES_TAG)) {
      throw new IllegalArgumentException("tag '" + VOTES_TAG + "' is reserved: the registry records approvals in it");
    }
    evaluate(state(), model, Optional.empty(), GovernedAction.REGISTER, actor, Optional.empty(), ApprovalStatus.APPROVED)
        .orThrow();
  }

  /**
   * Checks a review against the grants and the model's policy.
   *
   * @return true if the approval is recorded as one of several required ({@code APPROVAL_VOTE}),
   *     false if it decides the version
   * @throws PolicyViolationException naming the missing condition
   */
  boolean beforeReview(String model, ModelVersion mv, ApprovalStatus decision, String reviewer) {
    GovernanceState s = state();
    evaluate(s, model, Optional.of(mv), GovernedAction.REVIEW, reviewer, Optional.empty(), decision).orThrow();
    if (decision != ApprovalStatus.APPROVED) {
      return false;
    }
    int needed = s.policyOf(model).map(p -> p.policy().requiredApprovals()).orElse(1);
    return votes(mv).size() + 1 < needed;
  }

  /** Checks an alias change (target empty for a deletion) against the grants and the model's policy. */
  void beforeAlias(String model, String alias, Optional<ModelVersion> target) {
    evaluate(state(), model, target, GovernedAction.ALIAS, actor, Optional.of(alias), ApprovalStatus.APPROVED).orThrow();
  }

  /** @return {@code body}, signed if this workspace's principal has a key (checkpoints are not signed) */
  ObjectNode signed(String logPrefix, long seq, String prev, ObjectNode body) {
    if (principal.isEmpty() || principal.get().signingKey().isEmpty()
        || ModelState.CHECKPOINT.equals(body.path("type").asText())
        || !principal.get().name().equals(body.path("actor").asText())) {
      return body;
    }
    return EntrySignatures.sign(logPrefix, seq, prev, body, principal.get().signingKey().get());
  }

  /**
   * @return the key and problem of the first model-log entry that is badly signed, or unsigned
   *     although the model's policy required signed decisions when it was made
   */
  Optional<String[]> checkSignatures(String model, String logPrefix, List<HashChainedLog.Entry> entries) {
    GovernanceState s = latest();
    Optional<GovernanceState.ScopedPolicy> sp = s.policyOf(model).filter(p -> p.policy().requireSignatures());
    for (HashChainedLog.Entry e : entries) {
      String type = e.body().path("type").asText();
      if (ModelState.CHECKPOINT.equals(type)) {
        continue;
      }
      if (EntrySignatures.isSigned(e.body())) {
        Optional<String> problem = EntrySignatures.check(logPrefix, e, s.keys());
        if (problem.isPresent()) {
          return Optional.of(new String[] {e.key(), problem.get()});
        }
      } else if (sp.isPresent() && (DECISIONS.contains(type) || type.startsWith("DEPLOY"))) {
        Instant at = Instant.parse(e.body().path("at").asText());
        if (!at.isBefore(sp.get().since())) {
          return Optional.of(new String[] {e.key(), "unsigned " + type + " by " + e.body().path("actor").asText()
              + ": the approval policy of " + model + " requires signed decisions since " + sp.get().since()});
        }
      }
    }
    return Optional.empty();
  }

  /** Records a refusal in the governance log (for a model that has no log yet). Best effort. */
  void recordRefusal(String model, String action, PolicyViolationException v) {
    try {
      appendLoop(s -> refusalEntry(model, action, v));
    } catch (RuntimeException e) {
      LOG.warn("refusal of {} on {} not recorded: {}", action, model, e.toString());
    }
  }

  ObjectNode refusalEntry(String model, String action, PolicyViolationException v) {
    ObjectNode b = entry(GovernanceState.REFUSED);
    b.put("model", model);
    b.put("action", action);
    b.put("policy", v.policy());
    b.put("condition", v.condition());
    return b;
  }

  /** @return the actors whose approvals of {@code mv} were recorded as votes */
  static List<String> votes(ModelVersion mv) {
    String v = mv.tags().get(VOTES_TAG);
    if (v == null || v.isEmpty()) {
      return List.of();
    }
    try {
      JsonNode n = Json.MAPPER.readTree(v);
      List<String> out = new ArrayList<>();
      n.forEach(x -> out.add(x.asText()));
      return out;
    } catch (IOException e) {
      throw new CorruptDataException("version " + mv.ref() + " tag " + VOTES_TAG + " is not a JSON array: " + v, e);
    }
  }

  static String withVote(String votesTag, String voter) {
    ArrayNode a = Json.MAPPER.createArrayNode();
    if (votesTag != null && !votesTag.isEmpty()) {
      try {
        Json.MAPPER.readTree(votesTag).forEach(a::add);
      } catch (IOException e) {
        throw new IllegalArgumentException("tag " + VOTES_TAG + " is not a JSON array: " + votesTag, e);
      }
    }
    a.add(voter);
    return a.toString();
  }

  // ---------------------------------------------------------------- evaluation

  private PolicyCheck evaluate(GovernanceState s, String model, Optional<ModelVersion> mv, GovernedAction action,
      String who, Optional<String> alias, ApprovalStatus decision) {
    List<String> missing = new ArrayList<>();
    if (!s.grants().isEmpty() && s.grants().stream().noneMatch(g -> g.allows(who, model, action))) {
      missing.add("access: no grant lets " + who + " " + action + " on " + model);
    }
    if (action == GovernedAction.REVIEW && principal.isPresent() && !principal.get().name().equals(who)) {
      missing.add("identity: this workspace acts as principal " + principal.get().name() + ", not as " + who);
    }
    Optional<GovernanceState.ScopedPolicy> sp = s.policyOf(model);
    String name = sp.isEmpty() ? "access control of " + model
        : "approval policy " + (s.policies().containsKey(model) ? "of " + model : "'*' (global)");
    if (sp.isPresent() && mv.isPresent()) {
      ApprovalPolicy p = sp.get().policy();
      ModelVersion v = mv.get();
      switch (action) {
        case REVIEW -> {
          if (decision == ApprovalStatus.APPROVED) {
            approvalConditions(p, v, who, missing);
          }
        }
        case ALIAS -> {
          boolean required = alias.map(p::aliasRequiresApproval).orElse(!p.aliasesRequiringApproval().isEmpty());
          if (required && v.status() != ApprovalStatus.APPROVED) {
            missing.add("approval: alias " + alias.orElse("(any listed)") + " requires an Approved version; "
                + v.ref() + " is " + v.status());
          }
        }
        case DEPLOY -> {
          if (p.deploymentsRequireApproval() && v.status() != ApprovalStatus.APPROVED) {
            missing.add("approval: deployments require an Approved version; " + v.ref() + " is " + v.status());
          }
        }
        default -> { }
      }
    }
    if (sp.isPresent() && sp.get().policy().requireSignatures() && action != GovernedAction.REGISTER
        && who.equals(actor) && !principal.map(pr -> GovernanceState.isKeyOwner(s.keys(), pr)).orElse(false)) {
      missing.add("signatures: the policy requires decisions signed by a trusted key, and " + who
          + " has no trusted signing key in this workspace");
    }
    return new PolicyCheck(name, missing);
  }

  private void approvalConditions(ApprovalPolicy p, ModelVersion v, String who, List<String> missing) {
    if (p.fourEyes() && who.equals(v.createdBy())) {
      missing.add("four-eyes: " + who + " registered " + v.ref() + " and may not approve it; another reviewer must");
    }
    List<String> votes = votes(v);
    if (votes.contains(who)) {
      missing.add("distinct approvers: " + who + " already approved " + v.ref() + " (" + votes.size() + " of "
          + p.requiredApprovals() + " approvals so far, by " + votes + ")");
    }
    if (!p.metrics().isEmpty()) {
      Optional<RunInfo> run = v.lineage().trainingRun().flatMap(runs);
      if (run.isEmpty()) {
        missing.add("evidence: metrics " + p.metrics().stream().map(ApprovalPolicy.MetricRequirement::metric).toList()
            + " must be on the training run, but " + v.ref() + " names no training run in this store");
      } else {
        for (ApprovalPolicy.MetricRequirement m : p.metrics()) {
          Double value = run.get().latestMetrics().get(m.metric());
          if (value == null) {
            missing.add("evidence: metric " + m.metric() + " is not logged on training run " + run.get().id().value());
          } else if (!(value >= m.min() && value <= m.max())) {
            missing.add("evidence: metric " + m.metric() + " = " + value + " on run " + run.get().id().value()
                + " is outside [" + m.min() + ", " + m.max() + "]");
          }
        }
      }
    }
    for (ApprovalPolicy.AttachmentRequirement a : p.attachments()) {
      String link = v.tags().get(a.tag());
      boolean attached = link != null && !link.isEmpty() && isDigest(link);
      if (!attached) {
        missing.add("evidence: no document attached under tag " + a.tag());
      } else if (!a.passingVerdict().equals(v.tags().get(a.verdictTag()))) {
        missing.add("evidence: the document under " + a.tag() + " has verdict " + a.verdictTag() + "="
            + v.tags().getOrDefault(a.verdictTag(), "(none)") + ", not " + a.passingVerdict());
      }
    }
    p.requiredTags().forEach((k, val) -> {
      if (!val.equals(v.tags().get(k))) {
        missing.add("gate: tag " + k + " must be " + val + ", is " + v.tags().getOrDefault(k, "(absent)"));
      }
    });
  }

  private static boolean isDigest(String s) {
    try {
      Digest.parse(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- writing

  private static void requireScope(String scope) {
    Objects.requireNonNull(scope, "scope");
    if (!scope.equals(ApprovalPolicy.GLOBAL)) {
      Names.requireValid("policy scope (model name or *)", scope);
    }
  }

  private static String scopeModel(String scope) {
    return scope.equals(ApprovalPolicy.GLOBAL) ? RoleGrant.ALL_MODELS : scope;
  }

  private ObjectNode entry(String type) {
    ObjectNode b = Json.MAPPER.createObjectNode();
    b.put("type", type);
    b.put("actor", actor);
    b.put("at", clock.instant().toString());
    b.put("commit", UUID.randomUUID().toString());
    return b;
  }

  /** A change of the rules: access-checked and signature-checked against the latest rules, then appended. */
  private void change(GovernedAction action, String model, String what, Function<GovernanceState, ObjectNode> decide) {
    try {
      appendLoop(s -> {
        List<String> missing = new ArrayList<>();
        if (!s.grants().isEmpty() && s.grants().stream().noneMatch(g -> g.allows(actor, model, action))) {
          missing.add("access: no grant lets " + actor + " " + action + " on " + model);
        }
        if (s.signaturesRequiredForChanges() && !principal.map(p -> GovernanceState.isKeyOwner(s.keys(), p)).orElse(false)) {
          missing.add("signatures: keys are trusted in this store, so changes of the rules must be signed by a trusted"
              + " key; " + actor + " has none in this workspace");
        }
        new PolicyCheck("governance rules", missing).orThrow();
        return decide.apply(s);
      });
    } catch (PolicyViolationException v) {
      recordRefusal(model, what, v);
      throw v;
    }
  }

  private GovernanceState appendLoop(Function<GovernanceState, ObjectNode> decide) {
    GovernanceState s = latest();
    for (int attempt = 1; ; attempt++) {
      ObjectNode body = signed(log.prefix(), s.lastSeq() + 1, s.lastHash(), decide.apply(s));
      try {
        HashChainedLog.Entry e = log.append(s.lastSeq(), s.lastHash(), body);
        GovernanceState next = s.apply(e);
        publish(next);
        return next;
      } catch (AlreadyExistsException lost) {
        if (attempt >= 1000) {
          throw new ConflictException("gave up appending to " + LOG_PREFIX + " after " + attempt + " lost races");
        }
        s = latest();
      }
    }
  }

  static AuditEntry toAudit(HashChainedLog.Entry e) {
    Map<String, String> details = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = e.body().fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> f = it.next();
      switch (f.getKey()) {
        case "seq", "prev", "type", "actor", "at" -> { }
        default -> details.put(f.getKey(), f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString());
      }
    }
    return new AuditEntry(e.seq(), e.body().path("type").asText(), e.body().path("actor").asText(),
        Instant.parse(e.body().path("at").asText()), details, e.hash(), e.prev());
  }
}
