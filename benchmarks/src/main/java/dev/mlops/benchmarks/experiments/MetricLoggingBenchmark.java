package dev.mlops.benchmarks.experiments;

import dev.mlops.Mlops;
import dev.mlops.Run;
import dev.mlops.Workspace;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Logs 1,000,000 metric points (two keys, alternating) to a run on {@code mem:}, including the
 * final {@code flush()} that waits until every point is stored as segments; reported per point.
 * The baseline appends the same points (key index, value, step, wall-clock millis) to growable
 * primitive arrays: the cost of merely keeping the points in memory.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar MetricLoggingBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class MetricLoggingBenchmark {
  static final int POINTS = 1_000_000;
  private static final String[] KEYS = {"loss", "accuracy"};

  private Workspace workspace;
  private Run run;

  /** A fresh workspace and run per invocation, so stored segments do not pile up. */
  @Setup(Level.Invocation)
  public void open() {
    workspace = Mlops.open("mem:");
    run = workspace.experiments().startRun("bench");
  }

  @TearDown(Level.Invocation)
  public void close() {
    workspace.close();
  }

  /** Logs every point, then flushes: the points are stored when it returns. */
  @Benchmark
  @OperationsPerInvocation(POINTS)
  public void logMetricsAndFlush() {
    Run r = run;
    for (int i = 0; i < POINTS; i++) {
      r.logMetric(KEYS[i & 1], i * 0.001, i);
    }
    r.flush();
  }

  /** Baseline: append the same points to primitive arrays that grow by doubling. */
  @Benchmark
  @OperationsPerInvocation(POINTS)
  public void appendToPrimitiveArrays(Blackhole bh) {
    int[] keys = new int[16];
    double[] values = new double[16];
    long[] steps = new long[16];
    long[] times = new long[16];
    int n = 0;
    for (int i = 0; i < POINTS; i++) {
      if (n == keys.length) {
        keys = Arrays.copyOf(keys, n * 2);
        values = Arrays.copyOf(values, n * 2);
        steps = Arrays.copyOf(steps, n * 2);
        times = Arrays.copyOf(times, n * 2);
      }
      keys[n] = i & 1;
      values[n] = i * 0.001;
      steps[n] = i;
      times[n] = System.currentTimeMillis();
      n++;
    }
    bh.consume(keys);
    bh.consume(values);
    bh.consume(steps);
    bh.consume(times);
  }
}
