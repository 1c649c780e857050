package dev.mlops.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.ArtifactRef;
import dev.mlops.AuditEntry;
import dev.mlops.ModelVersion;
import dev.mlops.RunInfo;
import dev.mlops.VerifyReport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders results as aligned text tables or JSON. Every value printed comes from the store, so
 * control characters are escaped in text output (a tag value cannot move the cursor or forge a line).
 *
 * <p>Stateless apart from the shared, thread-safe mapper.
 */
final class Output {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper LINES = new ObjectMapper();

  private Output() {}

  static void json(PrintWriter out, Object node) {
    try {
      out.println(JSON.writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot print JSON: " + e.getMessage(), e);
    }
  }

  static void jsonLine(PrintWriter out, Object node) {
    try {
      out.println(LINES.writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot print JSON: " + e.getMessage(), e);
    }
  }

  /** Text safe for a terminal: control characters become {@code \\uXXXX}. */
  static String clean(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        if (b == null) {
          b = new StringBuilder(s.length() + 8).append(s, 0, i);
        }
        b.append(String.format("\\u%04x", (int) c));
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? s : b.toString();
  }

  /** Columns are aligned up to 60 characters; longer cells are printed whole (hashes stay usable). */
  static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
    int[] width = new int[header.size()];
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    rows.forEach(r -> all.add(r.stream().map(Output::clean).toList()));
    for (List<String> r : all) {
      for (int i = 0; i < r.size(); i++) {
        width[i] = Math.max(width[i], Math.min(r.get(i).length(), 60));
      }
    }
    for (List<String> r : all) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        String cell = r.get(i);
        line.append(i == r.size() - 1 ? cell : String.format("%-" + width[i] + "s  ", cell));
      }
      out.println(line.toString().stripTrailing());
    }
  }

  static void fields(PrintWriter out, Map<String, String> fields) {
    int w = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
    fields.forEach((k, v) -> out.printf("%-" + w + "s  %s%n", k, clean(v)));
  }

  static ObjectNode version(ModelVersion v) {
    ObjectNode n = JSON.createObjectNode();
    n.put("model", v.model()).put("version", v.version()).put("ref", v.ref()).put("status", v.status().name());
    v.approval().ifPresent(a -> n.putObject("approval").put("status", a.status().name()).put("actor", a.actor())
        .put("comment", a.comment()).put("at", a.at().toString()));
    ArrayNode aliases = n.putArray("aliases");
    v.aliases().stream().sorted().forEach(aliases::add);
    ObjectNode artifacts = n.putObject("artifacts");
    new TreeMap<>(v.artifacts()).forEach((name, ref) -> artifacts.set(name, artifact(ref)));
    ObjectNode lineage = n.putObject("lineage");
    v.lineage().trainingRun().ifPresent(r -> lineage.put("trainingRun", r.value()));
    ArrayNode ds = lineage.putArray("datasets");
    v.lineage().datasets().forEach(d -> ds.add(d.toString()));
    v.lineage().parentVersion().ifPresent(p -> lineage.put("parentVersion", p));
    n.put("description", v.description());
    ObjectNode tags = n.putObject("tags");
    new TreeMap<>(v.tags()).forEach(tags::put);
    n.put("createdAt", v.createdAt().toString()).put("createdBy", v.createdBy());
    return n;
  }

  static ObjectNode artifact(ArtifactRef ref) {
    return JSON.createObjectNode().put("digest", ref.digest().toString()).put("size", ref.size())
        .put("mediaType", ref.mediaType());
  }

  static ObjectNode audit(String model, AuditEntry e) {
    ObjectNode n = JSON.createObjectNode();
    n.put("model", model).put("seq", e.seq()).put("type", e.type()).put("actor", e.actor())
        .put("at", e.at().toString());
    ObjectNode details = n.putObject("details");
    new TreeMap<>(e.details()).forEach(details::put);
    n.put("hash", e.hash()).put("previousHash", e.previousHash());
    return n;
  }

  static ObjectNode verify(String what, VerifyReport r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("log", what).put("ok", r.ok()).put("entriesChecked", r.entriesChecked());
    r.brokenKey().ifPresent(k -> n.put("brokenKey", k));
    r.problem().ifPresent(p -> n.put("problem", p));
    r.head().ifPresent(h -> n.put("headSeq", h.seq()).put("headHash", h.hash()));
    return n;
  }

  static ObjectNode run(RunInfo r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", r.id().value()).put("experiment", r.experiment()).put("name", r.name())
        .put("status", r.status().name()).put("startedAt", r.startedAt().toString());
    r.endedAt().ifPresent(t -> n.put("endedAt", t.toString()));
    r.statusReason().ifPresent(t -> n.put("statusReason", t));
    ObjectNode params = n.putObject("params");
    new TreeMap<>(r.params()).forEach(params::put);
    ObjectNode metrics = n.putObject("metrics");
    new TreeMap<>(r.latestMetrics()).forEach(metrics::put);
    ObjectNode tags = n.putObject("tags");
    new TreeMap<>(r.tags()).forEach(tags::put);
    ArrayNode inputs = n.putArray("inputs");
    r.inputs().forEach(i -> inputs.addObject().put("name", i.name()).put("digest", i.digest().toString())
        .put("context", i.context()));
    ObjectNode artifacts = n.putObject("artifacts");
    new TreeMap<>(r.artifacts()).forEach((name, ref) -> artifacts.set(name, artifact(ref)));
    return n;
  }
}
