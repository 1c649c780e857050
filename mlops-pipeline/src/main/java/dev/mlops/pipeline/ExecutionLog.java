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
  /**
   * The format of a {@code started} entry that claims the execution's first steps (field
   * {@code claims}, as a {@code succeeded} entry's): 2, so that a version that reads only format
   * 1 refuses the log instead of taking those steps for pending.
   */
  static final int FORMAT_FIRST_CLAIMS = 2;

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
   * Checks the steps folded since the last call against {@code pipeline}: every step an entry
   * names is one of its steps (or an item {@code name[i]} of a map step, within its items), items
   * are fixed only for map steps, and a committed result has exactly the outputs the step declares,
   * of the declared kinds. The log itself cannot know the pipeline; its reader can.
   *
   * @param pipeline the pipeline the execution runs
   * @throws CorruptDataException naming the first entry that does not fit
   */
  synchronized void check(Pipeline pipeline) {
    for (String key : List.copyOf(state.unchecked)) {
      String by = state.expandedBy.get(key);
      if (by != null && state.items.containsKey(key)) {
        Step s = pipeline.step(key);
        if (s == null || s.kind() != StepKind.MAP) {
          throw new CorruptDataException("pipeline log entry '" + by + "' fixes items of step '" + key
              + "', which is not a map step of " + pipeline);
        }
      }
      StepState st = state.steps.get(key);
      if (st != null) {
        checkStep(pipeline, key, st);
      }
      state.unchecked.remove(key);
    }
  }

  private void checkStep(Pipeline pipeline, String key, StepState st) {
    int bracket = key.indexOf('[');
    Step step;
    boolean item = bracket >= 0;
    if (!item) {
      step = pipeline.step(key);
      if (step == null) {
        throw new CorruptDataException("pipeline log entry '" + st.namedBy + "' names step '" + key + "', which "
            + pipeline + " does not have");
      }
    } else {
      step = pipeline.step(key.substring(0, bracket));
      String index = key.substring(bracket + 1, key.length() - (key.endsWith("]") ? 1 : 0));
      List<String> items = state.items.get(key.substring(0, bracket));
      if (step == null || step.kind() != StepKind.MAP || !key.endsWith("]") || !index.matches("0|[1-9][0-9]{0,8}")
          || items == null || Integer.parseInt(index) >= items.size()) {
        throw new CorruptDataException("pipeline log entry '" + st.namedBy + "' names step '" + key
            + "', which is not an item of a map step of " + pipeline + (items == null ? "" : " (" + items.size() + " items)"));
      }
    }
    if (st.status != StepStatus.SUCCEEDED) {
      return;
    }
    Map<String, OutputKind> expected = new TreeMap<>();
    switch (step.kind()) {
      case CONDITION -> {
        expected.put("branch", OutputKind.PARAMETER);
        expected.put("reason", OutputKind.PARAMETER);
      }
      case REGISTER -> expected.put("version", OutputKind.PARAMETER);
      case FAIL -> throw new CorruptDataException("pipeline log entry '" + st.committedBy + "' records a success of fail step '"
          + key + "'");
      case MAP -> step.outputs().keySet().forEach(o -> expected.put(o, item ? step.outputs().get(o) : OutputKind.LIST));
      default -> expected.putAll(step.outputs());
    }
    Map<String, OutputKind> actual = new TreeMap<>();
    st.outputs.forEach((k, v) -> actual.put(k, v.kind()));
    if (!actual.equals(expected)) {
      throw new CorruptDataException("pipeline log entry '" + st.committedBy + "' commits outputs " + actual + " of step '"
          + key + "', which declares " + expected);
    }
    if (step.kind() == StepKind.CONDITION && !st.outputs.get("branch").value().matches("true|false")) {
      throw new CorruptDataException("pipeline log entry '" + st.committedBy + "' commits branch '"
          + st.outputs.get("branch").value() + "' of condition '" + key + "', not true or false");
    }
  }

  /**
   * Checks the chain and that no step reached a final status twice.
   *
   * @param neverStarted asked only when the log has no entry at all: whether that is a start cut
   *     off before the log's first entry (then the report is clean), not a missing log
   * @return the report
   */
  VerifyReport verify(java.util.function.BooleanSupplier neverStarted) {
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
      if (neverStarted.getAsBoolean()) {
        return chain;
      }
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
    /** The entry that first named this step, and the one that committed its result (for error messages). */
    String namedBy = "";
    String committedBy = "";

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
    /** Steps (and map steps' items) folded since the last {@link ExecutionLog#check}. */
    final java.util.Set<String> unchecked = new java.util.LinkedHashSet<>();
    final Map<String, String> expandedBy = new HashMap<>();

    boolean started() {
      return seq > 0;
    }

    boolean finished() {
      return status != ExecutionStatus.RUNNING;
    }

    StepState step(String key) {
      return steps.computeIfAbsent(key, k -> new StepState());
    }

    /** The step {@code key} as named by entry {@code entryKey}: remembered for {@link ExecutionLog#check}. */
    private StepState step(String key, String entryKey) {
      StepState s = steps.get(key);
      if (s == null) {
        s = new StepState();
        s.namedBy = entryKey;
        steps.put(key, s);
      }
      unchecked.add(key);
      return s;
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
      JsonNode v = b.get("v");
      String type = text(e, "type");
      boolean firstClaims = type.equals("started") && v != null && v.isIntegralNumber() && v.asLong() == FORMAT_FIRST_CLAIMS;
      if (!firstClaims && (v == null || !v.isIntegralNumber() || v.asLong() != FORMAT)) {
        throw new CorruptDataException("pipeline log entry '" + e.key() + "' has format version "
            + (v == null ? "(none)" : v.toString()) + ", expected " + FORMAT
            + (type.equals("started") ? " or " + FORMAT_FIRST_CLAIMS : ""));
      }
      if (type.equals("started")) {
        String p = text(e, "pipeline");
        String f = text(e, "fingerprint");
        String c = text(e, "cause");
        long at = number(e, b, "at");
        text(e, "owner");
        Map<String, String> params = new LinkedHashMap<>();
        JsonNode ps = b.get("parameters");
        if (ps == null || !ps.isObject()) {
          throw new CorruptDataException("pipeline log entry '" + e.key() + "' has no parameters object");
        }
        Iterator<Map.Entry<String, JsonNode>> it = ps.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> pe = it.next();
          if (!pe.getValue().isTextual()) {
            throw new CorruptDataException("pipeline log entry '" + e.key() + "': parameter '" + pe.getKey()
                + "' is " + pe.getValue().getNodeType() + ", not text");
          }
          params.put(pe.getKey(), pe.getValue().asText());
        }
        List<Claim> claims = new ArrayList<>();
        for (ObjectNode cn : claimsOf(e)) {
          claims.add(claimOf(e.key(), cn));
        }
        if (!claims.isEmpty() && !firstClaims) {
          throw new CorruptDataException("pipeline log entry '" + e.key() + "' claims steps in format " + v
              + "; a started entry with claims has format " + FORMAT_FIRST_CLAIMS);
        }
        seq = e.seq();
        hash = e.hash();
        lastKey = e.key();
        pipeline = p;
        fingerprint = f;
        cause = c;
        startedAt = at;
        parameters = Map.copyOf(params);
        for (Claim first : claims) {
          claim(step(first.step(), e.key()), first);
        }
        return;
      }
      if (type.equals("finished")) {
        String st = text(e, "status");
        if (!st.equals(ExecutionStatus.SUCCEEDED.name()) && !st.equals(ExecutionStatus.FAILED.name())) {
          throw new CorruptDataException("pipeline log entry '" + e.key() + "' finishes with status '" + st
              + "', not SUCCEEDED or FAILED");
        }
        String reason = optText(e, b, "reason");
        number(e, b, "at");
        seq = e.seq();
        hash = e.hash();
        lastKey = e.key();
        if (!finished()) {
          status = ExecutionStatus.valueOf(st);
          finishReason = reason;
        }
        return;
      }
      String key = text(e, "step");
      if (key.isEmpty()) {
        throw new CorruptDataException("pipeline log entry '" + e.key() + "' has an empty step name");
      }
      String claim = optText(e, b, "claim");
      // Read and check every field of the entry before any of it is applied.
      Runnable change = switch (type) {
        case "claimed" -> {
          Claim c = claimOf(e.key(), b);
          optText(e, b, "takeover");
          yield () -> claim(step(key, e.key()), c);
        }
        case "renewed" -> {
          long lease = number(e, b, "leaseUntil");
          yield () -> {
            StepState s = step(key, e.key());
            if (s.claim.equals(claim) && s.status == StepStatus.RUNNING) {
              s.leaseUntil = lease;
            }
          };
        }
        case "attempt" -> {
          String error = optText(e, b, "error");
          yield () -> {
            StepState s = step(key, e.key());
            if (s.claim.equals(claim)) {
              s.failedAttempts++;
              s.reason = error;
            }
          };
        }
        case "waiting" -> {
          String run = optText(e, b, "run");
          yield () -> {
            StepState s = step(key, e.key());
            if (s.claim.equals(claim) && s.status == StepStatus.RUNNING) {
              s.status = StepStatus.WAITING;
              s.run = run;
            }
          };
        }
        case "callback" -> {
          JsonNode ok = b.get("ok");
          if (ok == null || !ok.isBoolean()) {
            throw new CorruptDataException("pipeline log entry '" + e.key() + "' lacks boolean field 'ok'");
          }
          optText(e, b, "message");
          yield () -> {
            StepState s = step(key, e.key());
            if (s.claim.equals(claim) && s.callback == null) {
              s.callback = b;
            }
          };
        }
        case "expanded" -> {
          JsonNode array = b.get("items");
          if (array == null || !array.isArray()) {
            throw new CorruptDataException("pipeline log entry '" + e.key() + "': items is not an array");
          }
          List<String> list = new ArrayList<>();
          for (JsonNode n : array) {
            if (!n.isTextual()) {
              throw new CorruptDataException("pipeline log entry '" + e.key() + "': item " + list.size() + " is "
                  + n.getNodeType() + ", not text");
            }
            list.add(n.asText());
          }
          yield () -> {
            if (items.putIfAbsent(key, List.copyOf(list)) == null) {
              expandedBy.put(key, e.key());
              unchecked.add(key);
            }
          };
        }
        case "succeeded", "failed", "skipped" -> {
          String reason = optText(e, b, "reason");
          String error = optText(e, b, "error");
          String run = optText(e, b, "run");
          boolean hit = optBoolean(e, b, "cacheHit");
          String source = optText(e, b, "cacheSource");
          Map<String, OutputValue> outs = readOutputs(e.key(), b.path("outputs"));
          List<Claim> claims = new ArrayList<>();
          for (ObjectNode c : claimsOf(e)) {
            claims.add(claimOf(e.key(), c));
          }
          yield () -> {
            StepState s = step(key, e.key());
            if (s.status.terminal() || (!claim.isEmpty() && !s.claim.equals(claim))) {
              return;
            }
            s.status = type.equals("succeeded") ? StepStatus.SUCCEEDED
                : type.equals("failed") ? StepStatus.FAILED : StepStatus.SKIPPED;
            s.reason = reason.isEmpty() ? error : reason;
            if (b.has("run")) {
              s.run = run;
            }
            s.cacheHit = hit;
            s.cacheSource = source;
            s.outputs = outs;
            s.committedBy = e.key();
            for (Claim c : claims) {
              claim(step(c.step(), e.key()), c);
            }
          };
        }
        default -> throw new CorruptDataException("pipeline log entry '" + e.key() + "' has unknown type '" + type + "'");
      };
      seq = e.seq();
      hash = e.hash();
      lastKey = e.key();
      if (!finished()) {
        change.run();
      }
    }
  }

  /** A claim as read from a {@code claimed} entry or one of a {@code succeeded} entry's {@code claims}. */
  private record Claim(String step, String claim, String owner, long leaseUntil) { }

  private static Claim claimOf(String key, JsonNode b) {
    String step = text(key, b, "step");
    String claim = text(key, b, "claim");
    JsonNode owner = b.get("owner");
    if (owner != null && !owner.isNull() && !owner.isTextual()) {
      throw new CorruptDataException("pipeline log entry '" + key + "' has a claim whose owner is not text");
    }
    return new Claim(step, claim, owner == null ? "" : owner.asText(""), number(key, b, "leaseUntil"));
  }

  /** Applies a claim: a {@code claimed} entry, or one of the {@code claims} of a {@code succeeded} entry. */
  private static void claim(StepState s, Claim c) {
    if (s.status.terminal()) {
      return;
    }
    s.status = StepStatus.RUNNING;
    s.claim = c.claim();
    s.owner = c.owner();
    s.leaseUntil = c.leaseUntil();
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

  /** @return the text field, "" if absent or null @throws CorruptDataException naming the entry if it is not text */
  static String optText(HashChainedLog.Entry e, JsonNode b, String field) {
    JsonNode n = b.get(field);
    if (n == null || n.isNull()) {
      return "";
    }
    if (!n.isTextual()) {
      throw new CorruptDataException("pipeline log entry '" + e.key() + "': field '" + field + "' is "
          + n.getNodeType() + ", not text");
    }
    return n.asText();
  }

  /** @return the boolean field, false if absent @throws CorruptDataException naming the entry if it is not a boolean */
  static boolean optBoolean(HashChainedLog.Entry e, JsonNode b, String field) {
    JsonNode n = b.get(field);
    if (n == null || n.isNull()) {
      return false;
    }
    if (!n.isBoolean()) {
      throw new CorruptDataException("pipeline log entry '" + e.key() + "': field '" + field + "' is "
          + n.getNodeType() + ", not a boolean");
    }
    return n.asBoolean();
  }

  static long number(HashChainedLog.Entry e, JsonNode b, String field) {
    return number(e.key(), b, field);
  }

  /** @return the whole-number field @throws CorruptDataException naming the entry if it is absent, not integral or out of range */
  static long number(String key, JsonNode b, String field) {
    JsonNode n = b.get(field);
    if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
      throw new CorruptDataException("pipeline log entry '" + key + "': field '" + field + "' is "
          + (n == null ? "missing" : n.toString()) + ", not a whole number of at most 19 digits");
    }
    return n.asLong();
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
      JsonNode kind = f.getValue().get("kind");
      JsonNode value = f.getValue().get("value");
      if (kind == null || !kind.isTextual() || value == null || !value.isTextual()) {
        throw new CorruptDataException("pipeline entry '" + key + "': output '" + f.getKey()
            + "' is not an object with text fields 'kind' and 'value'");
      }
      try {
        out.put(f.getKey(), new OutputValue(OutputKind.valueOf(kind.asText()), value.asText()));
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
