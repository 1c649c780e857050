package dev.mlops.benchmarks.data;

import dev.mlops.data.ConstraintSuggester;
import dev.mlops.data.Constraints;
import dev.mlops.data.DataProfiler;
import dev.mlops.data.DataValidator;
import dev.mlops.data.DatasetStatistics;
import dev.mlops.data.Records;
import dev.mlops.data.ValidationReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One thread profiles (and verifies) 1,000,000 rows × 20 mixed columns held in memory as
 * positional {@code Object[]} rows: 8 decimal columns (Gaussian, 2% null), 6 integral columns
 * (small ranges), 4 text columns (8-50 categories) and 2 booleans. One op = all rows; rows/s =
 * 1e6 / (s/op). {@code sumFloor} is the same rows read by a plain loop that only sums each
 * column's values (unboxing numbers, string lengths, true counts): the memory-walk and unboxing
 * floor of any profiler over these objects.
 *
 * <p>Run: {@code java -Xmx6g -jar benchmarks/target/benchmarks.jar DataProfileBenchmark -f 1 -wi 2 -i 5}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DataProfileBenchmark {
  static final int ROWS = 1_000_000;
  static final int COLUMNS = 20;

  private List<String> names;
  private List<Object[]> rows;
  /** The same rows as one array per column: double[] (NaN = null), long[], String[], boolean[]. */
  private Map<String, Object> columns;
  private Constraints constraints;
  private DatasetStatistics baseline;

  @Setup(Level.Trial)
  public void setUp() {
    SplittableRandom rnd = new SplittableRandom(2026);
    names = new ArrayList<>();
    for (int c = 0; c < COLUMNS; c++) {
      names.add((c < 8 ? "d" : c < 14 ? "i" : c < 18 ? "s" : "b") + c);
    }
    String[][] categories = new String[4][];
    for (int k = 0; k < 4; k++) {
      categories[k] = new String[8 + 14 * k];
      for (int j = 0; j < categories[k].length; j++) {
        categories[k][j] = "cat-" + k + "-" + j;
      }
    }
    rows = new ArrayList<>(ROWS);
    for (int r = 0; r < ROWS; r++) {
      rows.add(row(rnd, categories));
    }
    columns = new LinkedHashMap<>();
    for (int c = 0; c < COLUMNS; c++) {
      Object array;
      if (c < 8) {
        double[] a = new double[ROWS];
        for (int r = 0; r < ROWS; r++) {
          Object v = rows.get(r)[c];
          a[r] = v == null ? Double.NaN : (Double) v;
        }
        array = a;
      } else if (c < 14) {
        long[] a = new long[ROWS];
        for (int r = 0; r < ROWS; r++) {
          a[r] = (Long) rows.get(r)[c];
        }
        array = a;
      } else if (c < 18) {
        String[] a = new String[ROWS];
        for (int r = 0; r < ROWS; r++) {
          a[r] = (String) rows.get(r)[c];
        }
        array = a;
      } else {
        boolean[] a = new boolean[ROWS];
        for (int r = 0; r < ROWS; r++) {
          a[r] = (Boolean) rows.get(r)[c];
        }
        array = a;
      }
      columns.put(names.get(c), array);
    }
    baseline = DataProfiler.create().profile(Records.ofArrays(names, rows.subList(0, 100_000)));
    constraints = ConstraintSuggester.suggest(baseline);
  }

  static Object[] row(SplittableRandom rnd, String[][] categories) {
    Object[] row = new Object[COLUMNS];
    for (int c = 0; c < 8; c++) {
      row[c] = rnd.nextDouble() < 0.02 ? null : (Object) (c * 10 + gaussian(rnd) * (c + 1));
    }
    for (int c = 8; c < 14; c++) {
      row[c] = (long) rnd.nextInt(1 + (c - 7) * 1000);
    }
    for (int c = 14; c < 18; c++) {
      String[] cats = categories[c - 14];
      row[c] = cats[rnd.nextInt(cats.length)];
    }
    for (int c = 18; c < 20; c++) {
      row[c] = rnd.nextDouble() < 0.3;
    }
    return row;
  }

  static double gaussian(SplittableRandom rnd) {
    double u = 1 - rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
  }

  @Benchmark
  public DatasetStatistics profile() {
    return DataProfiler.create().profile(Records.ofArrays(names, rows));
  }

  /** The same data given column-wise ({@code Records.ofColumns}): numbers reach the statistics unboxed. */
  @Benchmark
  public DatasetStatistics profileColumns() {
    return DataProfiler.create().profile(Records.ofColumns(columns));
  }

  @Benchmark
  public ValidationReport verify() {
    return DataValidator.verify(Records.ofArrays(names, rows), constraints, baseline);
  }

  @Benchmark
  public void sumFloor(Blackhole bh) {
    double[] sums = new double[COLUMNS];
    for (Object[] row : rows) {
      for (int c = 0; c < COLUMNS; c++) {
        Object v = row[c];
        if (v instanceof Double d) {
          sums[c] += d;
        } else if (v instanceof Long l) {
          sums[c] += l;
        } else if (v instanceof String s) {
          sums[c] += s.length();
        } else if (v instanceof Boolean b && b) {
          sums[c] += 1;
        }
      }
    }
    bh.consume(Arrays.hashCode(sums));
  }

  /** The floor of {@code profileColumns}: a plain loop summing the column arrays (NaN skipped). */
  @Benchmark
  public void sumFloorColumns(Blackhole bh) {
    double[] sums = new double[COLUMNS];
    int c = 0;
    for (Object array : columns.values()) {
      double s = 0;
      if (array instanceof double[] a) {
        for (double v : a) {
          if (!Double.isNaN(v)) {
            s += v;
          }
        }
      } else if (array instanceof long[] a) {
        for (long v : a) {
          s += v;
        }
      } else if (array instanceof String[] a) {
        for (String v : a) {
          s += v.length();
        }
      } else {
        for (boolean v : (boolean[]) array) {
          if (v) {
            s += 1;
          }
        }
      }
      sums[c++] = s;
    }
    bh.consume(Arrays.hashCode(sums));
  }
}
