package dev.mlops.data;

import dev.mlops.drift.DriftTest;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.PatternSyntaxException;

/**
 * One declarative check of a dataset, as in Deequ and SageMaker Model Monitor. Each constraint
 * names its column (empty for dataset-level checks), its {@link CheckType} and its
 * {@link Severity}. All but {@link Custom} serialize to {@code constraints.json} (see
 * {@link Constraints}); a custom predicate is Java code and is written by name only, to be bound
 * again when the file is read.
 *
 * <p>Value checks ({@link DataType}, {@link NonNegative}, {@link Range}, {@link Domain},
 * {@link StringLength}, {@link Matches}, {@link Custom}) look at every non-missing value of the
 * column of the kind they apply to and report the failing share with example rows; aggregate
 * checks ({@link Completeness}, {@link Unique}, {@link MaxDistinct}, {@link RowCount},
 * {@link ColumnPresent}, {@link NoExtraColumns}, {@link BaselineDrift}) use the batch's
 * statistics.
 *
 * <p>Implementations are immutable and thread-safe (a {@link Custom} predicate must be too).
 */
public sealed interface Constraint {
  /** @return the kind of check */
  CheckType check();

  /** @return the column checked, or an empty string for a dataset-level check */
  String column();

  /** @return how much a violation matters */
  Severity severity();

  /**
   * @param severity the new severity
   * @return this constraint with another severity
   */
  Constraint withSeverity(Severity severity);

  private static String requireColumn(String column) {
    Objects.requireNonNull(column, "column");
    if (column.isEmpty()) {
      throw new IllegalArgumentException("column must not be empty");
    }
    return column;
  }

  private static double requireShare(String what, double share) {
    if (!(share >= 0 && share <= 1)) {
      throw new IllegalArgumentException(what + " must be in [0, 1], got " + share);
    }
    return share;
  }

  /**
   * Every value has the column's type ({@link ColumnType#accepts}); Model Monitor's
   * {@code data_type_check}.
   *
   * <p>Immutable and thread-safe.
   *
   * @param column the column
   * @param type the expected type (not UNKNOWN)
   * @param severity the severity
   */
  record DataType(String column, ColumnType type, Severity severity) implements Constraint {
    /** @throws IllegalArgumentException if the column is empty or the type is UNKNOWN */
    public DataType {
      requireColumn(column);
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(severity, "severity");
      if (type == ColumnType.UNKNOWN) {
        throw new IllegalArgumentException("a column cannot be required to be UNKNOWN");
      }
    }

    @Override
    public CheckType check() {
      return CheckType.DATA_TYPE;
    }

    @Override
    public DataType withSeverity(Severity severity) {
      return new DataType(column, type, severity);
    }
  }

  /**
   * At least {@code minShare} of the rows have a value; Model Monitor's {@code completeness_check}.
   *
   * <p>Immutable and thread-safe.
   *
   * @param column the column
   * @param minShare the least share of non-missing values, in [0, 1]
   * @param severity the severity
   */
  record Completeness(String column, double minShare, Severity severity) implements Constraint {
    /** @throws IllegalArgumentException if the share is outside [0, 1] */
    public Completeness {
      requireColumn(column);
      requireShare("minShare", minShare);
      Objects.requireNonNull(severity, "severity");
    }

    @Override
    public CheckType check() {
      return CheckType.COMPLETENESS;
    }

    @Override
    public Completeness withSeverity(Severity severity) {
      return new Completeness(column, minShare, severity);
    }
  }

  /**
   * No number is negative.
   *
   * <p>Immutable and thread-safe.
   *
   * @param column the column
   * @param severity the severity
   */
  record NonNegative(String column, Severity severity) implements Constraint {
    /** Validates. */
    public NonNegative {
      requireColumn(column);
      Objects.requireNonNull(severity, "severity");
    }

    @Override
    public CheckType check() {
      return CheckType.NON_NEGATIVE;
    }

    @Override
    public NonNegative withSeverity(Severity severity) {
      return new NonNegative(column, severity);
    }
  }

  /**
   * Every number lies in {@code [min, max]}.
   *
   * <p>Immutable and thread-safe.
   *
   * @param column the column
   * @param min the least allowed value
   * @param max the greatest allowed value
   * @param severity the severity
   */
  record Range(String column, double min, double max, Severity severity) implements Constraint {
    /** @throws IllegalArgumentException if min > max or either is NaN */
    public Range {
      requireColumn(column);
      Objects.requireNonNull(severity, "severity");
      if (!(min <= max)) {
        throw new IllegalArgumentException("range [" + min + ", " + max + "] is empty or NaN");
      }
    }

    @Override
    public CheckType check() {
      return CheckType.RANGE;
    }

    @Override
    public Range withSeverity(Severity severity) {
      return new Range(column, min, max, severity);
    }
  }

