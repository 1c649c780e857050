package dev.mlops.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.Approval;
import dev.mlops.ApprovalStatus;
import dev.mlops.ArtifactRef;
import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.Lineage;
import dev.mlops.ModelVersion;
import dev.mlops.RunId;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.core.internal.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A model's state: the fold of its log up to {@link #lastSeq}. Applying an entry returns a new
 * state; a state is never changed.
 *
 * <p>Immutable and thread-safe.
 */
record ModelState(String model, long lastSeq, String lastHash, List<ModelVersion> versions, Map<String, Integer> aliases) {

  ModelState {
    versions = List.copyOf(versions);
    aliases = Map.copyOf(aliases);
  }

  static ModelState empty(String model) {
    return new ModelState(model, 0, HashChainedLog.GENESIS, List.of(), Map.of());
  }

  boolean exists() {
    return lastSeq > 0;
  }

  Optional<ModelVersion> version(int v) {
    return v >= 1 && v <= versions.size() ? Optional.of(versions.get(v - 1)) : Optional.empty();
  }

  /** Entry types. */
  static final String REGISTER = "REGISTER_VERSION";
  static final String SET_ALIAS = "SET_ALIAS";
  static final String DELETE_ALIAS = "DELETE_ALIAS";
  static final String REVIEW = "REVIEW";
  static final String UPDATE = "UPDATE";
  /** One approval of several a policy requires; the version stays pending, the approver is added to a tag. */
  static final String APPROVAL_VOTE = "APPROVAL_VOTE";
  /** A command a governance rule refused; changes nothing. */
  static final String REFUSED = "REFUSED";
  /** Records that a checkpoint of the state after entry {@code checkpoint} was stored, with its digest. */
  static final String CHECKPOINT = "CHECKPOINT";

  /**
   * @param e the next entry
   * @return the state after it
   * @throws CorruptDataException naming the entry's key if it does not fit the state
   */
  ModelState apply(HashChainedLog.Entry e) {
    if (e.seq() != lastSeq + 1) {
      throw new CorruptDataException("log entry '" + e.key() + "' has seq " + e.seq() + " after " + lastSeq);
    }
    ObjectNode b = e.body();
    try {
      String type = text(b, "type");
      String actor = text(b, "actor");
      Instant at = Instant.parse(text(b, "at"));
      List<ModelVersion> vs = versions;
      Map<String, Integer> as = aliases;
      switch (type) {
        case REGISTER -> {
          int v = b.path("version").asInt(-1);
          if (v != versions.size() + 1) {
            throw new CorruptDataException("log entry '" + e.key() + "' registers version " + v
                + " but the next version is " + (versions.size() + 1));
          }
          Map<String, ArtifactRef> artifacts = new TreeMap<>();
          b.path("artifacts").fields().forEachRemaining(f -> artifacts.put(f.getKey(), artifactRef(f.getValue())));
          List<Digest> datasets = new ArrayList<>();
          b.path("datasets").forEach(d -> datasets.add(Digest.parse(d.asText())));
          Optional<RunId> run = b.hasNonNull("run") ? Optional.of(RunId.of(b.get("run").asText())) : Optional.empty();
          Optional<Integer> parent = b.hasNonNull("parent") ? Optional.of(b.get("parent").asInt()) : Optional.empty();
          Map<String, String> tags = new TreeMap<>();
          b.path("tags").fields().forEachRemaining(f -> tags.put(f.getKey(), f.getValue().asText()));
          vs = new ArrayList<>(versions);
          vs.add(new ModelVersion(model, v, ApprovalStatus.PENDING_MANUAL_APPROVAL, Optional.empty(), artifacts,
              new Lineage(run, datasets, parent), b.path("description").asText(""), tags, Set.of(), at, actor));
        }
        case SET_ALIAS -> {
          String alias = text(b, "alias");
          int v = b.path("version").asInt(-1);
          requireVersion(e, v);
          Map<String, Integer> m = new HashMap<>(aliases);
          Integer old = m.put(alias, v);
          as = m;
          vs = withAliases(versions, m, old == null ? -1 : old, v);
        }
        case DELETE_ALIAS -> {
          String alias = text(b, "alias");
          Map<String, Integer> m = new HashMap<>(aliases);
          Integer old = m.remove(alias);
          if (old == null) {
            throw new CorruptDataException("log entry '" + e.key() + "' deletes alias '" + alias + "' which does not exist");
          }
          as = m;
          vs = withAliases(versions, m, old, -1);
        }
        case REVIEW -> {
          int v = b.path("version").asInt(-1);
          requireVersion(e, v);
          ApprovalStatus decision = ApprovalStatus.valueOf(text(b, "decision"));
          ModelVersion mv = versions.get(v - 1);
          vs = replace(versions, v, new ModelVersion(model, v, decision,
              Optional.of(new Approval(decision, actor, b.path("comment").asText(""), at)), mv.artifacts(),
              mv.lineage(), mv.description(), mv.tags(), mv.aliases(), mv.createdAt(), mv.createdBy()));
        }
        case UPDATE -> {
          int v = b.path("version").asInt(-1);
          requireVersion(e, v);
          ModelVersion mv = versions.get(v - 1);
          Map<String, String> tags = new TreeMap<>(mv.tags());
          b.path("tags").fields().forEachRemaining(f -> {
            if (f.getValue().asText().isEmpty()) {
              tags.remove(f.getKey());
            } else {
              tags.put(f.getKey(), f.getValue().asText());
            }
          });
          String description = b.hasNonNull("description") ? b.get("description").asText() : mv.description();
          vs = replace(versions, v, new ModelVersion(model, v, mv.status(), mv.approval(), mv.artifacts(),
              mv.lineage(), description, tags, mv.aliases(), mv.createdAt(), mv.createdBy()));
        }
        case APPROVAL_VOTE -> {
          int v = b.path("version").asInt(-1);
          requireVersion(e, v);
          ModelVersion mv = versions.get(v - 1);
          Map<String, String> tags = new TreeMap<>(mv.tags());
          tags.put(CoreGovernance.VOTES_TAG, CoreGovernance.withVote(tags.get(CoreGovernance.VOTES_TAG), actor));
          vs = replace(versions, v, new ModelVersion(model, v, mv.status(), mv.approval(), mv.artifacts(),
              mv.lineage(), mv.description(), tags, mv.aliases(), mv.createdAt(), mv.createdBy()));
        }
        case REFUSED -> { }
        case CHECKPOINT -> {
          long of = b.path("checkpoint").asLong(-1);
          if (of < 1 || of > lastSeq) {
            throw new CorruptDataException("log entry '" + e.key() + "' records a checkpoint of entry " + of
                + " but the log has " + lastSeq + " entries before it");
          }
          Digest.parse(text(b, "digest"));
        }
        default -> throw new CorruptDataException("log entry '" + e.key() + "' has unknown type '" + type + "'");
      }
      return new ModelState(model, e.seq(), e.hash(), vs, as);
    } catch (CorruptDataException ex) {
      throw ex;
    } catch (RuntimeException ex) {
      throw new CorruptDataException("log entry '" + e.key() + "' cannot be applied: " + ex.getMessage(), ex);
    }
  }

