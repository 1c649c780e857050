package dev.mlops.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.ArtifactRef;
import dev.mlops.CorruptDataException;
import dev.mlops.DatasetInput;
import dev.mlops.Digest;
import dev.mlops.Provenance;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunStatus;
import dev.mlops.core.MetricSegments.Latest;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.core.internal.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A run's state: the fold of its log {@code runs/<runId>/log/} up to {@link #lastSeq}. Applying
 * an entry returns a new state; a state is never changed. Entry types: {@code START} (always
 * entry 1; optionally with the run's first {@code params} and {@code tags} as string objects),
 * {@code PARAM}, {@code TAG}, {@code INPUT}, {@code ARTIFACT} and {@code END} (always
 * the last; it carries the latest value of every metric, so an ended run is searched without
 * reading its segments, the digest of every metric segment it consists of, and an optional
 * status reason); or a single {@code START_END} entry, a START and an END in one.
 *
 * <p>Immutable and thread-safe.
 */
record RunState(
    RunId id,
    long lastSeq,
    String lastHash,
    String experiment,
    String name,
    RunStatus status,
    Instant startedAt,
    Optional<Instant> endedAt,
    Map<String, String> params,
    Map<String, String> tags,
    List<DatasetInput> inputs,
    Map<String, ArtifactRef> artifacts,
    Optional<Provenance> provenance,
    Optional<Map<String, Latest>> endMetrics,
    Optional<String> statusReason,
    Optional<Map<String, List<String>>> endSegments) {

  static final String START = "START";
  static final String PARAM = "PARAM";
  static final String TAG = "TAG";
  static final String INPUT = "INPUT";
  static final String ARTIFACT = "ARTIFACT";
  static final String END = "END";
  /**
   * A whole run in one entry, always entry 1: a START's fields, an END's fields and
   * {@code endedAt} (its {@code at} is the start). Written for a run started deferred that made
   * no other entry before it ended ({@link RunReservation#startRunDeferred}).
   */
  static final String START_END = "START_END";

  RunState {
    params = Map.copyOf(params);
    tags = Map.copyOf(tags);
    inputs = List.copyOf(inputs);
    artifacts = Map.copyOf(artifacts);
    endMetrics = endMetrics.map(Map::copyOf);
    endSegments = endSegments.map(m -> {
      Map<String, List<String>> copy = new HashMap<>();
      m.forEach((w, l) -> copy.put(w, List.copyOf(l)));
      return Map.copyOf(copy);
    });
  }

  static RunState empty(RunId id) {
    return new RunState(id, 0, HashChainedLog.GENESIS, "", "", RunStatus.RUNNING, Instant.EPOCH, Optional.empty(),
        Map.of(), Map.of(), List.of(), Map.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** @return whether the START entry has been read */
  boolean started() {
    return lastSeq > 0;
  }

  RunInfo toInfo(Map<String, Double> latestMetrics) {
    return new RunInfo(id, experiment, name, status, startedAt, endedAt, params, tags, latestMetrics, inputs,
        artifacts, provenance.orElseThrow(), statusReason);
  }

  /**
   * @param e the next entry
   * @return the state after it
   * @throws CorruptDataException naming the entry's key if it does not fit the state
   */
  RunState apply(HashChainedLog.Entry e) {
    if (e.seq() != lastSeq + 1) {
      throw new CorruptDataException("run log entry '" + e.key() + "' has seq " + e.seq() + " after " + lastSeq);
    }
    ObjectNode b = e.body();
    try {
      String type = text(b, "type");
      Instant at = Instant.parse(text(b, "at"));
      if ((type.equals(START) || type.equals(START_END)) != (lastSeq == 0)) {
        throw new CorruptDataException("run log entry '" + e.key() + "' is " + type
            + (lastSeq == 0 ? " but a run log starts with START or START_END" : " but the run already started"));
      }
      if (status.terminal()) {
        throw new CorruptDataException("run log entry '" + e.key() + "' (" + type + ") follows the run's END");
      }
      RunState s = this;
      switch (type) {
        case START -> s = started(e, b, at);
        case START_END -> s = started(e, b, at).ended(e, b, Instant.parse(text(b, "endedAt")));
        case PARAM -> {
          String key = text(b, "key");
          String value = text(b, "value");
          String old = params.get(key);
          if (old != null && !old.equals(value)) {
            throw new CorruptDataException("run log entry '" + e.key() + "' changes write-once param '" + key + "'");
          }
          s = withParams(put(params, key, value));
        }
        case TAG -> s = withTags(put(tags, text(b, "key"), text(b, "value")));
        case INPUT -> {
          List<DatasetInput> in = new ArrayList<>(inputs);
          in.add(new DatasetInput(text(b, "name"), Digest.parse(text(b, "digest")), text(b, "schema"),
              b.path("rows").asLong(-1), text(b, "context")));
          s = new RunState(id, lastSeq, lastHash, experiment, name, status, startedAt, endedAt, params, tags, in,
              artifacts, provenance, endMetrics, statusReason, endSegments);
        }
        case ARTIFACT -> {
          Map<String, ArtifactRef> a = new HashMap<>(artifacts);
          a.put(text(b, "name"), artifactRefOf(b.path("ref")));
          s = new RunState(id, lastSeq, lastHash, experiment, name, status, startedAt, endedAt, params, tags, inputs,
              a, provenance, endMetrics, statusReason, endSegments);
        }
        case END -> s = ended(e, b, at);
        default -> throw new CorruptDataException("run log entry '" + e.key() + "' has unknown type '" + type + "'");
      }
      return new RunState(id, e.seq(), e.hash(), s.experiment, s.name, s.status, s.startedAt, s.endedAt, s.params,
          s.tags, s.inputs, s.artifacts, s.provenance, s.endMetrics, s.statusReason, s.endSegments);
    } catch (CorruptDataException ex) {
      throw ex;
    } catch (RuntimeException ex) {
      throw new CorruptDataException("run log entry '" + e.key() + "' cannot be applied: " + ex.getMessage(), ex);
    }
  }

  /** The START_END entry of a run whose first entry would be {@code start} and whose next {@code end}. */
  static ObjectNode startAndEnd(ObjectNode start, ObjectNode end) {
    ObjectNode b = start.deepCopy();
    b.put("type", START_END);
    b.put("endedAt", end.get("at").asText());
    end.fields().forEachRemaining(f -> {
      if (!f.getKey().equals("type") && !f.getKey().equals("at")) {
        b.set(f.getKey(), f.getValue());
      }
    });
    return b;
  }

  /** The state a START (or the start half of a START_END) entry makes of this empty one. */
  private RunState started(HashChainedLog.Entry e, ObjectNode b, Instant at) {
    if (!text(b, "run").equals(id.value())) {
      throw new CorruptDataException("run log entry '" + e.key() + "' starts run " + text(b, "run") + ", not " + id);
    }
    JsonNode p = b.path("provenance");
    Provenance prov = new Provenance(text(p, "libraryVersion"), text(p, "jvm"), text(p, "os"),
        text(p, "host"), text(p, "user"),
        p.hasNonNull("gitCommit") ? Optional.of(p.get("gitCommit").asText()) : Optional.empty());
    return new RunState(id, 0, lastHash, text(b, "experiment"), text(b, "name"), RunStatus.RUNNING, at,
        Optional.empty(), stringsOf(e.key(), b, "params"), stringsOf(e.key(), b, "tags"), List.of(), Map.of(),
        Optional.of(prov), Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** The state an END (or the end half of a START_END) entry makes of this running one. */
  private RunState ended(HashChainedLog.Entry e, ObjectNode b, Instant at) {
    RunStatus st = RunStatus.valueOf(text(b, "status"));
    if (!st.terminal()) {
      throw new CorruptDataException("run log entry '" + e.key() + "' ends the run as " + st);
    }
    return new RunState(id, lastSeq, lastHash, experiment, name, st, startedAt, Optional.of(at), params, tags,
        inputs, artifacts, provenance, Optional.of(metricsOf(b.path("metrics"))),
        b.hasNonNull("reason") ? Optional.of(text(b, "reason")) : Optional.empty(),
        b.has("segments") ? Optional.of(segmentsOf(b.get("segments"))) : Optional.empty());
  }

  /**
   * The optional string map a START entry carries its first params or tags in (absent in entries
   * written before they could: an empty map).
   *
   * @throws CorruptDataException naming the entry's key if the field is not an object of strings
   */
  private static Map<String, String> stringsOf(String key, ObjectNode b, String field) {
    JsonNode n = b.get(field);
    if (n == null || n.isNull()) {
      return Map.of();
    }
    if (!n.isObject()) {
      throw new CorruptDataException("run log entry '" + key + "' has '" + field + "' that is not an object");
    }
    Map<String, String> out = new HashMap<>();
    for (var it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (!f.getValue().isTextual()) {
        throw new CorruptDataException("run log entry '" + key + "' has " + field + " entry '" + f.getKey()
            + "' that is not a string");
      }
      out.put(f.getKey(), f.getValue().asText());
    }
    return out;
  }

  private RunState withParams(Map<String, String> p) {
    return new RunState(id, lastSeq, lastHash, experiment, name, status, startedAt, endedAt, p, tags, inputs,
        artifacts, provenance, endMetrics, statusReason, endSegments);
  }

  private RunState withTags(Map<String, String> t) {
    return new RunState(id, lastSeq, lastHash, experiment, name, status, startedAt, endedAt, params, t, inputs,
        artifacts, provenance, endMetrics, statusReason, endSegments);
  }

  private static Map<String, String> put(Map<String, String> m, String k, String v) {
    Map<String, String> out = new HashMap<>(m);
    out.put(k, v);
    return out;
  }

  /** The END entry's {@code metrics} object: key → {bits, step, ts, value (for people)}. */
  static ObjectNode metricsNode(Map<String, Latest> latest) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    new TreeMap<>(latest).forEach((k, l) -> {
      ObjectNode m = n.putObject(k);
      m.put("bits", Double.doubleToRawLongBits(l.value()));
      m.put("step", l.step());
      m.put("ts", l.timestamp());
      m.put("value", Double.toString(l.value()));
    });
    return n;
  }

  /**
   * The END entry's {@code segments} object: per metric writer, the digest prefix
   * ({@link MetricSegments#digestOf}) of each of its segments, in sequence order from 1.
   */
  static ObjectNode segmentsNode(Map<String, List<String>> segments) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    new TreeMap<>(segments).forEach((w, digests) -> digests.forEach(n.putArray(w)::add));
    return n;
  }

  private static Map<String, List<String>> segmentsOf(JsonNode n) {
    if (!n.isObject()) {
      throw new IllegalArgumentException("field 'segments' is not an object");
    }
    Map<String, List<String>> out = new HashMap<>();
    n.properties().forEach(f -> {
      if (!MetricSegments.WRITER.matcher(f.getKey()).matches() || !f.getValue().isArray()) {
        throw new IllegalArgumentException("segments of writer '" + f.getKey() + "' are not a list");
      }
      List<String> digests = new ArrayList<>();
      f.getValue().forEach(d -> {
        if (!d.isTextual() || !MetricSegments.DIGEST.matcher(d.asText()).matches()) {
          throw new IllegalArgumentException("segment digest " + d + " of writer '" + f.getKey() + "' is malformed");
        }
        digests.add(d.asText());
      });
      out.put(f.getKey(), digests);
    });
    return out;
  }

  private static Map<String, Latest> metricsOf(JsonNode n) {
    Map<String, Latest> out = new HashMap<>();
    n.properties().forEach(f -> {
      JsonNode m = f.getValue();
      if (!m.path("bits").canConvertToLong() || !m.path("step").canConvertToLong() || !m.path("ts").canConvertToLong()) {
        throw new IllegalArgumentException("metric '" + f.getKey() + "' lacks bits, step or ts");
      }
      out.put(f.getKey(), new Latest(Double.longBitsToDouble(m.get("bits").asLong()), m.get("step").asLong(),
          m.get("ts").asLong()));
    });
    return out;
  }

  private static ArtifactRef artifactRefOf(JsonNode n) {
    Map<String, String> meta = new HashMap<>();
    n.path("metadata").properties().forEach(f -> meta.put(f.getKey(), f.getValue().asText()));
    return new ArtifactRef(Digest.parse(text(n, "digest")), n.path("size").asLong(-1), text(n, "mediaType"), meta);
  }

  private static String text(JsonNode b, String field) {
    JsonNode n = b.get(field);
    if (n == null || !n.isTextual()) {
      throw new IllegalArgumentException("field '" + field + "' is missing or not text");
    }
    return n.asText();
  }
}
