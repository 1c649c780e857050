package dev.mlops.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.AlreadyExistsException;
import dev.mlops.CorruptDataException;
import dev.mlops.RunId;
import dev.mlops.VerifyReport;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.core.internal.Json;
import dev.mlops.spi.ObjectStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * One execution's log, {@code pipelines/<pipeline>/executions/<id>/log/<seq>.json}, a
 * {@link HashChainedLog}, and its state folded in memory. Appends are conditional: the writer
 * re-reads and re-checks its precondition on the folded state before each try, so of two
 * processes racing for a claim or a result exactly one records it. Format: docs/pipelines.md.
 *
 * <p>Thread-safe (synchronized).
 */
final class ExecutionLog {
  static final int FORMAT = 1;

  private final HashChainedLog log;
  private final String pipeline;
  private final String id;
  private State state;

  ExecutionLog(ObjectStore store, String pipeline, String id) {
    this.pipeline = pipeline;
    this.id = id;
    this.log = new HashChainedLog(store, prefix(pipeline, id));
    this.state = new State();
  }

  static String prefix(String pipeline, String id) {
    return "pipelines/" + pipeline + "/executions/" + id + "/log";
  }

  String id() {
    return id;
  }

  String pipeline() {
    return pipeline;
  }

  HashChainedLog chain() {
    return log;
  }

  /** Reads entries appended since the last read. @return the folded state */
  synchronized State refresh() {
    for (HashChainedLog.Entry e : log.readAfter(state.seq, state.hash)) {
      state.apply(e);
    }
    return state;
  }

  synchronized State state() {
    return state;
  }

  /**
   * Appends {@code body} if {@code precondition} holds on the state folded up to the newest entry.
   *
   * @return whether it was appended (false: the precondition no longer holds)
   */
  synchronized boolean append(ObjectNode body, Predicate<State> precondition) {
    // Optimistic: append after the state as folded; if another writer got there first, the
    // create fails and the entries are read before the precondition is checked again.
    while (true) {
      if (!precondition.test(state)) {
        refresh();
        if (!precondition.test(state)) {
          return false;
        }
      }
      try {
        HashChainedLog.Entry e = log.append(state.seq, state.hash, body.deepCopy());
        state.apply(new HashChainedLog.Entry(e.seq(), e.key(), e.body(), e.hash(), e.prev()));
        return true;
      } catch (AlreadyExistsException raced) {
        refresh(); // another process appended first: re-read and re-check
      }
    }
  }

  /** Creates entry 1. @throws AlreadyExistsException if the execution id is taken */
  synchronized void create(ObjectNode started) {
    HashChainedLog.Entry e = log.append(0, HashChainedLog.GENESIS, started);
    state.apply(e);
  }

  /**
   * Checks the chain and that no step reached a final status twice.
   *
   * @return the report
   */
  VerifyReport verify() {
    State check = new State();
    String[] broken = new String[2];
    VerifyReport chain = log.verify(e -> {
      if (broken[0] != null) {
        return;
      }
      try {
        String problem = check.violation(e);
        if (problem != null) {
          broken[0] = e.key();
          broken[1] = problem;
          return;
        }
        check.apply(e);
      } catch (CorruptDataException c) {
        broken[0] = e.key();
        broken[1] = c.getMessage();
      }
    });
    if (broken[0] != null) {
      return chain.broken(broken[0], broken[1]);
    }
    if (chain.ok() && chain.entriesChecked() == 0) {
      return chain.broken(log.keyOf(1), "missing: the execution has no log");
    }
    return chain;
  }

  /** A step's folded state. Not thread-safe; read under the log's lock or from a snapshot copy. */
  static final class StepState {
    StepStatus status = StepStatus.PENDING;
    String claim = "";
    String owner = "";
    long leaseUntil;
    int failedAttempts;
    String run = "";
    Map<String, OutputValue> outputs = Map.of();
    boolean cacheHit;
    String cacheSource = "";
    String reason = "";
    ObjectNode callback;

    StepResult toResult(String name) {
      return new StepResult(name, status, outputs, run.isEmpty() ? Optional.empty() : Optional.of(RunId.of(run)),
          cacheHit, cacheHit ? Optional.of(cacheSource) : Optional.empty(), reason, failedAttempts);
    }
  }