  private void requireVersion(HashChainedLog.Entry e, int v) {
    if (v < 1 || v > versions.size()) {
      throw new CorruptDataException("log entry '" + e.key() + "' refers to version " + v
          + " but the model has " + versions.size());
    }
  }

  private static String text(JsonNode b, String field) {
    JsonNode n = b.get(field);
    if (n == null || !n.isTextual()) {
      throw new IllegalArgumentException("field '" + field + "' is missing or not text");
    }
    return n.asText();
  }

  private static ArtifactRef artifactRef(JsonNode n) {
    Map<String, String> meta = new LinkedHashMap<>();
    n.path("metadata").fields().forEachRemaining(f -> meta.put(f.getKey(), f.getValue().asText()));
    return new ArtifactRef(Digest.parse(n.path("digest").asText()), n.path("size").asLong(),
        n.path("mediaType").asText(ArtifactRef.DEFAULT_MEDIA_TYPE), meta);
  }

  static ObjectNode artifactNode(ArtifactRef ref) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("digest", ref.digest().toString());
    n.put("size", ref.size());
    n.put("mediaType", ref.mediaType());
    ObjectNode meta = n.putObject("metadata");
    new TreeMap<>(ref.metadata()).forEach(meta::put);
    return n;
  }

  private static List<ModelVersion> replace(List<ModelVersion> versions, int v, ModelVersion mv) {
    List<ModelVersion> out = new ArrayList<>(versions);
    out.set(v - 1, mv);
    return out;
  }

  /** Rebuilds the alias sets of the (at most two) versions an alias change touched. */
  private List<ModelVersion> withAliases(List<ModelVersion> versions, Map<String, Integer> aliases, int a, int b) {
    List<ModelVersion> out = new ArrayList<>(versions);
    for (int v : new int[] {a, b}) {
      if (v >= 1 && v <= out.size()) {
        Set<String> names = new HashSet<>();
        for (Iterator<Map.Entry<String, Integer>> it = aliases.entrySet().iterator(); it.hasNext(); ) {
          Map.Entry<String, Integer> en = it.next();
          if (en.getValue() == v) {
            names.add(en.getKey());
          }
        }
        ModelVersion mv = out.get(v - 1);
        out.set(v - 1, new ModelVersion(model, v, mv.status(), mv.approval(), mv.artifacts(), mv.lineage(),
            mv.description(), mv.tags(), names, mv.createdAt(), mv.createdBy()));
      }
    }
    return out;
  }
}
