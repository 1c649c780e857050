package dev.mlops.governance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.AuditEntry;
import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.LogAnchor;
import dev.mlops.ModelAttachments;
import dev.mlops.ModelVersion;
import dev.mlops.RunInfo;
import dev.mlops.Workspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds {@link ModelCard}s from the store: every section comes from the registry's log, the
 * version's training run and its attachments, so a card cannot disagree with the audit trail. The
 * only authored part, intended use and limitations, is stored as an attachment of the version
 * ({@link #author}), so its changes are in the log too.
 *
 * <pre>{@code
 * ModelCards cards = ModelCards.builder(ws).build();
 * ModelCards.author(ws, "fraud", 3, "Scoring card transactions in the EU", "Not for loans");
 * System.out.println(cards.card("fraud", 3).toMarkdown());
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class ModelCards {
  /** The version tag holding the authored part's digest. */
  public static final String AUTHORED_TAG = "mlops.card";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Workspace workspace;
  private final List<ModelCardSection> sections;

  private ModelCards(Builder b) {
    this.workspace = b.workspace;
    this.sections = List.copyOf(b.sections);
  }

  /**
   * @param workspace the workspace to read from
   * @return a builder with {@link #defaultSections()}
   */
  public static Builder builder(Workspace workspace) {
    return new Builder(workspace);
  }

  /**
   * @return the built-in sections, in order: summary, intended use, lineage, parameters, metrics,
   *     approvals, aliases, attachments
   */
  public static List<ModelCardSection> defaultSections() {
    return List.of(StandardSections::summary, StandardSections::intendedUse, StandardSections::lineage,
        StandardSections::parameters, StandardSections::metrics, StandardSections::approvals,
        StandardSections::aliases, StandardSections::attachments);
  }

  /**
   * Stores the authored part of a version's card (intended use, limitations) as an attachment;
   * authoring again replaces it, and the log keeps every change.
   *
   * @param workspace the workspace
   * @param model model name
   * @param version version
   * @param intendedUse what the model is for
   * @param limitations what it must not be used for, known weaknesses
   * @return the stored document
   * @throws dev.mlops.NotFoundException if the version does not exist
   */
  public static ArtifactRef author(Workspace workspace, String model, int version, String intendedUse,
      String limitations) {
    Objects.requireNonNull(intendedUse, "intendedUse");
    Objects.requireNonNull(limitations, "limitations");
    ObjectNode n = JSON.createObjectNode();
    n.put("format", 1);
    n.put("intendedUse", intendedUse);
    n.put("limitations", limitations);
    return ModelAttachments.attach(workspace, model, version, AUTHORED_TAG, n.toString().getBytes(StandardCharsets.UTF_8),
        ArtifactSpec.of("application/json"));
  }

  /**
   * Builds the card of a version from the store as it is now.
   *
   * @param model model name
   * @param version version
   * @return the card
   * @throws dev.mlops.NotFoundException if the version does not exist
   * @throws CorruptDataException if a stored document it reads is malformed
   */
  public ModelCard card(String model, int version) {
    ModelVersion mv = workspace.registry().get(model, version);
    List<AuditEntry> history = workspace.registry().history(model);
    Optional<RunInfo> run = mv.lineage().trainingRun().flatMap(r -> workspace.experiments().findRun(r));
    CardContext ctx = new CardContext(workspace, mv, history, run);
    List<CardSection> out = new ArrayList<>();
    for (ModelCardSection s : sections) {
      s.build(ctx).ifPresent(out::add);
    }
    Optional<LogAnchor> head = history.isEmpty() ? Optional.empty()
        : Optional.of(new LogAnchor(history.get(history.size() - 1).seq(), history.get(history.size() - 1).hash()));
    return new ModelCard(ModelCard.FORMAT, model, version, head, out);
  }

  /** Builds {@link ModelCards}. Not thread-safe; confine to one thread. */
  public static final class Builder {
    private final Workspace workspace;
    private final List<ModelCardSection> sections = new ArrayList<>(defaultSections());

    private Builder(Workspace workspace) {
      this.workspace = Objects.requireNonNull(workspace, "workspace");
    }

    /** @param section a section provider, added after the others @return this */
    public Builder section(ModelCardSection section) {
      sections.add(Objects.requireNonNull(section, "section"));
      return this;
    }

    /** @return the card builder */
    public ModelCards build() {
      return new ModelCards(this);
    }
  }

  /** The built-in sections. */
  static final class StandardSections {
    private StandardSections() {}

    static Optional<CardSection> summary(CardContext c) {
      ModelVersion v = c.version();
      Map<String, String> f = new LinkedHashMap<>();
      f.put("model", v.model());
      f.put("version", Integer.toString(v.version()));
      f.put("status", v.status().name());
      f.put("registered", v.createdAt() + " by " + v.createdBy());
      if (!v.description().isEmpty()) {
        f.put("description", v.description());
      }
      return Optional.of(new CardSection("summary", "Summary", f, List.of()));
    }

    static Optional<CardSection> intendedUse(CardContext c) {
      Optional<byte[]> doc = ModelAttachments.find(c.workspace(), c.version().model(), c.version().version(), AUTHORED_TAG);
      Map<String, String> f = new LinkedHashMap<>();
      if (doc.isEmpty()) {
        f.put("intended use", "(not authored)");
        f.put("limitations", "(not authored)");
      } else {
        JsonNode n;
        try {
          n = JSON.readTree(doc.get());
        } catch (IOException e) {
          throw new CorruptDataException("model card of " + c.version().ref() + " (tag " + AUTHORED_TAG
              + ") is not JSON: " + e.getMessage(), e);
        }
        if (n.path("format").asInt(-1) != 1) {
          throw new CorruptDataException("model card of " + c.version().ref() + " has format "
              + n.path("format") + "; this version reads 1");
        }
        f.put("intended use", n.path("intendedUse").asText());
        f.put("limitations", n.path("limitations").asText());
      }
      return Optional.of(new CardSection("intended-use", "Intended use and limitations", f, List.of()));
    }

    static Optional<CardSection> lineage(CardContext c) {
      Map<String, String> f = new LinkedHashMap<>();
      ModelVersion v = c.version();
      f.put("training run", v.lineage().trainingRun().map(r -> r.value()
          + c.trainingRun().map(i -> " (" + i.experiment() + "/" + i.name() + ", " + i.status() + ")").orElse(" (not in this store)"))
          .orElse("(none recorded)"));
      v.lineage().parentVersion().ifPresent(p -> f.put("parent version", v.model() + "/" + p));
      List<Map<String, String>> rows = new ArrayList<>();
      v.lineage().datasets().forEach(d -> rows.add(Map.of("dataset", d.toString(), "recorded by", "registration")));
      c.trainingRun().ifPresent(r -> r.inputs().forEach(in -> {
        Map<String, String> row = new LinkedHashMap<>();
        row.put("dataset", in.toString());
        row.put("recorded by", "run " + r.id().value());
        rows.add(row);
      }));
      return Optional.of(new CardSection("lineage", "Training data lineage", f, rows));
    }

    static Optional<CardSection> parameters(CardContext c) {
      return c.trainingRun().filter(r -> !r.params().isEmpty())
          .map(r -> new CardSection("parameters", "Parameters", new TreeMap<>(r.params()), List.of()));
    }

    static Optional<CardSection> metrics(CardContext c) {
      return c.trainingRun().filter(r -> !r.latestMetrics().isEmpty()).map(r -> {
        Map<String, String> f = new TreeMap<>();
        r.latestMetrics().forEach((k, val) -> f.put(k, Double.toString(val)));
        return new CardSection("metrics", "Evaluation metrics", f, List.of());
      });
    }

    static Optional<CardSection> approvals(CardContext c) {
      List<Map<String, String>> rows = new ArrayList<>();
      for (AuditEntry e : c.versionHistory()) {
        String what = switch (e.type()) {
          case "REGISTER_VERSION" -> "registered";
          case "APPROVAL_VOTE" -> "approved (1 of several required)";
          case "REVIEW" -> e.details().getOrDefault("decision", "?").toLowerCase(java.util.Locale.ROOT);
          case "REFUSED" -> "refused: " + e.details().getOrDefault("action", "") + " (" + e.details().getOrDefault("condition", "") + ")";
          default -> null;
        };
        if (what == null) {
          continue;
        }
        Map<String, String> row = new LinkedHashMap<>();
        row.put("seq", Long.toString(e.seq()));
        row.put("at", e.at().toString());
        row.put("actor", e.actor());
        row.put("event", what);
        row.put("comment", e.details().getOrDefault("comment", ""));
        row.put("signed", e.details().containsKey("signature") ? "yes" : "no");
        rows.add(row);
      }
      Map<String, String> f = new LinkedHashMap<>();
      f.put("status", c.version().status().name());
      c.version().approval().ifPresent(a -> f.put("decided", a.status() + " by " + a.actor() + " at " + a.at()));
      return Optional.of(new CardSection("approvals", "Approvals", f, rows));
    }

    static Optional<CardSection> aliases(CardContext c) {
      if (c.version().aliases().isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new CardSection("aliases", "Aliases", Map.of("current",
          String.join(", ", new java.util.TreeSet<>(c.version().aliases()))), List.of()));
    }

    static Optional<CardSection> attachments(CardContext c) {
      Map<String, String> f = new TreeMap<>();
      c.version().tags().forEach((k, v) -> {
        if (isDigest(v)) {
          f.put(k, v);
        }
      });
      Map<String, String> arts = new TreeMap<>();
      c.version().artifacts().forEach((n, r) -> arts.put(n, r.digest() + " (" + r.size() + " bytes)"));
      List<Map<String, String>> rows = new ArrayList<>();
      arts.forEach((n, d) -> rows.add(Map.of("artifact", n, "content", d)));
      return Optional.of(new CardSection("attachments", "Artifacts and attached reports", f,
          rows.stream().map(r -> (Map<String, String>) new TreeMap<>(r)).toList()));
    }

    private static boolean isDigest(String s) {
      try {
        Digest.parse(s);
        return true;
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
  }
}
