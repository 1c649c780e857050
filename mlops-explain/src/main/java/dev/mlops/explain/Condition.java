package dev.mlops.explain;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A test on one column that splits rows in two: the sensitive facet <i>d</i> versus the rest
 * (facet <i>a</i>), or a positive versus a negative outcome. As in SageMaker Clarify, a condition
 * is either a set of values (categorical column, or a numeric column whose values are compared
 * numerically) or a threshold on a numeric column, where a value strictly greater than the
 * threshold satisfies the condition.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface Condition permits Condition.InValues, Condition.AboveThreshold {

  /**
   * The column the condition reads.
   *
   * @return the column name
   */
  String column();

  /**
   * Rows whose value equals {@code value}.
   *
   * @param column column name
   * @param value the value
   * @return the condition
   */
  static Condition equalTo(String column, String value) {
    return new InValues(column, Set.of(value));
  }

  /**
   * Rows whose value is one of {@code values}.
   *
   * @param column column name
   * @param values the values, at least one
   * @return the condition
   */
  static Condition in(String column, Set<String> values) {
    return new InValues(column, values);
  }

  /**
   * Rows whose numeric value is strictly greater than {@code threshold}.
   *
   * @param column column name of a numeric column
   * @param threshold the threshold, finite
   * @return the condition
   */
  static Condition above(String column, double threshold) {
    return new AboveThreshold(column, threshold);
  }

  /**
   * A condition on a set of values.
   *
   * @param column column name
   * @param values the values (sorted copy)
   */
  record InValues(String column, Set<String> values) implements Condition {
    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException if the column is blank or values is empty
     */
    public InValues {
      Objects.requireNonNull(column, "column");
      Objects.requireNonNull(values, "values");
      if (column.isBlank()) {
        throw new IllegalArgumentException("column must not be blank");
      }
      if (values.isEmpty()) {
        throw new IllegalArgumentException("condition on column '" + column + "' needs at least one value");
      }
      values = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(values));
    }

    @Override
    public String toString() {
      return values.size() == 1 ? column + " = " + values.iterator().next() : column + " in " + values;
    }
  }

  /**
   * A threshold on a numeric column: satisfied by values strictly greater than the threshold.
   *
   * @param column column name
   * @param threshold the threshold
   */
  record AboveThreshold(String column, double threshold) implements Condition {
    /**
     * Validates.
     *
     * @throws IllegalArgumentException if the column is blank or the threshold is not finite
     */
    public AboveThreshold {
      Objects.requireNonNull(column, "column");
      if (column.isBlank()) {
        throw new IllegalArgumentException("column must not be blank");
      }
      if (!Double.isFinite(threshold)) {
        throw new IllegalArgumentException("threshold on column '" + column + "' must be finite, got " + threshold);
      }
    }

    @Override
    public String toString() {
      return column + " > " + threshold;
    }
  }
}
