package dev.mlops.governance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.LogAnchor;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A model version's card: a structured record built from the store by {@link ModelCards}, in
 * sections (intended use, lineage, parameters, metrics, approvals, aliases, attachments, and any a
 * provider adds). It names the newest audit-log entry it was built from, so a reader can check it
 * against the log ({@code verify(model, anchor)}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param format the card format, {@link #FORMAT}
 * @param model model name
 * @param version version number
 * @param builtFrom the newest entry of the model's log the card reflects
 * @param sections the sections, in provider order
 */
public record ModelCard(int format, String model, int version, Optional<LogAnchor> builtFrom, List<CardSection> sections) {
  /** The card format this version writes. */
  public static final int FORMAT = 1;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Validates and copies. */
  public ModelCard {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(builtFrom, "builtFrom");
    sections = List.copyOf(sections);
  }

  /**
   * @param id a section id
   * @return that section, if the card has it
   */
  public Optional<CardSection> section(String id) {
    return sections.stream().filter(s -> s.id().equals(id)).findFirst();
  }

  /** @return the card as indented JSON: format, model, version, builtFrom and the sections in order */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", format);
    root.put("model", model);
    root.put("version", version);
    builtFrom.ifPresent(a -> root.put("builtFrom", a.toString()));
    ArrayNode secs = root.putArray("sections");
    for (CardSection s : sections) {
      ObjectNode n = secs.addObject();
      n.put("id", s.id());
      n.put("title", s.title());
      ObjectNode f = n.putObject("fields");
      s.fields().forEach(f::put);
      ArrayNode rows = n.putArray("rows");
      for (Map<String, String> r : s.rows()) {
        ObjectNode row = rows.addObject();
        r.forEach(row::put);
      }
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write a model card as JSON", e);
    }
  }

  /** @return the card as Markdown: a title, then per section its fields as a list and its rows as a table */
  public String toMarkdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Model card: ").append(model).append('/').append(version).append("\n\n");
    builtFrom.ifPresent(a -> md.append("_Built from audit log entry ").append(a).append("._\n\n"));
    for (CardSection s : sections) {
      md.append("## ").append(s.title()).append("\n\n");
      s.fields().forEach((k, v) -> md.append("- **").append(escape(k)).append("**: ").append(escape(v)).append('\n'));
      if (!s.fields().isEmpty()) {
        md.append('\n');
      }
      if (!s.rows().isEmpty()) {
        List<String> cols = List.copyOf(s.rows().get(0).keySet());
        md.append('|');
        cols.forEach(c -> md.append(' ').append(escape(c)).append(" |"));
        md.append("\n|");
        cols.forEach(c -> md.append(" --- |"));
        md.append('\n');
        for (Map<String, String> r : s.rows()) {
          md.append('|');
          cols.forEach(c -> md.append(' ').append(escape(r.getOrDefault(c, ""))).append(" |"));
          md.append('\n');
        }
        md.append('\n');
      }
    }
    return md.toString();
  }

  private static String escape(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
