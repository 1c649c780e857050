package dev.mlops.explain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.CorruptDataException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JSON forms of {@link BiasReport} and explanation reports. Each document carries
 * {@code "kind"} and {@code "formatVersion"}; NaN values are written as {@code null} next to their
 * reason, since JSON has no NaN. Readers accept every version up to {@link #FORMAT_VERSION}.
 * Stateless; the mapper is thread-safe once configured.
 */
final class ReportJson {
  /** The current format version of both report kinds. */
  static final int FORMAT_VERSION = 1;
  static final String BIAS_KIND = "mlops.bias-report";
  static final String EXPLANATION_KIND = "mlops.explanation-report";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ReportJson() {}

  static byte[] write(BiasReport r) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("kind", BIAS_KIND);
    root.put("formatVersion", FORMAT_VERSION);
    root.put("facet", r.facet());
    root.put("label", r.label());
    r.prediction().ifPresent(p -> root.put("prediction", p));
    r.group().ifPresent(g -> root.put("group", g));
    root.put("rowCount", r.rowCount());
    root.put("facetARows", r.facetARows());
    root.put("facetDRows", r.facetDRows());
    ArrayNode metrics = root.putArray("metrics");
    for (MetricValue m : r.metrics()) {
      ObjectNode o = metrics.addObject();
      o.put("metric", m.metric().name());
      putDouble(o, "value", m.value());
      m.reason().ifPresent(reason -> o.put("reason", reason));
    }
    return bytes(root);
  }

  static BiasReport readBias(byte[] json) {
    JsonNode root = parse(json, BIAS_KIND);
    try {
      List<MetricValue> metrics = new ArrayList<>();
      for (JsonNode o : required(root, "metrics")) {
        BiasMetric metric = BiasMetric.valueOf(text(o, "metric"));
        Optional<String> reason = o.hasNonNull("reason") ? Optional.of(o.get("reason").asText()) : Optional.empty();
        metrics.add(new MetricValue(metric, readDouble(o, "value"), reason));
      }
      return new BiasReport(text(root, "facet"), text(root, "label"), optionalText(root, "prediction"),
          optionalText(root, "group"), required(root, "rowCount").asLong(), required(root, "facetARows").asLong(),
          required(root, "facetDRows").asLong(), metrics);
    } catch (IllegalArgumentException e) {
      throw new CorruptDataException("bias report JSON is invalid: " + e.getMessage(), e);
    }
  }

  static void putDouble(ObjectNode o, String field, double v) {
    if (Double.isNaN(v)) {
      o.putNull(field);
    } else if (Double.isInfinite(v)) {
      o.put(field, v > 0 ? "Infinity" : "-Infinity");
    } else {
      o.put(field, v);
    }
  }

  static double readDouble(JsonNode o, String field) {
    JsonNode v = required(o, field);
    if (v.isNull()) {
      return Double.NaN;
    }
    if (v.isTextual()) {
      return switch (v.asText()) {
        case "Infinity" -> Double.POSITIVE_INFINITY;
        case "-Infinity" -> Double.NEGATIVE_INFINITY;
        default -> throw new IllegalArgumentException("field '" + field + "' is '" + v.asText() + "', not a number");
      };
    }
    if (!v.isNumber()) {
      throw new IllegalArgumentException("field '" + field + "' is " + v + ", not a number");
    }
    return v.asDouble();
  }

  static byte[] bytes(ObjectNode root) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise report", e);
    }
  }

  static JsonNode parse(byte[] json, String kind) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new CorruptDataException("not a JSON document (" + kind + "): " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new CorruptDataException("not a JSON object (" + kind + ")");
    }
    String actual = root.path("kind").asText("");
    if (!actual.equals(kind)) {
      throw new CorruptDataException("JSON document is of kind '" + actual + "', expected '" + kind + "'");
    }
    int version = root.path("formatVersion").asInt(-1);
    if (version < 1 || version > FORMAT_VERSION) {
      throw new CorruptDataException(kind + " has formatVersion " + root.path("formatVersion")
          + "; this library reads versions 1 to " + FORMAT_VERSION);
    }
    return root;
  }

  static JsonNode required(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null) {
      throw new IllegalArgumentException("missing field '" + field + "'");
    }
    return v;
  }

  static String text(JsonNode o, String field) {
    JsonNode v = required(o, field);
    if (!v.isTextual()) {
      throw new IllegalArgumentException("field '" + field + "' is " + v + ", not a string");
    }
    return v.asText();
  }

  static Optional<String> optionalText(JsonNode o, String field) {
    return o.hasNonNull(field) ? Optional.of(text(o, field)) : Optional.empty();
  }
}
