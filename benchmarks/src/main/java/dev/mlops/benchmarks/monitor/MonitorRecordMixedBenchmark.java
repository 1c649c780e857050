package dev.mlops.benchmarks.monitor;

import dev.mlops.drift.BaselineProfile;
import dev.mlops.drift.CategoricalFeature;
import dev.mlops.drift.DataQualityRules;
import dev.mlops.drift.PredictionMonitor;
import dev.mlops.drift.Windowing;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * {@code PredictionMonitor.record(double[], int[], prediction)} with 16 numeric and 4 categorical
 * features (8 categories each), without and with data-quality rules
 * ({@code DataQualityRules.fromBaseline(profile, 0.1)}: a range per numeric feature, the observed
 * categories as each categorical feature's domain), one thread. Codes are drawn from the known
 * categories (clean traffic), so this measures the domain and type checks' cost on the
 * categorical path, which {@link MonitorRecordBenchmark} does not have.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MonitorRecordMixedBenchmark {
  static final int NUMERIC = 16;
  static final int CATEGORICAL = 4;
  static final int CATEGORIES = 8;
  static final int ROWS = 1024;

  /** The monitors, with and without rules. */
  @State(Scope.Benchmark)
  public static class Shared {
    PredictionMonitor plain;
    PredictionMonitor checked;

    @Setup(Level.Trial)
    public void setUp() {
      List<String> names = new ArrayList<>();
      for (int f = 0; f < NUMERIC; f++) {
        names.add("n" + f);
      }
      List<CategoricalFeature> cats = new ArrayList<>();
      for (int j = 0; j < CATEGORICAL; j++) {
        String[] labels = new String[CATEGORIES];
        for (int c = 0; c < CATEGORIES; c++) {
          labels[c] = "c" + c;
        }
        cats.add(CategoricalFeature.of("k" + j, labels));
      }
      Random rnd = new Random(1);
      BaselineProfile.Fitter fitter = BaselineProfile.fitter(names, cats).bins(16);
      double[] row = new double[NUMERIC];
      int[] codes = new int[CATEGORICAL];
      for (int i = 0; i < 50_000; i++) {
        fill(rnd, row, codes);
        fitter.add(row, codes);
      }
      BaselineProfile profile = fitter.build();
      plain = PredictionMonitor.builder(profile).windowing(Windowing.manual()).build();
      checked = PredictionMonitor.builder(profile).windowing(Windowing.manual())
          .dataQuality(DataQualityRules.fromBaseline(profile, 0.1)).build();
    }
  }

  static void fill(Random rnd, double[] row, int[] codes) {
    for (int f = 0; f < row.length; f++) {
      row[f] = rnd.nextGaussian() * (f + 1) + f;
    }
    for (int j = 0; j < codes.length; j++) {
      codes[j] = rnd.nextInt(CATEGORIES);
    }
  }

  /** Per-thread rows. */
  @State(Scope.Thread)
  public static class Rows {
    double[][] rows = new double[ROWS][NUMERIC];
    int[][] codes = new int[ROWS][CATEGORICAL];
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      Random rnd = new Random(Thread.currentThread().getId());
      for (int i = 0; i < ROWS; i++) {
        fill(rnd, rows[i], codes[i]);
      }
    }
  }

  @Benchmark
  @Threads(1)
  public void recordMixed(Shared shared, Rows rows) {
    int i = rows.next++ & (ROWS - 1);
    shared.plain.record(rows.rows[i], rows.codes[i], 0.5);
  }

  @Benchmark
  @Threads(1)
  public void recordMixedChecked(Shared shared, Rows rows) {
    int i = rows.next++ & (ROWS - 1);
    shared.checked.record(rows.rows[i], rows.codes[i], 0.5);
  }
}
