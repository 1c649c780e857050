package dev.mlops.benchmarks.explain;

import dev.mlops.drift.BaselineProfile;
import dev.mlops.drift.PredictionMonitor;
import dev.mlops.drift.Windowing;
import dev.mlops.explain.Background;
import dev.mlops.explain.BiasAnalysis;
import dev.mlops.explain.BiasReport;
import dev.mlops.explain.BiasSpec;
import dev.mlops.explain.Condition;
import dev.mlops.explain.ExplainMonitor;
import dev.mlops.explain.ModelFunction;
import dev.mlops.explain.ShapExplainer;
import dev.mlops.explain.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
 * The per-prediction cost of production bias/attribution monitoring: {@code dataDriftOnly} is
 * {@code PredictionMonitor.record} with 20 numeric features (manual windows), {@code withExplainMonitor}
 * the same call followed by {@code ExplainMonitor.record} sampling one prediction in 10 (a sampled
 * call takes a lock and copies the 20 features into the window's reservoir of 100). The difference
 * is the price of item 3 on the hot path; explanations run at window close, not here.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar 'explain.ExplainMonitor' -f 1 -wi 3 -i 5 -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class ExplainMonitorBenchmark {
  static final int FEATURES = 20;
  static final int ROWS = 1024;

  private PredictionMonitor data;
  private ExplainMonitor explain;
  private double[][] rows;
  private boolean[] facet;
  private double[] score;
  private long id;

  @Setup
  public void setUp() {
    Random rnd = new Random(1);
    List<String> names = new ArrayList<>();
    for (int f = 0; f < FEATURES; f++) {
      names.add("f" + f);
    }
    BaselineProfile.Fitter fitter = BaselineProfile.fitter(names, List.of()).bins(16);
    rows = new double[ROWS][FEATURES];
    facet = new boolean[ROWS];
    score = new double[ROWS];
    List<String> group = new ArrayList<>();
    List<String> label = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      for (int f = 0; f < FEATURES; f++) {
        rows[i][f] = rnd.nextGaussian();
      }
      fitter.add(rows[i]);
      facet[i] = rnd.nextDouble() < 0.3;
      score[i] = 1 / (1 + Math.exp(-(rows[i][0] - rows[i][1] - (facet[i] ? 0.5 : 0))));
      group.add(facet[i] ? "d" : "a");
      label.add(rnd.nextDouble() < score[i] ? "1" : "0");
    }
    data = PredictionMonitor.builder(fitter.build()).windowing(Windowing.manual()).build();
    BiasReport baseline = BiasAnalysis.analyze(
        Table.builder().categorical("g", group).categorical("y", label).numeric("score", score).build(),
        BiasSpec.of(Condition.equalTo("g", "d"), Condition.equalTo("y", "1")).withPrediction(Condition.above("score", 0.5)));
    ModelFunction model = x -> 1 / (1 + Math.exp(-(x[0] - x[1])));
    ShapExplainer explainer = ShapExplainer.builder(model, Background.sample(rows, 20, 1)).featureNames(names).kernel(64).build();
    explain = ExplainMonitor.builder(baseline).sampleEvery(10)
        .attributions(explainer, explainer.explainAll(java.util.Arrays.copyOf(rows, 20))).build();
  }

  /** Data drift alone: the existing hot path. */
  @Benchmark
  public void dataDriftOnly() {
    int i = (int) (id++ & (ROWS - 1));
    data.record(rows[i], score[i]);
  }

  /** Data drift plus the sampled bias/attribution monitor. */
  @Benchmark
  public void withExplainMonitor() {
    long n = id++;
    int i = (int) (n & (ROWS - 1));
    data.record(rows[i], score[i]);
    explain.record(n, rows[i], facet[i], score[i]);
  }
}
