package dev.mlops.explain;

import dev.mlops.explain.Table.CategoricalColumn;
import dev.mlops.explain.Table.Column;
import dev.mlops.explain.Table.NumericColumn;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Computes a {@link BiasReport} over a {@link Table}: one pass fills {@link BiasCounts}, from which
 * every metric except the flip test follows; the flip test (when feature columns are named) is a
 * nearest-neighbour search of cost O(n<sub>d</sub> · n<sub>a</sub>).
 *
 * <p>Bad input is rejected with the offending column and value named: a facet that selects no row
 * (or every row), a label with a single class, NaN in a facet, label, prediction, group or flip-test
 * column. Metrics undefined for valid data are NaN with a reason.
 *
 * <p>Thread-safe (stateless).
 */
public final class BiasAnalysis {
  private BiasAnalysis() {}

  /**
   * Analyses the table.
   *
   * @param table the data: facet, label, optional prediction, group and feature columns
   * @param spec what to measure
   * @return the report: pre-training metrics, and post-training metrics when the spec has a prediction
   * @throws IllegalArgumentException for a missing column, a facet value that occurs in no row, a
   *     facet that holds every row, a single-class label, or NaN in a column read
   */
  public static BiasReport analyze(Table table, BiasSpec spec) {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(spec, "spec");
    int n = table.rowCount();
    boolean[] facet = evaluate(table, spec.facet(), "facet");
    int nd = 0;
    for (boolean f : facet) {
      if (f) {
        nd++;
      }
    }
    if (nd == 0) {
      throw new IllegalArgumentException("facet " + spec.facet() + " selects no row" + describeColumn(table, spec.facet().column()));
    }
    if (nd == n) {
      throw new IllegalArgumentException("facet " + spec.facet() + " selects every row (" + n
          + "); facet a (the rest) would be empty" + describeColumn(table, spec.facet().column()));
    }
    boolean[] label = evaluate(table, spec.label(), "label");
    int positives = 0;
    for (boolean l : label) {
      if (l) {
        positives++;
      }
    }
    if (positives == 0 || positives == n) {
      throw new IllegalArgumentException("label " + spec.label() + " is " + (positives == 0 ? "false" : "true")
          + " for every row: a single-class label has no bias to measure" + describeColumn(table, spec.label().column()));
    }
    boolean[] predicted = spec.prediction().isPresent() ? evaluate(table, spec.prediction().get(), "prediction") : null;
    List<String> groupNames = new ArrayList<>();
    int[] groups = spec.group().isPresent() ? groupCodes(table, spec.group().get(), groupNames) : null;
    if (groups == null) {
      groupNames.add("all rows");
    }

    long[] cells = new long[groupNames.size() * 8];
    count(cells, facet, label, predicted, groups);
    BiasCounts counts = BiasCounts.ofRaw(cells, groupNames.size(), predicted != null);

    List<MetricValue> metrics = new ArrayList<>(rename(counts.preTraining(), groupNames));
    if (predicted != null) {
      for (MetricValue m : rename(counts.postTraining(), groupNames)) {
        if (m.metric() == BiasMetric.FT && !spec.flipTestFeatures().isEmpty()) {
          metrics.add(FlipTest.compute(table, spec.flipTestFeatures(), spec.flipTestNeighbours(), facet, predicted));
        } else {
          metrics.add(m);
        }
      }
    }
    return new BiasReport(spec.facet().toString(), spec.label().toString(), spec.prediction().map(Object::toString),
        spec.group(), n, n - nd, nd, metrics);
  }

  /** The counting pass; the floor a benchmark compares against is this loop alone. */
  static void count(long[] cells, boolean[] facet, boolean[] label, boolean[] predicted, int[] groups) {
    int n = facet.length;
    for (int i = 0; i < n; i++) {
      int c = (facet[i] ? 4 : 0) | (label[i] ? 2 : 0) | (predicted != null && predicted[i] ? 1 : 0);
      cells[(groups == null ? 0 : groups[i] * 8) + c]++;
    }
  }