  /**
   * Values (as text: {@code true}, {@code 42}) are among the allowed categories, except for at most
   * {@code toleratedShare} of the non-missing values; Model Monitor's {@code categorical_values_check}.
   *
   * <p>Immutable and thread-safe.
   *
   * @param column the column
   * @param allowed the allowed categories (sorted and copied)
   * @param toleratedShare the share of values allowed outside, in [0, 1]
   * @param severity the severity
   */
  record Domain(String column, List<String> allowed, double toleratedShare, Severity severity) implements Constraint {
    /** @throws IllegalArgumentException if there is no category or the share is outside [0, 1] */
    public Domain {
      requireColumn(column);
      allowed = allowed.stream().sorted().distinct().toList();
      if (allowed.isEmpty()) {
        throw new IllegalArgumentException("domain of column '" + column + "' needs at least one category");
      }
      requireShare("toleratedShare", toleratedShare);
      Objects.requireNonNull(severity, "severity");
    }

    @Override
    public CheckType check() {
      return CheckType.CATEGORICAL_VALUES;
    }

    @Override
    public Domain withSeverity(Severity severity) {
      return new Domain(column, allowed, toleratedShare, severity);
    }
  }

  /**
   * No value repeats. Approximate: checked on the HLL distinct count, so a repeat is found once the
   * distinct estimate falls below the non-missing count by more than three relative standard errors
   * (about 5% of the values with the default sketch; near-exact below a few hundred values).
   *
   * <p>Immutable and thread-safe.
   *
   * @param column the column
   * @param severity the severity
   */
  record Unique(String column, Severity severity) implements Constraint {
    /** Validates. */
    public Unique {
      requireColumn(column);
      Objects.requireNonNull(severity, "severity");
    }

    @Override
    public CheckType check() {
      return CheckType.UNIQUENESS;
    }

    @Override
    public Unique withSeverity(Severity severity) {
      return new Unique(column, severity);
    }
  }

  /**
   * At most {@code max} distinct values (HLL estimate).
   *
   * <p>Immutable and thread-safe.
   *
   * @param column the column
   * @param max the most distinct values, at least 1
   * @param severity the severity
   */
  record MaxDistinct(String column, long max, Severity severity) implements Constraint {
    /** @throws IllegalArgumentException if max &lt; 1 */
    public MaxDistinct {
      requireColumn(column);
      Objects.requireNonNull(severity, "severity");
      if (max < 1) {
        throw new IllegalArgumentException("max distinct must be >= 1, got " + max);
      }
    }

    @Override
    public CheckType check() {
      return CheckType.MAX_DISTINCT;
    }

    @Override
    public MaxDistinct withSeverity(Severity severity) {
      return new MaxDistinct(column, max, severity);
    }
  }

  /**
   * Every text value has a length (in code points) in {@code [minLength, maxLength]}.
   *
   * <p>Immutable and thread-safe.
   *
   * @param column the column
   * @param minLength least length, &gt;= 0
   * @param maxLength greatest length, &gt;= minLength
   * @param severity the severity
   */
  record StringLength(String column, int minLength, int maxLength, Severity severity) implements Constraint {
    /** @throws IllegalArgumentException if the bounds are negative or crossed */
    public StringLength {
      requireColumn(column);
      Objects.requireNonNull(severity, "severity");
      if (minLength < 0 || maxLength < minLength) {
        throw new IllegalArgumentException("length bounds [" + minLength + ", " + maxLength + "] are invalid");
      }
    }

    @Override
    public CheckType check() {
      return CheckType.STRING_LENGTH;
    }

    @Override
    public StringLength withSeverity(Severity severity) {
      return new StringLength(column, minLength, maxLength, severity);
    }
  }

  /**
   * Every text value matches a regular expression (whole-value match).
   *
   * <p>Immutable and thread-safe.
   *
   * @param column the column
   * @param regex a {@link java.util.regex.Pattern} expression
   * @param severity the severity
   */
  record Matches(String column, String regex, Severity severity) implements Constraint {
    /** @throws IllegalArgumentException if the expression does not compile */
    public Matches {
      requireColumn(column);
      Objects.requireNonNull(severity, "severity");
      try {
        java.util.regex.Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("regex '" + regex + "' of column '" + column + "' is invalid: "
            + e.getDescription(), e);
      }
    }

    @Override
    public CheckType check() {
      return CheckType.PATTERN;
    }

    @Override
    public Matches withSeverity(Severity severity) {
      return new Matches(column, regex, severity);
    }
  }

  /**
   * The dataset has between {@code min} and {@code max} rows.
   *
   * <p>Immutable and thread-safe.
   *
   * @param min least rows, &gt;= 0
   * @param max most rows, &gt;= min
   * @param severity the severity
   */
  record RowCount(long min, long max, Severity severity) implements Constraint {
    /** @throws IllegalArgumentException if the bounds are negative or crossed */
    public RowCount {
      Objects.requireNonNull(severity, "severity");
      if (min < 0 || max < min) {
        throw new IllegalArgumentException("row count bounds [" + min + ", " + max + "] are invalid");
      }
    }

