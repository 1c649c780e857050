package dev.mlops.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.CorruptDataException;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.core.internal.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The fold of one alias's deployment log ({@code serving/<model>/aliases/<alias>/log}): its
 * records and the active deployment. Entry format 1; every field is checked on read and a bad
 * one is a {@link CorruptDataException} naming the entry's key.
 *
 * <p>Not thread-safe; its owner synchronizes.
 */
final class DeploymentFold {
  static final int FORMAT = 1;
  static final String START = "START";
  static final String STEP = "STEP";
  static final String COMPLETE = "COMPLETE";
  static final String ALARM = "ALARM";
  static final String ABORT = "ABORT";
  static final String ROLLBACK = "ROLLBACK";

  final String model;
  final String alias;
  long lastSeq;
  String lastHash = HashChainedLog.GENESIS;
  Optional<ActiveDeployment> active = Optional.empty();
  final List<DeploymentRecord> records = new ArrayList<>();

  DeploymentFold(String model, String alias) {
    this.model = model;
    this.alias = alias;
  }

  static String logPrefix(String model, String alias) {
    return "serving/" + model + "/aliases/" + alias + "/log";
  }

  static String indexPrefix(String model) {
    return "serving/" + model + "/index/";
  }

  /** Encodes a plan into a START entry body (without the common fields). */
  static void writePlan(ObjectNode b, DeploymentPlan plan) {
    b.put("strategy", plan.strategy().name());
    ArrayNode vs = b.putArray("variants");
    for (DeploymentPlan.Variant v : plan.variants()) {
      ObjectNode n = vs.addObject();
      n.put("version", v.version());
      n.put("weight", v.weight());
    }
    b.put("percent", plan.percent());
    b.put("steps", plan.steps());
    b.put("bakeMillis", plan.bake().toMillis());
    plan.unapprovedOverride().ifPresent(r -> b.put("unapprovedOverride", r));
  }

  /** Applies one entry; returns its record. */
  DeploymentRecord apply(HashChainedLog.Entry e) {
    ObjectNode b = e.body();
    if (b.path("format").asInt(-1) != FORMAT) {
      throw new CorruptDataException("deployment log entry '" + e.key() + "' has format " + b.path("format")
          + "; this version reads format " + FORMAT);
    }
    String type = text(e, "type");
    String id = b.path("id").asText("");
    Instant at = ModelFold.instant(e, b);
    Map<String, String> details = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = b.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      switch (f.getKey()) {
        case "seq", "prev", "type", "actor", "at", "id", "format", "commit", "variants" -> { }
        default -> details.put(f.getKey(), f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString());
      }
    }
    switch (type) {
      case START -> {
        DeploymentPlan plan = readPlan(e);
        StringBuilder vs = new StringBuilder();
        plan.variants().forEach(v -> vs.append(vs.length() == 0 ? "" : ",").append(v.version()).append(':').append(v.weight()));
        details.put("versions", vs.toString());
        Optional<Integer> baseline = b.path("baseline").canConvertToInt()
            ? Optional.of(b.get("baseline").asInt()) : Optional.empty();
        active = Optional.of(new ActiveDeployment(id, alias, plan, baseline, 0, at, at));
      }
      case STEP -> {
        int step = ModelFold.intField(e, "step");
        active = active.filter(a -> a.id().equals(id))
            .map(a -> new ActiveDeployment(a.id(), a.alias(), a.plan(), a.baseline(), step, a.startedAt(), at))
            .or(() -> active);
      }
      case COMPLETE, ALARM, ABORT -> {
        if (active.isPresent() && active.get().id().equals(id)) {
          active = Optional.empty();
        }
      }
      case ROLLBACK -> active = Optional.empty();
      default -> throw new CorruptDataException("deployment log entry '" + e.key() + "' has unknown type '" + type + "'");
    }
    lastSeq = e.seq();
    lastHash = e.hash();
    DeploymentRecord r = new DeploymentRecord(e.seq(), type, id, b.path("actor").asText(""), at, details);
    records.add(r);
    return r;
  }

  private static DeploymentPlan readPlan(HashChainedLog.Entry e) {
    ObjectNode b = e.body();
    try {
      Strategy s = Strategy.valueOf(text(e, "strategy"));
      List<DeploymentPlan.Variant> vs = new ArrayList<>();
      if (!(b.get("variants") instanceof ArrayNode arr)) {
        throw new CorruptDataException("deployment log entry '" + e.key() + "' lacks variants");
      }
      for (JsonNode n : arr) {
        if (!n.path("version").canConvertToInt() || !n.path("weight").isNumber()) {
          throw new CorruptDataException("deployment log entry '" + e.key() + "' has a bad variant: " + n);
        }
        vs.add(new DeploymentPlan.Variant(n.get("version").asInt(), n.get("weight").asDouble()));
      }
      if (!b.path("percent").isNumber() || !b.path("bakeMillis").canConvertToLong()) {
        throw new CorruptDataException("deployment log entry '" + e.key() + "' lacks percent or bakeMillis");
      }
      Optional<String> override = b.path("unapprovedOverride").isTextual()
          ? Optional.of(b.get("unapprovedOverride").asText()) : Optional.empty();
      return new DeploymentPlan(s, vs, b.get("percent").asDouble(), ModelFold.intField(e, "steps"),
          Duration.ofMillis(b.get("bakeMillis").asLong()), override);
    } catch (IllegalArgumentException bad) {
      throw new CorruptDataException("deployment log entry '" + e.key() + "' has a bad plan: " + bad.getMessage());
    }
  }

  private static String text(HashChainedLog.Entry e, String field) {
    JsonNode n = e.body().path(field);
    if (!n.isTextual()) {
      throw new CorruptDataException("deployment log entry '" + e.key() + "' lacks the text field '" + field + "'");
    }
    return n.asText();
  }

  static ObjectNode body(String type, String id, String actor, Instant at) {
    ObjectNode b = Json.MAPPER.createObjectNode();
    b.put("format", FORMAT);
    b.put("type", type);
    b.put("id", id);
    b.put("actor", actor);
    b.put("at", at.toString());
    return b;
  }
}