  private static List<MetricValue> rename(List<MetricValue> values, List<String> groupNames) {
    if (groupNames.size() == 1) {
      return values;
    }
    List<MetricValue> out = new ArrayList<>(values.size());
    for (MetricValue v : values) {
      if (v.reason().isPresent() && v.reason().get().startsWith("group ")) {
        String rest = v.reason().get().substring("group ".length());
        int space = rest.indexOf(' ');
        int index = Integer.parseInt(rest.substring(0, space));
        out.add(MetricValue.undefined(v.metric(), "group '" + groupNames.get(index) + "'" + rest.substring(space)));
      } else {
        out.add(v);
      }
    }
    return out;
  }

  static boolean[] evaluate(Table table, Condition condition, String role) {
    Column column = table.column(condition.column());
    int n = table.rowCount();
    boolean[] out = new boolean[n];
    if (column instanceof CategoricalColumn c) {
      if (condition instanceof Condition.AboveThreshold t) {
        throw new IllegalArgumentException(role + " " + t + ": column '" + c.name()
            + "' is categorical; a threshold needs a numeric column, use Condition.equalTo/in for values");
      }
      Condition.InValues in = (Condition.InValues) condition;
      boolean[] match = new boolean[c.levels().size()];
      boolean any = false;
      for (String v : in.values()) {
        int code = c.codeOf(v);
        if (code >= 0) {
          match[code] = true;
          any = true;
        }
      }
      if (!any && role.equals("facet")) {
        throw new IllegalArgumentException("facet " + in + ": no row of column '" + c.name() + "' has "
            + (in.values().size() == 1 ? "that value" : "any of those values") + "; its values are " + levels(c));
      }
      int[] codes = c.codes();
      for (int i = 0; i < n; i++) {
        out[i] = match[codes[i]];
      }
      return out;
    }
    double[] x = ((NumericColumn) column).values();
    checkFinite(x, column.name(), role);
    if (condition instanceof Condition.AboveThreshold t) {
      double th = t.threshold();
      for (int i = 0; i < n; i++) {
        out[i] = x[i] > th;
      }
      return out;
    }
    Condition.InValues in = (Condition.InValues) condition;
    double[] wanted = new double[in.values().size()];
    int k = 0;
    for (String v : in.values()) {
      try {
        wanted[k++] = Double.parseDouble(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(role + " " + in + ": column '" + column.name()
            + "' is numeric and '" + v + "' is not a number", e);
      }
    }
    for (int i = 0; i < n; i++) {
      double v = x[i];
      for (double w : wanted) {
        if (v == w) {
          out[i] = true;
          break;
        }
      }
    }
    return out;
  }

  static void checkFinite(double[] x, String column, String role) {
    for (int i = 0; i < x.length; i++) {
      if (Double.isNaN(x[i])) {
        throw new IllegalArgumentException(role + " column '" + column + "' is NaN at row " + i
            + "; drop or impute missing values before a bias analysis");
      }
    }
  }

  private static int[] groupCodes(Table table, String name, List<String> names) {
    Column column = table.column(name);
    if (column instanceof CategoricalColumn c) {
      names.addAll(c.levels());
      return c.codes();
    }
    double[] x = ((NumericColumn) column).values();
    checkFinite(x, name, "group");
    Map<Double, Integer> index = new HashMap<>();
    int[] codes = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      Integer code = index.get(x[i]);
      if (code == null) {
        code = names.size();
        index.put(x[i], code);
        names.add(Double.toString(x[i]));
      }
      codes[i] = code;
    }
    return codes;
  }

  private static String levels(CategoricalColumn c) {
    List<String> levels = c.levels();
    return levels.size() <= 20 ? levels.toString() : levels.subList(0, 20) + " and " + (levels.size() - 20) + " more";
  }

  private static String describeColumn(Table table, String column) {
    Column c = table.column(column);
    if (c instanceof CategoricalColumn cat) {
      return "; column '" + column + "' has values " + levels(cat);
    }
    double[] x = ((NumericColumn) c).values();
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double v : x) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return "; column '" + column + "' ranges over [" + min + ", " + max + "]";
  }
}
