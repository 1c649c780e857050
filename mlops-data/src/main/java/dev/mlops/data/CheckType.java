package dev.mlops.data;

/**
 * The kind of check a {@link Constraint} makes and a {@link Violation} reports. The first six are
 * SageMaker Model Monitor's check types ({@code data_type_check}, {@code completeness_check},
 * {@code missing_column_check}, {@code extra_column_check}, {@code categorical_values_check},
 * {@code baseline_drift_check}); the others are Deequ-style value checks.
 *
 * <p>Immutable and thread-safe.
 */
public enum CheckType {
  /** Values that are not of the column's declared type. */
  DATA_TYPE,
  /** Share of non-null values below the required completeness. */
  COMPLETENESS,
  /** A required column absent from the data. */
  MISSING_COLUMN,
  /** A column in the data that the constraints do not know. */
  EXTRA_COLUMN,
  /** Values outside the allowed categories, beyond the tolerated share. */
  CATEGORICAL_VALUES,
  /** The column's distribution differs from the baseline's (a {@code mlops-drift} test). */
  BASELINE_DRIFT,
  /** Negative numbers in a column that must not have any. */
  NON_NEGATIVE,
  /** Numbers outside an inclusive range. */
  RANGE,
  /** Repeated values in a column that must be unique. */
  UNIQUENESS,
  /** More distinct values than allowed. */
  MAX_DISTINCT,
  /** Text shorter or longer than allowed. */
  STRING_LENGTH,
  /** Text not matching a regular expression. */
  PATTERN,
  /** Too few or too many rows. */
  ROW_COUNT,
  /** A user-supplied predicate rejected values. */
  CUSTOM
}