  /** The fold of an execution log. Mutated only by the owning {@link ExecutionLog}. */
  static final class State {
    long seq;
    String hash = HashChainedLog.GENESIS;
    String pipeline = "";
    String fingerprint = "";
    Map<String, String> parameters = Map.of();
    String cause = "";
    long startedAt;
    final Map<String, StepState> steps = new HashMap<>();
    final Map<String, List<String>> items = new HashMap<>();
    ExecutionStatus status = ExecutionStatus.RUNNING;
    String finishReason = "";
    String lastKey = "";

    boolean started() {
      return seq > 0;
    }

    boolean finished() {
      return status != ExecutionStatus.RUNNING;
    }

    StepState step(String key) {
      return steps.computeIfAbsent(key, k -> new StepState());
    }

    Optional<StepState> find(String key) {
      return Optional.ofNullable(steps.get(key));
    }

    ExecutionResult toResult(String id) {
      Map<String, StepResult> out = new TreeMap<>();
      steps.forEach((k, v) -> out.put(k, v.toResult(k)));
      return new ExecutionResult(id, pipeline, status, finishReason, parameters, cause, out);
    }

    /** @return what is wrong with applying {@code e} (for verify), or null */
    String violation(HashChainedLog.Entry e) {
      ObjectNode b = e.body();
      String type = text(e, "type");
      if (e.seq() == 1 && !type.equals("started")) {
        return "the first entry is '" + type + "', not 'started'";
      }
      if (e.seq() > 1 && type.equals("started")) {
        return "a second 'started' entry";
      }
      if (finished() && !type.equals("callback")) {
        return "entry '" + type + "' after the execution finished";
      }
      switch (type) {
        case "succeeded", "failed", "skipped" -> {
          StepState s = steps.get(text(e, "step"));
          if (s != null && s.status.terminal()) {
            return "step '" + text(e, "step") + "' " + type + " after it had already " + s.status;
          }
          if (!b.path("claim").asText("").isEmpty() && (s == null || !s.claim.equals(b.path("claim").asText()))) {
            return "step '" + text(e, "step") + "' " + type + " under claim " + b.path("claim").asText()
                + " that does not hold it";
          }
        }
        default -> { }
      }
      return null;
    }

    void apply(HashChainedLog.Entry e) {
      ObjectNode b = e.body();
      if (b.path("v").asInt(0) != FORMAT) {
        throw new CorruptDataException("pipeline log entry '" + e.key() + "' has format version "
            + b.path("v").asText("(none)") + ", expected " + FORMAT);
      }
      String type = text(e, "type");
      seq = e.seq();
      hash = e.hash();
      lastKey = e.key();
      if (type.equals("started")) {
        pipeline = text(e, "pipeline");
        fingerprint = text(e, "fingerprint");
        cause = text(e, "cause");
        startedAt = b.path("at").asLong();
        Map<String, String> p = new LinkedHashMap<>();
        JsonNode params = b.path("parameters");
        if (!params.isObject()) {
          throw new CorruptDataException("pipeline log entry '" + e.key() + "' has no parameters object");
        }
        params.fields().forEachRemaining(f -> p.put(f.getKey(), f.getValue().asText()));
        parameters = Map.copyOf(p);
        return;
      }
      if (type.equals("finished")) {
        if (!finished()) {
          status = ExecutionStatus.valueOf(text(e, "status"));
          finishReason = b.path("reason").asText("");
        }
        return;
      }
      if (finished()) {
        return;
      }
      String key = text(e, "step");
      StepState s = step(key);
      String claim = b.path("claim").asText("");
      switch (type) {
        case "claimed" -> claim(s, b);
        case "renewed" -> {
          if (s.claim.equals(claim) && s.status == StepStatus.RUNNING) {
            s.leaseUntil = b.path("leaseUntil").asLong();
          }
        }
        case "attempt" -> {
          if (s.claim.equals(claim)) {
            s.failedAttempts++;
            s.reason = b.path("error").asText("");
          }
        }
        case "waiting" -> {
          if (s.claim.equals(claim) && s.status == StepStatus.RUNNING) {
            s.status = StepStatus.WAITING;
            s.run = b.path("run").asText("");
          }
        }
        case "callback" -> {
          if (s.claim.equals(claim) && s.callback == null) {
            s.callback = b;
          }
        }
        case "expanded" -> {
          List<String> list = new ArrayList<>();
          b.path("items").forEach(n -> list.add(n.asText()));
          items.putIfAbsent(key, List.copyOf(list));
        }
        case "succeeded", "failed", "skipped" -> {
          if (s.status.terminal() || (!claim.isEmpty() && !s.claim.equals(claim))) {
            return;
          }
          s.status = type.equals("succeeded") ? StepStatus.SUCCEEDED
              : type.equals("failed") ? StepStatus.FAILED : StepStatus.SKIPPED;
          s.reason = b.path("reason").asText(b.path("error").asText(""));
          if (b.has("run")) {
            s.run = b.path("run").asText("");
          }
          s.cacheHit = b.path("cacheHit").asBoolean(false);
          s.cacheSource = b.path("cacheSource").asText("");
          s.outputs = readOutputs(e.key(), b.path("outputs"));
          for (ObjectNode c : claimsOf(e)) {
            claim(step(text(e.key(), c, "step")), c);
          }
        }
        default -> throw new CorruptDataException("pipeline log entry '" + e.key() + "' has unknown type '" + type + "'");
      }
    }
  }

