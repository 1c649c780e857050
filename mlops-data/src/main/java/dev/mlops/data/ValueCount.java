package dev.mlops.data;

import java.util.Objects;

/**
 * A frequent value of a column and how often it occurred.
 *
 * <p>Immutable and thread-safe.
 *
 * @param value the value (text)
 * @param count its count: exact when the column's {@link ColumnStatistics#topValuesExact()} is
 *     true, otherwise an estimate that errs low by at most the frequent-items sketch's maximum
 *     error
 */
public record ValueCount(String value, long count) {
  /** @throws IllegalArgumentException if count is negative */
  public ValueCount {
    Objects.requireNonNull(value, "value");
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
  }
}
