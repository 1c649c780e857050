package dev.mlops.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.CorruptDataException;
import dev.mlops.drift.DriftTest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A set of {@link Constraint}s, as suggested by {@link ConstraintSuggester} and edited by the
 * user, verified by {@link DataValidator}. At most one constraint per check and column (per name
 * for custom ones); {@link #with} replaces.
 *
 * <p>Serialized form ({@link #toJson()}): {@code constraints.json}, format
 * {@code mlops.data.constraints}, format version {@value #FORMAT_VERSION}, documented in
 * {@code docs/data-validation.md}. {@link Constraint.Custom} predicates are written by name only.
 *
 * <p>Immutable and thread-safe.
 *
 * @param constraints the constraints, in order
 */
public record Constraints(List<Constraint> constraints) {
  /** Format name in {@code constraints.json}. */
  public static final String FORMAT = "mlops.data.constraints";
  /** Current format version. */
  public static final int FORMAT_VERSION = 1;

  /** @throws IllegalArgumentException if two constraints have the same check and column (and name) */
  public Constraints {
    constraints = List.copyOf(constraints);
    Set<String> keys = new HashSet<>();
    for (Constraint c : constraints) {
      if (!keys.add(key(c))) {
        throw new IllegalArgumentException("two " + c.check() + " constraints on "
            + (c.column().isEmpty() ? "the dataset" : "column '" + c.column() + "'") + "; keep one");
      }
    }
  }

  /**
   * @param constraints the constraints
   * @return them as a set
   */
  public static Constraints of(Constraint... constraints) {
    return new Constraints(List.of(constraints));
  }

  private static String key(Constraint c) {
    return c.check() + "\u0000" + c.column() + (c instanceof Constraint.Custom u ? "\u0000" + u.name() : "");
  }

  /**
   * @param constraint a constraint
   * @return these constraints with it added, replacing one with the same check and column
   */
  public Constraints with(Constraint constraint) {
    Objects.requireNonNull(constraint, "constraint");
    List<Constraint> list = new ArrayList<>();
    boolean replaced = false;
    for (Constraint c : constraints) {
      if (key(c).equals(key(constraint))) {
        list.add(constraint);
        replaced = true;
      } else {
        list.add(c);
      }
    }
    if (!replaced) {
      list.add(constraint);
    }
    return new Constraints(list);
  }

  /**
   * @param check a check type
   * @param column a column, or an empty string for a dataset-level check
   * @return these constraints without that check on that column
   */
  public Constraints without(CheckType check, String column) {
    return new Constraints(constraints.stream()
        .filter(c -> !(c.check() == check && c.column().equals(column))).toList());
  }

  /**
   * @param column a column
   * @param severity the severity for all its constraints
   * @return these constraints with the column's severity changed
   */
  public Constraints withSeverity(String column, Severity severity) {
    Objects.requireNonNull(severity, "severity");
    return new Constraints(constraints.stream()
        .map(c -> c.column().equals(column) ? c.withSeverity(severity) : c).toList());
  }

  /**
   * @param column a column
   * @return its constraints
   */
  public List<Constraint> forColumn(String column) {
    return constraints.stream().filter(c -> c.column().equals(column)).toList();
  }

  /** @return {@code constraints.json} (UTF-8); custom predicates by name only */
  public byte[] toJson() {
    ObjectNode root = JsonFields.MAPPER.createObjectNode();
    root.put("format", FORMAT);
    root.put("formatVersion", FORMAT_VERSION);
    ArrayNode list = root.putArray("constraints");
    for (Constraint c : constraints) {
      ObjectNode n = list.addObject();
      n.put("check", c.check().name());
      if (!c.column().isEmpty()) {
        n.put("column", c.column());
      }
      n.put("severity", c.severity().name());
      if (c instanceof Constraint.DataType t) {
        n.put("type", t.type().name());
      } else if (c instanceof Constraint.Completeness t) {
        n.put("minShare", t.minShare());
      } else if (c instanceof Constraint.Range t) {
        JsonFields.putNumber(n, "min", t.min()); // an open bound is "-Infinity" / "Infinity"
        JsonFields.putNumber(n, "max", t.max());
      } else if (c instanceof Constraint.Domain t) {
        t.allowed().forEach(n.putArray("allowed")::add);
        n.put("toleratedShare", t.toleratedShare());
      } else if (c instanceof Constraint.MaxDistinct t) {
        n.put("max", t.max());
      } else if (c instanceof Constraint.StringLength t) {
        n.put("minLength", t.minLength()).put("maxLength", t.maxLength());
      } else if (c instanceof Constraint.Matches t) {
        n.put("regex", t.regex());
      } else if (c instanceof Constraint.RowCount t) {
        n.put("min", t.min()).put("max", t.max());
      } else if (c instanceof Constraint.NoExtraColumns t) {
        t.allowed().forEach(n.putArray("allowed")::add);
      } else if (c instanceof Constraint.BaselineDrift t) {
        n.put("test", t.test().name()).put("threshold", t.threshold());
      } else if (c instanceof Constraint.Custom t) {
        n.put("name", t.name());
      }
    }
    return JsonFields.write(root);
  }

  /**
   * Reads {@code constraints.json} that has no custom constraint.
   *
   * @param bytes the document
   * @return the constraints
   * @throws CorruptDataException naming the field if the document is malformed or of a newer
   *     format version
   * @throws IllegalArgumentException if it has a custom constraint (use {@link #fromJson(byte[], Map)})
   */
  public static Constraints fromJson(byte[] bytes) {
    return fromJson(bytes, Map.of());
  }

  /**
   * Reads {@code constraints.json}, binding each custom constraint's predicate by name.
   *
   * @param bytes the document
   * @param customs predicates by custom-constraint name
   * @return the constraints
   * @throws CorruptDataException naming the field if the document is malformed or of a newer
   *     format version
   * @throws IllegalArgumentException naming it if a custom constraint has no predicate in {@code customs}
   */
  public static Constraints fromJson(byte[] bytes, Map<String, Predicate<Object>> customs) {
    return fromJson(bytes, customs, "constraints.json");
  }

  static Constraints fromJson(byte[] bytes, Map<String, Predicate<Object>> customs, String origin) {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(customs, "customs");
    JsonFields f = new JsonFields(origin);
    JsonNode root = f.parse(bytes, FORMAT, FORMAT_VERSION);
    JsonNode list = f.array(root, "constraints", "constraints");
    List<Constraint> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String p = "constraints[" + i + "]";
      JsonNode n = list.get(i);
      if (!n.isObject()) {
        throw f.corrupt(p, "must be an object");
      }
      CheckType check = f.enumValue(n, "check", p + ".check", CheckType.class);
      Severity severity = f.enumValue(n, "severity", p + ".severity", Severity.class);
      boolean datasetLevel = check == CheckType.ROW_COUNT || check == CheckType.EXTRA_COLUMN;
      String column = datasetLevel ? "" : f.text(n, "column", p + ".column");
      try {
        out.add(switch (check) {
          case DATA_TYPE -> new Constraint.DataType(column, f.enumValue(n, "type", p + ".type", ColumnType.class), severity);
          case COMPLETENESS -> new Constraint.Completeness(column, f.number(n, "minShare", p + ".minShare"), severity);
          case NON_NEGATIVE -> new Constraint.NonNegative(column, severity);
          case RANGE -> new Constraint.Range(column, f.number(n, "min", p + ".min"), f.number(n, "max", p + ".max"), severity);
          case CATEGORICAL_VALUES -> new Constraint.Domain(column, texts(f, n, p), f.number(n, "toleratedShare",
              p + ".toleratedShare"), severity);
          case UNIQUENESS -> new Constraint.Unique(column, severity);
          case MAX_DISTINCT -> new Constraint.MaxDistinct(column, f.integer(n, "max", p + ".max", 1, Long.MAX_VALUE), severity);
          case STRING_LENGTH -> new Constraint.StringLength(column,
              (int) f.integer(n, "minLength", p + ".minLength", 0, Integer.MAX_VALUE),
              (int) f.integer(n, "maxLength", p + ".maxLength", 0, Integer.MAX_VALUE), severity);
          case PATTERN -> new Constraint.Matches(column, f.text(n, "regex", p + ".regex"), severity);
          case ROW_COUNT -> new Constraint.RowCount(f.integer(n, "min", p + ".min", 0, Long.MAX_VALUE),
              f.integer(n, "max", p + ".max", 0, Long.MAX_VALUE), severity);
          case MISSING_COLUMN -> new Constraint.ColumnPresent(column, severity);
          case EXTRA_COLUMN -> new Constraint.NoExtraColumns(texts(f, n, p), severity);
          case BASELINE_DRIFT -> new Constraint.BaselineDrift(column, f.enumValue(n, "test", p + ".test", DriftTest.class),
              f.number(n, "threshold", p + ".threshold"), severity);
          case CUSTOM -> {
            String name = f.text(n, "name", p + ".name");
            Predicate<Object> predicate = customs.get(name);
            if (predicate == null) {
              throw new IllegalArgumentException(origin + ": custom constraint '" + name + "' on column '" + column
                  + "' needs its predicate: pass it in customs (given: " + customs.keySet() + ")");
            }
            yield new Constraint.Custom(name, column, predicate, severity);
          }
        });
      } catch (IllegalArgumentException e) {
        if (check == CheckType.CUSTOM) {
          throw e;
        }
        throw f.corrupt(p, "is not a valid " + check + " constraint: " + e.getMessage(), e);
      }
    }
    try {
      return new Constraints(out);
    } catch (IllegalArgumentException e) {
      throw f.corrupt("constraints", e.getMessage(), e);
    }
  }

  private static List<String> texts(JsonFields f, JsonNode n, String p) {
    JsonNode a = f.array(n, "allowed", p + ".allowed");
    List<String> out = new ArrayList<>();
    for (int j = 0; j < a.size(); j++) {
      if (!a.get(j).isTextual()) {
        throw f.corrupt(p + ".allowed[" + j + "]", "must be text, got " + a.get(j));
      }
      out.add(a.get(j).asText());
    }
    return out;
  }
}
