package dev.mlops.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.ApprovalPolicy;
import dev.mlops.CorruptDataException;
import dev.mlops.GovernedAction;
import dev.mlops.Principal;
import dev.mlops.RoleGrant;
import dev.mlops.TrustedKey;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.core.internal.Json;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The fold of the governance log ({@code governance/log/}): policies by scope (with when each was
 * set), trusted keys by id, grants. Applying an entry returns a new state.
 *
 * <p>Immutable and thread-safe.
 */
record GovernanceState(long lastSeq, String lastHash, Map<String, ScopedPolicy> policies,
    Map<String, TrustedKey> keys, List<RoleGrant> grants) {

  static final String SET_POLICY = "SET_POLICY";
  static final String REMOVE_POLICY = "REMOVE_POLICY";
  static final String TRUST_KEY = "TRUST_KEY";
  static final String REVOKE_KEY = "REVOKE_KEY";
  static final String GRANT = "GRANT";
  static final String REVOKE_GRANT = "REVOKE_GRANT";
  /** A refused command, recorded; changes nothing. */
  static final String REFUSED = "REFUSED";

  /** A policy and since when it applies. */
  record ScopedPolicy(ApprovalPolicy policy, Instant since) {}

  GovernanceState {
    policies = Map.copyOf(policies);
    keys = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(keys));
    grants = List.copyOf(grants);
  }

  static GovernanceState empty() {
    return new GovernanceState(0, HashChainedLog.GENESIS, Map.of(), Map.of(), List.of());
  }

  Optional<ScopedPolicy> policyOf(String model) {
    ScopedPolicy p = policies.get(model);
    return Optional.ofNullable(p != null ? p : policies.get(ApprovalPolicy.GLOBAL));
  }

  /** @return whether changes to the rules must be signed: some key has been trusted */
  boolean signaturesRequiredForChanges() {
    return !keys.isEmpty();
  }

  GovernanceState apply(HashChainedLog.Entry e) {
    if (e.seq() != lastSeq + 1) {
      throw new CorruptDataException("governance log entry '" + e.key() + "' has seq " + e.seq() + " after " + lastSeq);
    }
    ObjectNode b = e.body();
    try {
      String type = b.path("type").asText();
      Instant at = Instant.parse(b.path("at").asText());
      Map<String, ScopedPolicy> ps = policies;
      Map<String, TrustedKey> ks = keys;
      List<RoleGrant> gs = grants;
      switch (type) {
        case SET_POLICY -> {
          ps = new HashMap<>(policies);
          ps.put(text(b, "scope"), new ScopedPolicy(policyFrom(b.get("policy")), at));
        }
        case REMOVE_POLICY -> {
          ps = new HashMap<>(policies);
          if (ps.remove(text(b, "scope")) == null) {
            throw new IllegalArgumentException("removes the policy of " + text(b, "scope") + ", which has none");
          }
        }
        case TRUST_KEY -> {
          PublicKey key = KeyFactory.getInstance("Ed25519")
              .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(text(b, "publicKey"))));
          TrustedKey tk = new TrustedKey(text(b, "keyId"), text(b, "owner"), key, at, Optional.empty());
          ks = new LinkedHashMap<>(keys);
          ks.put(tk.id(), tk);
        }
        case REVOKE_KEY -> {
          TrustedKey tk = keys.get(text(b, "keyId"));
          if (tk == null) {
            throw new IllegalArgumentException("revokes key " + text(b, "keyId") + ", which is not trusted");
          }
          ks = new LinkedHashMap<>(keys);
          ks.put(tk.id(), new TrustedKey(tk.id(), tk.owner(), tk.key(), tk.trustedAt(), Optional.of(at)));
        }
        case GRANT -> {
          RoleGrant g = grantFrom(b);
          gs = new ArrayList<>(grants);
          if (!gs.contains(g)) {
            gs.add(g);
          }
        }
        case REVOKE_GRANT -> {
          gs = new ArrayList<>(grants);
          if (!gs.remove(grantFrom(b))) {
            throw new IllegalArgumentException("revokes a grant that does not exist");
          }
        }
        case REFUSED -> { }
        default -> throw new IllegalArgumentException("unknown type '" + type + "'");
      }
      return new GovernanceState(e.seq(), e.hash(), ps, ks, gs);
    } catch (CorruptDataException ex) {
      throw ex;
    } catch (Exception ex) {
      throw new CorruptDataException("governance log entry '" + e.key() + "' cannot be applied: " + ex.getMessage(), ex);
    }
  }

  private static String text(JsonNode b, String field) {
    JsonNode n = b.get(field);
    if (n == null || !n.isTextual()) {
      throw new IllegalArgumentException("field '" + field + "' is missing or not text");
    }
    return n.asText();
  }

  static void putGrant(ObjectNode b, RoleGrant g) {
    b.put("principal", g.principal());
    b.put("model", g.model());
    ArrayNode a = b.putArray("actions");
    new TreeSet<>(g.actions()).forEach(x -> a.add(x.name()));
  }

  private static RoleGrant grantFrom(JsonNode b) {
    Set<GovernedAction> actions = EnumSet.noneOf(GovernedAction.class);
    b.path("actions").forEach(a -> actions.add(GovernedAction.valueOf(a.asText())));
    return new RoleGrant(text(b, "principal"), text(b, "model"), actions);
  }

  /** Policy format 1, written field by field so a reader of this version can check every one. */
  static ObjectNode policyNode(ApprovalPolicy p) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("format", 1);
    n.put("fourEyes", p.fourEyes());
    n.put("requiredApprovals", p.requiredApprovals());
    ArrayNode ms = n.putArray("metrics");
    p.metrics().forEach(m -> ms.addObject().put("metric", m.metric()).put("min", Double.toString(m.min()))
        .put("max", Double.toString(m.max())));
    ArrayNode as = n.putArray("attachments");
    p.attachments().forEach(a -> as.addObject().put("tag", a.tag()).put("verdictTag", a.verdictTag())
        .put("passingVerdict", a.passingVerdict()));
    ObjectNode tags = n.putObject("requiredTags");
    new TreeMap<>(p.requiredTags()).forEach(tags::put);
    ArrayNode al = n.putArray("aliasesRequiringApproval");
    new TreeSet<>(p.aliasesRequiringApproval()).forEach(al::add);
    n.put("deploymentsRequireApproval", p.deploymentsRequireApproval());
    n.put("requireSignatures", p.requireSignatures());
    return n;
  }

  static ApprovalPolicy policyFrom(JsonNode n) {
    if (n == null || n.path("format").asInt(-1) != 1) {
      throw new IllegalArgumentException("policy format " + (n == null ? "missing" : n.path("format").toString())
          + " is not supported (this version reads 1)");
    }
    ApprovalPolicy.Builder b = ApprovalPolicy.builder()
        .fourEyes(bool(n, "fourEyes"))
        .requiredApprovals(n.path("requiredApprovals").asInt(-1))
        .deploymentsRequireApproval(bool(n, "deploymentsRequireApproval"))
        .requireSignatures(bool(n, "requireSignatures"));
    n.path("metrics").forEach(m -> b.requireMetric(text(m, "metric"), Double.parseDouble(text(m, "min")),
        Double.parseDouble(text(m, "max"))));
    n.path("attachments").forEach(a -> b.requireAttachment(text(a, "tag"), text(a, "verdictTag"),
        text(a, "passingVerdict")));
    n.path("requiredTags").fields().forEachRemaining(f -> b.requireTag(f.getKey(), f.getValue().asText()));
    Set<String> aliases = new TreeSet<>();
    n.path("aliasesRequiringApproval").forEach(a -> aliases.add(a.asText()));
    return b.aliasesRequiringApproval(aliases).build();
  }

  private static boolean bool(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isBoolean()) {
      throw new IllegalArgumentException("policy field '" + field + "' is missing or not true/false");
    }
    return v.asBoolean();
  }

  static String encodeKey(PublicKey key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  static boolean isKeyOwner(Map<String, TrustedKey> keys, Principal p) {
    return p.keyId().map(keys::get).filter(k -> k.owner().equals(p.name()) && k.revokedAt().isEmpty()).isPresent();
  }
}
