package dev.mlops.data;

import dev.mlops.drift.DriftTest;
import dev.mlops.drift.DriftThreshold;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Proposes {@link Constraints} from baseline statistics, as Deequ's constraint suggestion and
 * SageMaker Model Monitor's {@code suggest_baseline} do; the user reviews and edits them
 * ({@link Constraints#with}, {@link Constraints#without}, {@link Constraints#withSeverity}).
 *
 * <p>Rules, per column with at least one value:
 * <ul>
 *   <li>{@link Constraint.ColumnPresent} (ERROR) and, over the dataset, {@link Constraint.NoExtraColumns}
 *       (ERROR) and {@link Constraint.RowCount} of at least one row (ERROR);</li>
 *   <li>{@link Constraint.DataType} with the inferred type (ERROR);</li>
 *   <li>{@link Constraint.Completeness}: 1 if the column was complete, otherwise the observed
 *       share minus three binomial standard errors, so a batch as complete as the baseline passes
 *       (ERROR);</li>
 *   <li>{@link Constraint.NonNegative} for numeric columns whose minimum is at least 0 and that
 *       have no infinite value (ERROR);</li>
 *   <li>{@link Constraint.Domain} with the observed categories, none tolerated outside, for
 *       columns of text only (no number, boolean or timestamp among the values; none longer than
 *       1,024 chars) and boolean columns, with at most {@link Builder#maxCategories} distinct values, each seen on average
 *       at least twice, all counted exactly (ERROR);</li>
 *   <li>{@link Constraint.Unique} for integral and text columns whose values were all distinct
 *       (within the HLL error), at least 20 of them (ERROR);</li>
 *   <li>{@link Constraint.BaselineDrift} with PSI at mlops-drift's default threshold (0.1) for
 *       numeric columns with at least 30 numbers that are not identifiers (not suggested unique; a
 *       batch of other ids is not drift) (WARNING: a shift is worth a look, not always bad data).</li>
 * </ul>
 * All-missing columns get only {@link Constraint.ColumnPresent}. Ranges, lengths and patterns are
 * not suggested (the observed extremes of a sample are poor bounds); add them by hand.
 *
 * <p>Immutable and thread-safe.
 */
public final class ConstraintSuggester {
  private final int maxCategories;
  private final DriftTest driftTest;
  private final double driftThreshold;

  private ConstraintSuggester(Builder b) {
    this.maxCategories = b.maxCategories;
    this.driftTest = b.driftTest;
    this.driftThreshold = b.driftThreshold;
  }

  /** @return a builder with the defaults */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Suggests constraints with the default settings.
   *
   * @param statistics the baseline
   * @return the suggested constraints
   * @throws IllegalArgumentException if the baseline has no rows
   */
  public static Constraints suggest(DatasetStatistics statistics) {
    return builder().build().suggestFrom(statistics);
  }

  /**
   * @param statistics the baseline
   * @return the suggested constraints
   * @throws IllegalArgumentException if the baseline has no rows
   */
  public Constraints suggestFrom(DatasetStatistics statistics) {
    Objects.requireNonNull(statistics, "statistics");
    if (statistics.rows() == 0) {
      throw new IllegalArgumentException("cannot suggest constraints from statistics of 0 rows");
    }
    List<Constraint> out = new ArrayList<>();
    out.add(new Constraint.RowCount(1, Long.MAX_VALUE, Severity.ERROR));
    out.add(new Constraint.NoExtraColumns(statistics.columnNames(), Severity.ERROR));
    for (ColumnStatistics c : statistics.columns()) {
      String name = c.name();
      out.add(new Constraint.ColumnPresent(name, Severity.ERROR));
      ColumnType type = c.type();
      if (type == ColumnType.UNKNOWN) {
        continue;
      }
      out.add(new Constraint.DataType(name, type, Severity.ERROR));
      double p = c.completeness();
      double min = p == 1 ? 1 : Math.max(0, p - 3 * Math.sqrt(p * (1 - p) / c.rows()));
      out.add(new Constraint.Completeness(name, Math.floor(min * 1e4) / 1e4, Severity.ERROR));
      boolean numeric = type == ColumnType.INTEGRAL || type == ColumnType.FRACTIONAL;
      // min covers finite numbers only: with infinities present, -Infinity may be among them
      if (numeric && c.numericCount() > 0 && c.min() >= 0 && c.infiniteCount() == 0) {
        out.add(new Constraint.NonNegative(name, Severity.ERROR));
      }
      // top values count text values only: a column mixing text with numbers etc. gets no domain
      if (type == ColumnType.STRING && c.count(ColumnType.STRING) == c.present() && c.topValuesExact()
          && !c.topValues().isEmpty() && c.topValues().stream().allMatch(v -> v.value().length() <= ColumnAccumulator.MAX_ITEM_CHARS)
          && c.topValues().size() <= maxCategories && c.present() >= 2L * c.topValues().size()) {
        out.add(new Constraint.Domain(name, c.topValues().stream().map(ValueCount::value).toList(), 0, Severity.ERROR));
      } else if (type == ColumnType.BOOLEAN) {
        List<String> seen = new ArrayList<>();
        if (c.trueCount() > 0) {
          seen.add("true");
        }
        if (c.falseCount() > 0) {
          seen.add("false");
        }
        out.add(new Constraint.Domain(name, seen, 0, Severity.ERROR));
      }
      boolean unique = (type == ColumnType.INTEGRAL || type == ColumnType.STRING) && c.present() >= 20
          && c.present() - c.distinctCount() <= Math.floor(3 * c.distinctRelativeError() * c.present());
      if (unique) {
        out.add(new Constraint.Unique(name, Severity.ERROR));
      }
      if (numeric && !unique && c.numericCount() >= 30) {
        out.add(new Constraint.BaselineDrift(name, driftTest, driftThreshold, Severity.WARNING));
      }
    }
    return new Constraints(out);
  }

  /**
   * Configures a {@link ConstraintSuggester}.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private int maxCategories = 20;
    private DriftTest driftTest = DriftTest.POPULATION_STABILITY_INDEX;
    private double driftThreshold = DriftThreshold.defaultFor(DriftTest.POPULATION_STABILITY_INDEX).threshold();

    private Builder() {}

    /**
     * @param max most distinct texts for which a domain is suggested, 1 or more (default 20)
     * @return this builder
     * @throws IllegalArgumentException if max &lt; 1
     */
    public Builder maxCategories(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("max categories must be >= 1, got " + max);
      }
      this.maxCategories = max;
      return this;
    }

    /**
     * @param test the distance for suggested baseline-drift checks (default PSI)
     * @param threshold the distance at and above which a column drifted (default 0.1)
     * @return this builder
     * @throws IllegalArgumentException as {@link Constraint.BaselineDrift} does
     */
    public Builder drift(DriftTest test, double threshold) {
      new Constraint.BaselineDrift("x", test, threshold, Severity.WARNING); // validates
      this.driftTest = test;
      this.driftThreshold = threshold;
      return this;
    }

    /** @return the suggester */
    public ConstraintSuggester build() {
      return new ConstraintSuggester(this);
    }
  }
}