    @Override
    public CheckType check() {
      return CheckType.ROW_COUNT;
    }

    @Override
    public String column() {
      return "";
    }

    @Override
    public RowCount withSeverity(Severity severity) {
      return new RowCount(min, max, severity);
    }
  }

  /**
   * The column exists in the data (even if all its values are missing); Model Monitor's
   * {@code missing_column_check}.
   *
   * <p>Immutable and thread-safe.
   *
   * @param column the column
   * @param severity the severity
   */
  record ColumnPresent(String column, Severity severity) implements Constraint {
    /** Validates. */
    public ColumnPresent {
      requireColumn(column);
      Objects.requireNonNull(severity, "severity");
    }

    @Override
    public CheckType check() {
      return CheckType.MISSING_COLUMN;
    }

    @Override
    public ColumnPresent withSeverity(Severity severity) {
      return new ColumnPresent(column, severity);
    }
  }

  /**
   * The data has no column besides {@code allowed}; Model Monitor's {@code extra_column_check}.
   * Each extra column is one violation.
   *
   * <p>Immutable and thread-safe.
   *
   * @param allowed the known columns (copied)
   * @param severity the severity
   */
  record NoExtraColumns(List<String> allowed, Severity severity) implements Constraint {
    /** Validates and copies. */
    public NoExtraColumns {
      allowed = List.copyOf(allowed);
      Objects.requireNonNull(severity, "severity");
    }

    @Override
    public CheckType check() {
      return CheckType.EXTRA_COLUMN;
    }

    @Override
    public String column() {
      return "";
    }

    @Override
    public NoExtraColumns withSeverity(Severity severity) {
      return new NoExtraColumns(allowed, severity);
    }
  }

  /**
   * The column's numeric distribution is close to the baseline's; Model Monitor's
   * {@code baseline_drift_check}. The comparison is {@code mlops-drift}'s {@link DriftTest} on
   * quantile samples of the two KLL sketches (1,000 evenly spaced ranks each, 10 quantile bins of
   * the baseline): a violation when the statistic is at or above {@code threshold}. Only the
   * distance tests apply: PSI, Jensen-Shannon, Hellinger, Wasserstein, and Kolmogorov-Smirnov's D
   * (its p-value would depend on the stand-in sample size, so it is not used).
   *
   * <p>Immutable and thread-safe.
   *
   * @param column the column
   * @param test the distance
   * @param threshold the distance at and above which the column drifted, &gt; 0
   * @param severity the severity
   */
  record BaselineDrift(String column, DriftTest test, double threshold, Severity severity) implements Constraint {
    /** @throws IllegalArgumentException if the test is chi-square or the threshold is not positive */
    public BaselineDrift {
      requireColumn(column);
      Objects.requireNonNull(test, "test");
      Objects.requireNonNull(severity, "severity");
      if (test == DriftTest.CHI_SQUARE) {
        throw new IllegalArgumentException("baseline drift needs a distance; CHI_SQUARE only has a p-value here");
      }
      if (!(threshold > 0 && Double.isFinite(threshold))) {
        throw new IllegalArgumentException("drift threshold must be finite and > 0, got " + threshold);
      }
    }

    @Override
    public CheckType check() {
      return CheckType.BASELINE_DRIFT;
    }

    @Override
    public BaselineDrift withSeverity(Severity severity) {
      return new BaselineDrift(column, test, threshold, severity);
    }
  }

  /**
   * A named Java predicate over each non-missing value of a column (a Long, Double, String, Boolean
   * or {@link java.time.Instant}). Not serialized: {@code constraints.json} records its name,
   * column and severity, and {@link Constraints#fromJson(byte[], java.util.Map)} binds the
   * predicate again by name.
   *
   * <p>Immutable and thread-safe.
   *
   * @param name a name, unique among the custom constraints
   * @param column the column
   * @param predicate true for a good value; must be thread-safe and not throw
   * @param severity the severity
   */
  record Custom(String name, String column, Predicate<Object> predicate, Severity severity) implements Constraint {
    /** @throws IllegalArgumentException if the name is empty */
    public Custom {
      Objects.requireNonNull(name, "name");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("custom constraint name must not be empty");
      }
      requireColumn(column);
      Objects.requireNonNull(predicate, "predicate");
      Objects.requireNonNull(severity, "severity");
    }

    @Override
    public CheckType check() {
      return CheckType.CUSTOM;
    }

    @Override
    public Custom withSeverity(Severity severity) {
      return new Custom(name, column, predicate, severity);
    }
  }
}
