package dev.mlops.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.CorruptDataException;
import dev.mlops.Names;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunStatus;
import dev.mlops.core.internal.Json;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What {@link RunSearch} looks at in a run: everything a filter or an order can name, and
 * nothing else. The run search index ({@link RunIndex}) stores these for every ended run; the
 * scan builds them from {@link RunInfo}s.
 *
 * <p>Stored form (one JSON object, {@code "format": 1}): {@code run}, {@code experiment},
 * {@code status}, {@code startedAt} (ISO-8601, the run's full-precision start, which ties break
 * on), {@code params} and {@code tags} (string objects), {@code metrics} (key → the latest value's
 * raw IEEE-754 bits as a number, so NaN and {@code -0.0} come back exactly).
 *
 * <p>Immutable and thread-safe.
 *
 * @param id the run
 * @param experiment the experiment its START entry names
 * @param status its status
 * @param startedAt its start
 * @param params its params
 * @param tags its tags
 * @param metrics the latest value of each of its metrics
 */
record RunFacts(
    RunId id,
    String experiment,
    RunStatus status,
    Instant startedAt,
    Map<String, String> params,
    Map<String, String> tags,
    Map<String, Double> metrics) {

  static final int FORMAT = 1;

  RunFacts {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(experiment, "experiment");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(startedAt, "startedAt");
    params = Map.copyOf(params);
    tags = Map.copyOf(tags);
    metrics = Map.copyOf(metrics);
  }

  static RunFacts of(RunInfo r) {
    return new RunFacts(r.id(), r.experiment(), r.status(), r.startedAt(), r.params(), r.tags(), r.latestMetrics());
  }

  /** @return the stored form */
  ObjectNode toJson() {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("format", FORMAT);
    n.put("kind", "end");
    n.put("run", id.value());
    n.put("experiment", experiment);
    n.put("status", status.name());
    n.put("startedAt", startedAt.toString());
    ObjectNode p = n.putObject("params");
    new TreeMap<>(params).forEach(p::put);
    ObjectNode t = n.putObject("tags");
    new TreeMap<>(tags).forEach(t::put);
    ObjectNode m = n.putObject("metrics");
    new TreeMap<>(metrics).forEach((k, v) -> m.put(k, Double.doubleToRawLongBits(v)));
    return n;
  }

  /**
   * @param key where the object was stored (named in errors)
   * @param n the stored form
   * @return the facts
   * @throws CorruptDataException naming the key if the object is not facts of format 1
   */
  static RunFacts fromJson(String key, JsonNode n) {
    try {
      if (!n.isObject() || n.path("format").asInt(-1) != FORMAT) {
        throw new IllegalArgumentException("it is not run facts of format " + FORMAT);
      }
      String run = text(n, "run");
      if (!Names.isValid(run)) {
        throw new IllegalArgumentException("run id '" + run + "' is invalid");
      }
      String experiment = text(n, "experiment");
      if (!Names.isValid(experiment)) {
        throw new IllegalArgumentException("experiment '" + experiment + "' is invalid");
      }
      RunStatus status = RunStatus.valueOf(text(n, "status"));
      Instant startedAt = Instant.parse(text(n, "startedAt"));
      Map<String, Double> metrics = new HashMap<>();
      JsonNode m = n.get("metrics");
      if (m == null || !m.isObject()) {
        throw new IllegalArgumentException("field 'metrics' is missing or not an object");
      }
      m.properties().forEach(f -> {
        if (!f.getValue().isIntegralNumber() || !f.getValue().canConvertToLong()) {
          throw new IllegalArgumentException("metric '" + f.getKey() + "' is not the bits of a double");
        }
        metrics.put(f.getKey(), Double.longBitsToDouble(f.getValue().longValue()));
      });
      return new RunFacts(RunId.of(run), experiment, status, startedAt, strings(n, "params"), strings(n, "tags"),
          metrics);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new CorruptDataException("run search index object '" + key + "' is malformed: " + e.getMessage(), e);
    }
  }

  private static Map<String, String> strings(JsonNode n, String field) {
    JsonNode o = n.get(field);
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("field '" + field + "' is missing or not an object");
    }
    Map<String, String> out = new HashMap<>();
    o.properties().forEach(f -> {
      if (!f.getValue().isTextual()) {
        throw new IllegalArgumentException(field + " entry '" + f.getKey() + "' is not a string");
      }
      out.put(f.getKey(), f.getValue().asText());
    });
    return out;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("field '" + field + "' is missing or not text");
    }
    return v.asText();
  }
}
