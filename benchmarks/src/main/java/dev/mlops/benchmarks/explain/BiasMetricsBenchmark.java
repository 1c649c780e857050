package dev.mlops.benchmarks.explain;

import dev.mlops.explain.BiasAnalysis;
import dev.mlops.explain.BiasReport;
import dev.mlops.explain.BiasSpec;
import dev.mlops.explain.Condition;
import dev.mlops.explain.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Every pre- and post-training bias metric over 1,000,000 rows on one thread
 * ({@code allMetrics}: {@link BiasAnalysis#analyze} with a categorical facet, a categorical label,
 * a score threshold as the prediction and a 4-level group column for CDDL/CDDPL; the flip test is
 * excluded, it is a quadratic nearest-neighbour search), against {@code confusionFloor}: one pass
 * over the same raw columns that only counts the confusion matrix per facet. Target ≤ 100 ms.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar 'explain.BiasMetrics' -f 1 -wi 3 -i 5}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class BiasMetricsBenchmark {
  static final int ROWS = 1_000_000;

  private Table table;
  private BiasSpec spec;
  private int[] sexCode;
  private int[] labelCode;
  private double[] score;

  @Setup
  public void setUp() {
    SplittableRandom rnd = new SplittableRandom(2026);
    List<String> sex = new ArrayList<>(ROWS);
    List<String> label = new ArrayList<>(ROWS);
    List<String> dept = new ArrayList<>(ROWS);
    String[] depts = {"A", "B", "C", "D"};
    sexCode = new int[ROWS];
    labelCode = new int[ROWS];
    score = new double[ROWS];
    for (int i = 0; i < ROWS; i++) {
      boolean female = rnd.nextDouble() < 0.35;
      boolean positive = rnd.nextDouble() < (female ? 0.35 : 0.5);
      sex.add(female ? "female" : "male");
      label.add(positive ? "1" : "0");
      dept.add(depts[rnd.nextInt(4)]);
      sexCode[i] = female ? 1 : 0;
      labelCode[i] = positive ? 1 : 0;
      score[i] = Math.min(1, Math.max(0, (positive ? 0.65 : 0.35) - (female ? 0.1 : 0) + 0.25 * (rnd.nextDouble() - 0.5)));
    }
    table = Table.builder().categorical("sex", sex).categorical("y", label).categorical("dept", dept)
        .numeric("score", score).build();
    spec = BiasSpec.of(Condition.equalTo("sex", "female"), Condition.equalTo("y", "1"))
        .withPrediction(Condition.above("score", 0.5)).withGroup("dept");
  }

  /** All 19 count-based metrics (8 pre-training, 11 post-training) from the table. */
  @Benchmark
  public BiasReport allMetrics() {
    return BiasAnalysis.analyze(table, spec);
  }

  /** The floor: one pass over the raw columns counting TP/FP/FN/TN per facet, nothing else. */
  @Benchmark
  public long[] confusionFloor() {
    long[] cells = new long[8];
    for (int i = 0; i < ROWS; i++) {
      cells[(sexCode[i] << 2) | (labelCode[i] << 1) | (score[i] > 0.5 ? 1 : 0)]++;
    }
    return cells;
  }
}