  /** Applies a claim: a {@code claimed} entry, or one of the {@code claims} of a {@code succeeded} entry. */
  private static void claim(StepState s, JsonNode b) {
    if (s.status.terminal()) {
      return;
    }
    s.status = StepStatus.RUNNING;
    s.claim = b.path("claim").asText("");
    s.owner = b.path("owner").asText("");
    s.leaseUntil = b.path("leaseUntil").asLong();
    s.callback = null;
  }

  /**
   * The claims a {@code succeeded} entry carries on the steps its success made ready (absent: none).
   *
   * @throws CorruptDataException naming the entry if {@code claims} is not an array of objects
   *     each with a text {@code step} and {@code claim}
   */
  static List<ObjectNode> claimsOf(HashChainedLog.Entry e) {
    JsonNode n = e.body().get("claims");
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw new CorruptDataException("pipeline log entry '" + e.key() + "': claims is not an array");
    }
    List<ObjectNode> out = new ArrayList<>();
    for (JsonNode c : n) {
      if (!c.isObject()) {
        throw new CorruptDataException("pipeline log entry '" + e.key() + "': a claim is not an object");
      }
      text(e.key(), c, "step");
      text(e.key(), c, "claim");
      out.add((ObjectNode) c);
    }
    return out;
  }

  private static String text(String key, JsonNode b, String field) {
    JsonNode n = b.get(field);
    if (n == null || !n.isTextual() || n.asText().isEmpty()) {
      throw new CorruptDataException("pipeline log entry '" + key + "' has a claim without text field '" + field + "'");
    }
    return n.asText();
  }

  static Map<String, OutputValue> readOutputs(String key, JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw new CorruptDataException("pipeline entry '" + key + "': outputs is not an object");
    }
    Map<String, OutputValue> out = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> f = it.next();
      try {
        out.put(f.getKey(), new OutputValue(OutputKind.valueOf(f.getValue().path("kind").asText()),
            f.getValue().path("value").asText()));
      } catch (IllegalArgumentException bad) {
        throw new CorruptDataException("pipeline entry '" + key + "': output '" + f.getKey() + "' is invalid: "
            + bad.getMessage(), bad);
      }
    }
    return out;
  }

  static ObjectNode writeOutputs(Map<String, OutputValue> outputs) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    new TreeMap<>(outputs).forEach((k, v) -> {
      ObjectNode n = o.putObject(k);
      n.put("kind", v.kind().name());
      n.put("value", v.value());
    });
    return o;
  }

  static String text(HashChainedLog.Entry e, String field) {
    JsonNode n = e.body().get(field);
    if (n == null || !n.isTextual()) {
      throw new CorruptDataException("pipeline log entry '" + e.key() + "' lacks text field '" + field + "'");
    }
    return n.asText();
  }

  static ObjectNode entry(String type) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("v", FORMAT);
    o.put("type", type);
    return o;
  }
}
