package dev.mlops.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.CorruptDataException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of {@link DataValidator#verify}: the violations found (in constraint order), the
 * number of rows and constraints checked, and the statistics of the verified data (not part of
 * the serialized report; store them apart with {@link DataQualityStore}).
 *
 * <p>Serialized form ({@link #toJson()}): the violations report, format
 * {@code mlops.data.violations}, format version {@value #FORMAT_VERSION}, documented in
 * {@code docs/data-validation.md}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ValidationReport {
  /** Format name of the violations report. */
  public static final String FORMAT = "mlops.data.violations";
  /** Current format version. */
  public static final int FORMAT_VERSION = 1;

  private final long rows;
  private final int checked;
  private final List<Violation> violations;
  private final DatasetStatistics statistics;

  ValidationReport(long rows, int checked, List<Violation> violations, DatasetStatistics statistics) {
    this.rows = rows;
    this.checked = checked;
    this.violations = List.copyOf(violations);
    this.statistics = statistics;
  }

  /** @return rows verified */
  public long rows() {
    return rows;
  }

  /** @return number of constraints checked */
  public int constraintsChecked() {
    return checked;
  }

  /** @return every violation, in constraint order */
  public List<Violation> violations() {
    return violations;
  }

  /** @return the violations of severity ERROR */
  public List<Violation> errors() {
    return violations.stream().filter(v -> v.severity() == Severity.ERROR).toList();
  }

  /** @return the violations of severity WARNING */
  public List<Violation> warnings() {
    return violations.stream().filter(v -> v.severity() == Severity.WARNING).toList();
  }

  /**
   * @param check a check type
   * @return the violations of that check
   */
  public List<Violation> violations(CheckType check) {
    return violations.stream().filter(v -> v.check() == check).toList();
  }

  /** @return whether no ERROR violation was found (warnings allowed) */
  public boolean passed() {
    return violations.stream().noneMatch(v -> v.severity() == Severity.ERROR);
  }

  /**
   * @return the statistics of the verified data, empty for a report read back from JSON
   */
  public Optional<DatasetStatistics> statistics() {
    return Optional.ofNullable(statistics);
  }

  /** @return the violations report (UTF-8 JSON) */
  public byte[] toJson() {
    ObjectNode root = JsonFields.MAPPER.createObjectNode();
    root.put("format", FORMAT);
    root.put("formatVersion", FORMAT_VERSION);
    root.put("rows", rows);
    root.put("constraintsChecked", checked);
    root.put("passed", passed());
    ArrayNode list = root.putArray("violations");
    for (Violation v : violations) {
      ObjectNode n = list.addObject();
      n.put("check", v.check().name());
      n.put("column", v.column());
      n.put("severity", v.severity().name());
      n.put("observed", v.observed());
      n.put("expected", v.expected());
      n.put("failing", v.failing());
      n.put("share", v.share());
      ArrayNode ex = n.putArray("examples");
      for (Violation.Example e : v.examples()) {
        ex.addObject().put("row", e.row()).put("value", e.value());
      }
    }
    return JsonFields.write(root);
  }

  /**
   * Reads a violations report.
   *
   * @param bytes the document
   * @return the report (without statistics)
   * @throws CorruptDataException naming the field if the document is malformed or of a newer
   *     format version
   */
  public static ValidationReport fromJson(byte[] bytes) {
    return fromJson(bytes, "violations report");
  }

  static ValidationReport fromJson(byte[] bytes, String origin) {
    Objects.requireNonNull(bytes, "bytes");
    JsonFields f = new JsonFields(origin);
    JsonNode root = f.parse(bytes, FORMAT, FORMAT_VERSION);
    long rows = f.integer(root, "rows", "rows", 0, Long.MAX_VALUE);
    int checked = (int) f.integer(root, "constraintsChecked", "constraintsChecked", 0, Integer.MAX_VALUE);
    JsonNode list = f.array(root, "violations", "violations");
    List<Violation> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String p = "violations[" + i + "]";
      JsonNode n = list.get(i);
      if (!n.isObject()) {
        throw f.corrupt(p, "must be an object");
      }
      JsonNode ex = f.array(n, "examples", p + ".examples");
      List<Violation.Example> examples = new ArrayList<>();
      for (int j = 0; j < ex.size(); j++) {
        JsonNode e = ex.get(j);
        examples.add(new Violation.Example(f.integer(e, "row", p + ".examples[" + j + "].row", 0, Long.MAX_VALUE),
            f.text(e, "value", p + ".examples[" + j + "].value")));
      }
      try {
        out.add(new Violation(f.enumValue(n, "check", p + ".check", CheckType.class), f.text(n, "column", p + ".column"),
            f.enumValue(n, "severity", p + ".severity", Severity.class), f.text(n, "observed", p + ".observed"),
            f.text(n, "expected", p + ".expected"), f.integer(n, "failing", p + ".failing", 0, Long.MAX_VALUE),
            f.number(n, "share", p + ".share"), examples));
      } catch (IllegalArgumentException e) {
        throw f.corrupt(p, e.getMessage(), e);
      }
    }
    ValidationReport report = new ValidationReport(rows, checked, out, null);
    if (report.passed() != f.bool(root, "passed", "passed")) {
      throw f.corrupt("passed", "disagrees with the violations' severities");
    }
    return report;
  }

  @Override
  public String toString() {
    return "ValidationReport[rows=" + rows + ", constraints=" + checked + ", passed=" + passed() + ", violations="
        + violations + "]";
  }
}
