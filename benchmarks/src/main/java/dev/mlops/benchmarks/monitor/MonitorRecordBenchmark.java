package dev.mlops.benchmarks.monitor;

import dev.mlops.drift.BaselineProfile;
import dev.mlops.drift.DataQualityRules;
import dev.mlops.drift.PredictionMonitor;
import dev.mlops.drift.QualityMetric;
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
 * {@code PredictionMonitor.record} with 20 numeric features, one and two threads, beside the floor:
 * the same branch-free search over 16 bin edges plus one counter increment per feature, into
 * thread-private counters, with no lock, no sums and no NaN check. Divide by 20 for per-feature
 * costs. {@code recordChecked} is {@code record} on a monitor with data-quality rules
 * ({@code DataQualityRules.fromBaseline(baseline, 0.1)}: a range per feature, so every value is
 * range-checked and counted).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MonitorRecordBenchmark {
  static final int FEATURES = 20;
  static final int ROWS = 1024;

  /** One monitor shared by all benchmark threads, and the baseline's edges. */
  @State(Scope.Benchmark)
  public static class Shared {
    PredictionMonitor monitor;
    PredictionMonitor tumbling;
    PredictionMonitor withOutcomes;
    PredictionMonitor checked;
    double[] edges;

    @Setup(Level.Trial)
    public void setUp() {
      List<String> names = new ArrayList<>();
      for (int f = 0; f < FEATURES; f++) {
        names.add("f" + f);
      }
      Random rnd = new Random(1);
      BaselineProfile.Fitter fitter = BaselineProfile.fitter(names, List.of()).bins(16);
      double[] row = new double[FEATURES];
      for (int i = 0; i < 50_000; i++) {
        for (int f = 0; f < FEATURES; f++) {
          row[f] = rnd.nextGaussian() * (f + 1) + f;
        }
        fitter.add(row);
      }
      BaselineProfile profile = fitter.build();
      monitor = PredictionMonitor.builder(profile).windowing(Windowing.manual()).build();
      tumbling = PredictionMonitor.builder(profile).windowing(Windowing.tumbling(100_000)).build();
      checked = PredictionMonitor.builder(profile).windowing(Windowing.manual())
          .dataQuality(DataQualityRules.fromBaseline(profile, 0.1)).build();
      withOutcomes = PredictionMonitor.builder(profile).windowing(Windowing.manual())
          .outcomes(QualityMetric.ACCURACY, 1 << 16).build();
      edges = new double[FEATURES * 16];
      java.util.Arrays.fill(edges, Double.POSITIVE_INFINITY);
      for (int f = 0; f < FEATURES; f++) {
        double[] e = profile.numericFeatures().get(f).binEdges();
        System.arraycopy(e, 0, edges, f * 16, e.length);
      }
    }
  }

  /** A monitor per benchmark thread: the same work with nothing shared between threads. */
  @State(Scope.Thread)
  public static class Own {
    PredictionMonitor monitor;

    @Setup(Level.Trial)
    public void setUp(Shared shared) {
      monitor = PredictionMonitor.builder(shared.monitor.baseline()).windowing(Windowing.manual()).build();
    }
  }

  /** Per-thread rows (drawn from the baseline's distribution) and floor counters. */
  @State(Scope.Thread)
  public static class Rows {
    double[][] rows = new double[ROWS][FEATURES];
    long[] counts = new long[FEATURES * 16];
    int next;
    long id;

    @Setup(Level.Trial)
    public void setUp() {
      Random rnd = new Random(Thread.currentThread().getId());
      for (double[] row : rows) {
        for (int f = 0; f < FEATURES; f++) {
          row[f] = rnd.nextGaussian() * (f + 1) + f;
        }
      }
    }

    double[] nextRow() {
      return rows[next++ & (ROWS - 1)];
    }
  }

  @Benchmark
  @Threads(1)
  public void record(Shared shared, Rows rows) {
    shared.monitor.record(rows.nextRow(), 0.5);
  }

  @Benchmark
  @Threads(2)
  public void record2Threads(Shared shared, Rows rows) {
    shared.monitor.record(rows.nextRow(), 0.5);
  }

  /** record with data-quality rules (range checks on all 20 features), one thread. */
  @Benchmark
  @Threads(1)
  public void recordChecked(Shared shared, Rows rows) {
    shared.checked.record(rows.nextRow(), 0.5);
  }

  /** record with data-quality rules, two threads on one monitor. */
  @Benchmark
  @Threads(2)
  public void recordChecked2Threads(Shared shared, Rows rows) {
    shared.checked.record(rows.nextRow(), 0.5);
  }

  /** Two threads, each with its own monitor: separates sharing costs from the machine's. */
  @Benchmark
  @Threads(2)
  public void record2ThreadsOwnMonitor(Own own, Rows rows) {
    own.monitor.record(rows.nextRow(), 0.5);
  }

  /** With tumbling windows of 100k records closing on the common pool (evaluation amortized in). */
  @Benchmark
  @Threads(1)
  public void recordTumbling100k(Shared shared, Rows rows) {
    shared.tumbling.record(rows.nextRow(), 0.5);
  }

  /** Two threads on one monitor with tumbling windows of 100k records (exact count windows). */
  @Benchmark
  @Threads(2)
  public void recordTumbling100k2Threads(Shared shared, Rows rows) {
    shared.tumbling.record(rows.nextRow(), 0.5);
  }

  /** record with a prediction id (buffered for late labels) plus one recordOutcome. */
  @Benchmark
  @Threads(1)
  public boolean recordWithIdAndOutcome(Shared shared, Rows rows) {
    long id = rows.id++;
    shared.withOutcomes.record(id, rows.nextRow(), id & 1);
    return shared.withOutcomes.recordOutcome(id - 1000, 1);
  }

  @Benchmark
  @Threads(1)
  public long[] floor(Shared shared, Rows rows) {
    return floorOf(shared.edges, rows.nextRow(), rows.counts);
  }

  @Benchmark
  @Threads(2)
  public long[] floor2Threads(Shared shared, Rows rows) {
    return floorOf(shared.edges, rows.nextRow(), rows.counts);
  }

  /** The floor: per feature, a branch-free search over 16 edges and one increment. */
  static long[] floorOf(double[] e, double[] values, long[] counts) {
    for (int f = 0, base = 0; f < values.length; f++, base += 16) {
      double v = values[f];
      int i = e[base + 7] <= v ? 8 : 0;
      i += e[base + i + 3] <= v ? 4 : 0;
      i += e[base + i + 1] <= v ? 2 : 0;
      i += e[base + i] <= v ? 1 : 0;
      counts[base + i]++;
    }
    return counts;
  }
}
