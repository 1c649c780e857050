package dev.mlops.data;

import java.util.List;
import java.util.Objects;

/**
 * One failed constraint: which check on which column, what was observed against what was
 * expected, how many values (or rows) failed and their share, and a few example values with their
 * row numbers.
 *
 * <p>Immutable and thread-safe.
 *
 * @param check the kind of check
 * @param column the column, or an empty string for a dataset-level check
 * @param severity the constraint's severity
 * @param observed what the data showed, e.g. {@code completeness 0.95}
 * @param expected what the constraint required, e.g. {@code completeness >= 1.0}
 * @param failing how many values (or rows, for completeness) failed; 0 when not countable
 *     (distinct counts, drift)
 * @param share failing as a share of the values checked, in [0, 1] (0 when not countable)
 * @param examples up to {@value #MAX_EXAMPLES} failing values with their rows
 */
public record Violation(CheckType check, String column, Severity severity, String observed, String expected,
    long failing, double share, List<Example> examples) {
  /** The most examples a violation carries. */
  public static final int MAX_EXAMPLES = 5;

  /** @throws IllegalArgumentException if counts or share are out of range or there are too many examples */
  public Violation {
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(observed, "observed");
    Objects.requireNonNull(expected, "expected");
    examples = List.copyOf(examples);
    if (failing < 0 || !(share >= 0 && share <= 1) || examples.size() > MAX_EXAMPLES) {
      throw new IllegalArgumentException("invalid violation: failing " + failing + ", share " + share + ", "
          + examples.size() + " examples");
    }
  }

  /**
   * A failing value.
   *
   * <p>Immutable and thread-safe.
   *
   * @param row the 1-based row number (0 when the example is not a row's value)
   * @param value the value as text (an empty string for a missing value)
   */
  public record Example(long row, String value) {
    /** @throws IllegalArgumentException if row is negative */
    public Example {
      Objects.requireNonNull(value, "value");
      if (row < 0) {
        throw new IllegalArgumentException("row must be >= 0, got " + row);
      }
    }
  }

  @Override
  public String toString() {
    return severity + " " + check + (column.isEmpty() ? "" : " '" + column + "'") + ": observed " + observed
        + ", expected " + expected + (failing > 0 ? " (" + failing + " failing, " + String.format("%.2f%%", share * 100)
        + ")" : "") + (examples.isEmpty() ? "" : " e.g. " + examples.stream()
        .map(e -> "row " + e.row() + " '" + e.value() + "'").toList());
  }
}
