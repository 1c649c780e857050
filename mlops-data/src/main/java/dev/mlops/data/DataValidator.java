package dev.mlops.data;

import dev.mlops.drift.DriftTestResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Verifies data against {@link Constraints} in one pass: value checks run on every value as it is
 * read, aggregate checks on the batch's statistics, computed in the same pass (and returned with
 * the report). Memory is bounded as for {@link DataProfiler}, plus at most
 * {@value Violation#MAX_EXAMPLES} examples per constraint.
 *
 * <pre>{@code
 * ValidationReport report = DataValidator.verify(Records.csv(batch), constraints, baseline);
 * report.violations().forEach(System.out::println);
 * }</pre>
 *
 * <p>Thread-safe (stateless): each call verifies its own source.
 */
public final class DataValidator {
  /** Quantile ranks per sketch compared by the baseline-drift check. */
  static final int DRIFT_SAMPLE = 1000;
  /** Quantile bins of the baseline for the binned drift tests. */
  static final int DRIFT_BINS = 10;

  private DataValidator() {}

  /**
   * Verifies data against constraints that have no {@link Constraint.BaselineDrift}.
   *
   * @param data the records (a single-use source is consumed)
   * @param constraints the constraints
   * @return the report
   * @throws IllegalArgumentException if a constraint needs a baseline
   * @throws MalformedDataException naming the row and column if the data cannot be read
   */
  public static ValidationReport verify(Records data, Constraints constraints) {
    return run(data, constraints, null);
  }

  /**
   * Verifies data against constraints, comparing distributions with a baseline for
   * {@link Constraint.BaselineDrift}.
   *
   * @param data the records (a single-use source is consumed)
   * @param constraints the constraints
   * @param baseline statistics of the reference data (usually those the constraints were suggested from)
   * @return the report
   * @throws IllegalArgumentException if a drift constraint names a column the baseline lacks
   * @throws MalformedDataException naming the row and column if the data cannot be read
   */
  public static ValidationReport verify(Records data, Constraints constraints, DatasetStatistics baseline) {
    return run(data, constraints, Objects.requireNonNull(baseline, "baseline"));
  }

  private static ValidationReport run(Records data, Constraints constraints, DatasetStatistics baseline) {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(constraints, "constraints");
    for (Constraint c : constraints.constraints()) {
      if (c instanceof Constraint.BaselineDrift d) {
        if (baseline == null) {
          throw new IllegalArgumentException("constraint " + d + " needs a baseline: call verify(data, constraints, baseline)");
        }
        if (baseline.find(d.column()).isEmpty()) {
          throw new IllegalArgumentException("the baseline has no column '" + d.column() + "' for " + d
              + "; its columns are " + baseline.columnNames());
        }
      }
    }
    Map<String, List<ValueCheck>> byColumn = new HashMap<>();
    Map<Constraint, ValueCheck> checkOf = new HashMap<>();
    for (Constraint c : constraints.constraints()) {
      ValueCheck v = ValueCheck.of(c);
      if (v != null) {
        byColumn.computeIfAbsent(c.column(), k -> new ArrayList<>()).add(v);
        checkOf.put(c, v);
      }
    }
    Checks listener = new Checks(byColumn);
    SketchSettings settings = baseline != null ? baseline.settings() : DataProfiler.create().settings();
    ProfilingSink sink = new ProfilingSink(settings, data.describe(), listener);
    data.feed(sink);
    DatasetStatistics stats = sink.statistics();
    List<Violation> out = new ArrayList<>();
    for (Constraint c : constraints.constraints()) {
      evaluate(c, checkOf.get(c), stats, baseline, out);
    }
    return new ValidationReport(stats.rows(), constraints.constraints().size(), out, stats);
  }

  private static void evaluate(Constraint c, ValueCheck check, DatasetStatistics stats, DatasetStatistics baseline,
      List<Violation> out) {
    long rows = stats.rows();
    if (c instanceof Constraint.RowCount r) {
      if (rows < r.min() || rows > r.max()) {
        out.add(new Violation(c.check(), "", c.severity(), rows + " rows", "between " + r.min() + " and "
            + (r.max() == Long.MAX_VALUE ? "any number of" : Long.toString(r.max())) + " rows", 0, 0, List.of()));
      }
      return;
    }
    if (c instanceof Constraint.NoExtraColumns e) {
      Set<String> allowed = new HashSet<>(e.allowed());
      for (ColumnStatistics col : stats.columns()) {
        if (!allowed.contains(col.name())) {
          out.add(new Violation(c.check(), col.name(), c.severity(), "column '" + col.name() + "' with "
              + col.present() + " values", "only the columns " + e.allowed(), col.present(),
              rows == 0 ? 0 : (double) col.present() / rows, List.of()));
        }
      }
      return;
    }
    ColumnStatistics col = stats.find(c.column()).orElse(null);
    if (c instanceof Constraint.ColumnPresent) {
      if (col == null) {
        out.add(new Violation(c.check(), c.column(), c.severity(), "no column '" + c.column() + "'",
            "column present", rows, rows == 0 ? 0 : 1, List.of()));
      }
      return;
    }
    if (c instanceof Constraint.Completeness k) {
      ColumnStatistics s = col != null ? col : ColumnStatistics.absent(c.column(), stats.settings(), rows);
      if (s.completeness() < k.minShare()) {
        out.add(new Violation(c.check(), c.column(), c.severity(), "completeness " + fmt(s.completeness()) + " ("
            + s.missing() + " of " + rows + " missing)", "completeness >= " + fmt(k.minShare()), s.missing(),
            rows == 0 ? 0 : (double) s.missing() / rows, List.of()));
      }
      return;
    }
    if (col == null) {
      return; // nothing to check; the column's absence is MISSING_COLUMN's to report
    }
    if (check != null) {
      check.report(col, out);
      return;
    }
    if (c instanceof Constraint.Unique) {
      long present = col.present();
      double tolerance = Math.floor(3 * col.distinctRelativeError() * present);
      if (present - col.distinctCount() > tolerance) {
        long repeats = Math.round(present - col.distinctCount());
        out.add(new Violation(c.check(), c.column(), c.severity(), "about " + (long) col.distinctCount()
            + " distinct of " + present + " values", "all " + present + " values distinct", repeats,
            present == 0 ? 0 : Math.min(1, (double) repeats / present), List.of()));
      }
    } else if (c instanceof Constraint.MaxDistinct m) {
      if (col.distinctCount() > m.max()) {
        out.add(new Violation(c.check(), c.column(), c.severity(), "about " + (long) col.distinctCount()
            + " distinct values", "at most " + m.max(), 0, 0, List.of()));
      }
    } else if (c instanceof Constraint.BaselineDrift d) {
      ColumnStatistics ref = baseline.column(d.column());
      if (ref.numericCount() == 0 || col.numericCount() == 0) {
        if (ref.numericCount() != col.numericCount()) {
          out.add(new Violation(c.check(), c.column(), c.severity(), col.numericCount() + " numbers",
              "numbers to compare with the baseline's " + ref.numericCount(), 0, 0, List.of()));
        }
        return;
      }
      DriftTestResult r = d.test().compare(ref.quantileSample(DRIFT_SAMPLE), col.quantileSample(DRIFT_SAMPLE), DRIFT_BINS);
      if (r.statistic() >= d.threshold()) {
        out.add(new Violation(c.check(), c.column(), c.severity(), d.test() + " " + fmt(r.statistic()) + " (mean "
            + fmt(col.mean()) + ", baseline " + fmt(ref.mean()) + ")", d.test() + " < " + fmt(d.threshold()), 0, 0,
            List.of()));
      }
    }
  }

  static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4g", v);
  }

  static String text(Object v) {
    return v.toString();
  }

  /**
   * @return the CSV cell as written if there is one, else the value as text (domain and pattern
   *     checks accept a value if either form passes: {@code 007} as written, {@code true} for
   *     {@code TRUE})
   */
  static String text(Object v, String raw) {
    return raw != null ? raw : v.toString();
  }

  /** The longest example value kept in a report, in chars; longer ones are cut, saying their length. */
  static final int MAX_EXAMPLE_CHARS = 200;

  static Violation.Example example(long row, String value) {
    if (value.length() <= MAX_EXAMPLE_CHARS) {
      return new Violation.Example(row, value);
    }
    int cut = Character.isHighSurrogate(value.charAt(MAX_EXAMPLE_CHARS - 1)) ? MAX_EXAMPLE_CHARS - 1 : MAX_EXAMPLE_CHARS;
    return new Violation.Example(row, value.substring(0, cut) + "... (" + value.length() + " chars)");
  }

  /** Routes values to the value checks of their column. */
  private static final class Checks implements ProfilingSink.ValueListener {
    private final Map<String, List<ValueCheck>> byColumn;
    private ValueCheck[][] checks = new ValueCheck[16][];

    Checks(Map<String, List<ValueCheck>> byColumn) {
      this.byColumn = byColumn;
    }

    @Override
    public void column(int index, String name) {
      if (index >= checks.length) {
        checks = Arrays.copyOf(checks, Math.max(index + 1, checks.length * 2));
      }
      List<ValueCheck> list = byColumn.get(name);
      checks[index] = list == null ? null : list.toArray(new ValueCheck[0]);
    }

    @Override
    public void value(long row, int column, Object value) {
      value(row, column, value, null);
    }

    @Override
    public void value(long row, int column, Object value, String raw) {
      ValueCheck[] list = checks[column];
      if (list != null) {
        for (ValueCheck c : list) {
          c.accept(row, value, raw);
        }
      }
    }
  }

  /** A per-value check with its counters and examples. Not thread-safe. */
  private abstract static class ValueCheck {
    final Constraint constraint;
    long checked;
    long failing;
    final List<Violation.Example> examples = new ArrayList<>();

    ValueCheck(Constraint constraint) {
      this.constraint = constraint;
    }

    static ValueCheck of(Constraint c) {
      if (c instanceof Constraint.DataType t) {
        return new ValueCheck(c) {
          private final Map<ColumnType, Long> seen = new java.util.EnumMap<>(ColumnType.class);

          @Override
          Boolean test(Object v) {
            ColumnType kind = Values.kindOf(v);
            boolean ok = t.type().accepts(kind);
            if (!ok) {
              seen.merge(kind, 1L, Long::sum);
            }
            return ok;
          }

          @Override
          String observed(ColumnStatistics col) {
            return failing + " values not " + t.type() + " " + seen;
          }

          @Override
          String expected() {
            return "every value " + t.type();
          }
        };
      }
      if (c instanceof Constraint.NonNegative) {
        return new ValueCheck(c) {
          @Override
          Boolean test(Object v) {
            return number(v) == null ? null : !(number(v) < 0);
          }

          @Override
          String observed(ColumnStatistics col) {
            return failing + " negative values, min " + fmt(col.min());
          }

          @Override
          String expected() {
            return "values >= 0";
          }
        };
      }
      if (c instanceof Constraint.Range r) {
        return new ValueCheck(c) {
          @Override
          Boolean test(Object v) {
            Double d = number(v);
            return d == null ? null : d >= r.min() && d <= r.max();
          }

          @Override
          String observed(ColumnStatistics col) {
            return failing + " values outside, min " + fmt(col.min()) + ", max " + fmt(col.max());
          }

          @Override
          String expected() {
            return "values in [" + fmt(r.min()) + ", " + fmt(r.max()) + "]";
          }
        };
      }
      if (c instanceof Constraint.Domain d) {
        Set<String> allowed = Set.copyOf(d.allowed());
        return new ValueCheck(c) {
          private final Set<String> outside = new HashSet<>();

          @Override
          Boolean test(Object v) {
            return test(v, null);
          }

          @Override
          Boolean test(Object v, String raw) {
            return allowed.contains(text(v)) || raw != null && allowed.contains(raw);
          }

          @Override
          void accept(long row, Object v, String raw) {
            checked++;
            String s = text(v, raw);
            if (!test(v, raw)) {
              failing++;
              if (examples.size() < Violation.MAX_EXAMPLES && outside.add(s)) {
                examples.add(example(row, s));
              }
            }
          }

          @Override
          boolean violated() {
            return failing > 0 && (double) failing / checked > d.toleratedShare();
          }

          @Override
          String observed(ColumnStatistics col) {
            return failing + " values outside the domain (" + fmt((double) failing / checked) + ")";
          }

          @Override
          String expected() {
            return "values in " + d.allowed() + (d.toleratedShare() > 0 ? ", at most " + fmt(d.toleratedShare())
                + " outside" : "");
          }
        };
      }
      if (c instanceof Constraint.StringLength l) {
        return new ValueCheck(c) {
          @Override
          Boolean test(Object v) {
            if (!(v instanceof String s)) {
              return null;
            }
            int n = s.codePointCount(0, s.length());
            return n >= l.minLength() && n <= l.maxLength();
          }

          @Override
          String observed(ColumnStatistics col) {
            return failing + " texts of another length, lengths " + col.minLength().orElse(0) + ".."
                + col.maxLength().orElse(0);
          }

          @Override
          String expected() {
            return "lengths " + l.minLength() + ".." + l.maxLength();
          }
        };
      }
      if (c instanceof Constraint.Matches m) {
        Matcher matcher = Pattern.compile(m.regex()).matcher("");
        return new ValueCheck(c) {
          @Override
          Boolean test(Object v) {
            return test(v, null);
          }

          @Override
          Boolean test(Object v, String raw) {
            return matcher.reset(text(v)).matches() || raw != null && matcher.reset(raw).matches();
          }

          @Override
          String observed(ColumnStatistics col) {
            return failing + " values not matching";
          }

          @Override
          String expected() {
            return "values matching /" + m.regex() + "/";
          }
        };
      }
      if (c instanceof Constraint.Custom u) {
        return new ValueCheck(c) {
          @Override
          Boolean test(Object v) {
            return u.predicate().test(v);
          }

          @Override
          String observed(ColumnStatistics col) {
            return failing + " values rejected by '" + u.name() + "'";
          }

          @Override
          String expected() {
            return "every value accepted by '" + u.name() + "'";
          }
        };
      }
      return null;
    }

    static Double number(Object v) {
      if (v instanceof Double d) {
        return d;
      }
      if (v instanceof Long l) {
        return (double) l;
      }
      return null;
    }

    /** @return true (good), false (failing) or null (value not of the kind checked) */
    abstract Boolean test(Object v);

    /**
     * @param raw the CSV cell the value was parsed from, or null
     * @return as {@link #test(Object)}; text checks override this one to see the cell as written
     */
    Boolean test(Object v, String raw) {
      return test(v);
    }

    abstract String observed(ColumnStatistics col);

    abstract String expected();

    void accept(long row, Object v, String raw) {
      Boolean ok = test(v, raw);
      if (ok == null) {
        return;
      }
      checked++;
      if (!ok) {
        failing++;
        if (examples.size() < Violation.MAX_EXAMPLES) {
          examples.add(example(row, text(v, raw)));
        }
      }
    }

    boolean violated() {
      return failing > 0;
    }

    void report(ColumnStatistics col, List<Violation> out) {
      if (violated()) {
        out.add(new Violation(constraint.check(), constraint.column(), constraint.severity(), observed(col), expected(),
            failing, (double) failing / checked, examples));
      }
    }
  }
}
