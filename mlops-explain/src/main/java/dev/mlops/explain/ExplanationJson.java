package dev.mlops.explain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.CorruptDataException;
import java.util.ArrayList;
import java.util.List;

/** The JSON form of {@link ExplanationReport} (see {@link ReportJson} for the conventions). Stateless. */
final class ExplanationJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ExplanationJson() {}

  static byte[] write(ExplanationReport r) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("kind", ReportJson.EXPLANATION_KIND);
    root.put("formatVersion", ReportJson.FORMAT_VERSION);
    root.put("method", r.method());
    root.put("coalitions", r.coalitions());
    root.put("seed", r.seed());
    root.put("baseValue", r.baseValue());
    ArrayNode names = root.putArray("featureNames");
    r.featureNames().forEach(names::add);
    ArrayNode global = root.putArray("globalImportance");
    r.globalImportance().forEach(global::add);
    ArrayNode list = root.putArray("explanations");
    for (Explanation e : r.explanations()) {
      ObjectNode o = list.addObject();
      o.put("baseValue", e.baseValue());
      o.put("prediction", e.prediction());
      ArrayNode a = o.putArray("attributions");
      e.attributions().forEach(a::add);
      o.put("additivityError", e.additivityError());
      o.put("modelCalls", e.modelCalls());
    }
    return ReportJson.bytes(root);
  }

  static ExplanationReport read(byte[] json) {
    JsonNode root = ReportJson.parse(json, ReportJson.EXPLANATION_KIND);
    try {
      List<String> names = new ArrayList<>();
      for (JsonNode n : ReportJson.required(root, "featureNames")) {
        names.add(n.asText());
      }
      List<Explanation> explanations = new ArrayList<>();
      for (JsonNode o : ReportJson.required(root, "explanations")) {
        List<Double> a = new ArrayList<>();
        for (JsonNode v : ReportJson.required(o, "attributions")) {
          if (!v.isNumber()) {
            throw new IllegalArgumentException("attribution " + v + " is not a number");
          }
          a.add(v.asDouble());
        }
        explanations.add(new Explanation(ReportJson.readDouble(o, "baseValue"), ReportJson.readDouble(o, "prediction"), a,
            ReportJson.readDouble(o, "additivityError"), ReportJson.required(o, "modelCalls").asLong()));
      }
      return new ExplanationReport(ReportJson.text(root, "method"), names, ReportJson.readDouble(root, "baseValue"),
          ReportJson.required(root, "coalitions").asInt(), ReportJson.required(root, "seed").asLong(), explanations);
    } catch (IllegalArgumentException e) {
      throw new CorruptDataException("explanation report JSON is invalid: " + e.getMessage(), e);
    }
  }
}
