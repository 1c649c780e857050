package dev.mlops.benchmarks.explain;

import dev.mlops.explain.Background;
import dev.mlops.explain.Explanation;
import dev.mlops.explain.ModelFunction;
import dev.mlops.explain.ShapExplainer;
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
 * One SHAP explanation of a linear model with 10 features against 100 background rows:
 * {@code kernel} is Kernel SHAP with a budget of 2,048 coalitions (with 10 features all 1,022
 * non-trivial coalitions fit in the budget, so it enumerates them: 1 + 1,022 · 100 = 102,201 model
 * calls), {@code exact} enumerates all 1,024 coalitions (1 + 1,023 · 100 = 102,301 calls).
 * {@code modelCallsFloor} makes the kernel's 102,201 model calls on background rows and nothing
 * else: the floor any method that evaluates those coalitions must pay. Target ≤ 10 ms per
 * kernel explanation.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar 'explain.Shap' -f 1 -wi 3 -i 5}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
public class ShapBenchmark {
  static final int FEATURES = 10;
  static final int BACKGROUND = 100;
  static final int KERNEL_CALLS = 1 + 1022 * BACKGROUND;

  private ModelFunction linear;
  private double[][] background;
  private double[][] inputs;
  private ShapExplainer kernel;
  private ShapExplainer exact;
  private int next;

  @Setup
  public void setUp() {
    SplittableRandom rnd = new SplittableRandom(7);
    double[] w = new double[FEATURES];
    for (int j = 0; j < FEATURES; j++) {
      w[j] = rnd.nextDouble() * 4 - 2;
    }
    linear = x -> {
      double s = 0.1;
      for (int j = 0; j < FEATURES; j++) {
        s += w[j] * x[j];
      }
      return s;
    };
    background = rows(rnd, BACKGROUND);
    inputs = rows(rnd, 64);
    Background bg = Background.of(background);
    kernel = ShapExplainer.builder(linear, bg).kernel(2048).seed(1).build();
    exact = ShapExplainer.builder(linear, bg).exact().build();
    Explanation check = kernel.explain(inputs[0]);
    if (check.modelCalls() != KERNEL_CALLS) {
      throw new IllegalStateException("kernel made " + check.modelCalls() + " model calls, expected " + KERNEL_CALLS);
    }
  }

  private static double[][] rows(SplittableRandom rnd, int n) {
    double[][] x = new double[n][FEATURES];
    for (double[] r : x) {
      for (int j = 0; j < FEATURES; j++) {
        r[j] = rnd.nextDouble() * 2 - 1;
      }
    }
    return x;
  }

  /** Kernel SHAP, 2,048-coalition budget. */
  @Benchmark
  public Explanation kernel() {
    return kernel.explain(inputs[next++ & 63]);
  }

  /** Exact Shapley values by enumeration. */
  @Benchmark
  public Explanation exact() {
    return exact.explain(inputs[next++ & 63]);
  }

  /** The kernel's model calls alone, on background rows. */
  @Benchmark
  public double modelCallsFloor() {
    double s = 0;
    for (int c = 0; c < KERNEL_CALLS; c++) {
      s += linear.apply(background[c % BACKGROUND]);
    }
    return s;
  }
}
