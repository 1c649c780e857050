package dev.mlops.benchmarks.tuning;

import dev.mlops.tuning.RandomSampler;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Time to sample one whole trial of Hartmann-6 (6 float parameters: the joint sample at trial
 * start plus six suggestions) after {@code completed} completed trials (a history of random
 * trials, seed 1), for the random sampler and TPE with its defaults. The same measurement as
 * {@code TuningComparison timing}, under JMH.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar TpeSamplingBenchmark -f 1 -wi 3 -i 5}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TpeSamplingBenchmark {
  /** Completed trials in the history. */
  @Param({"100", "1000"})
  public int completed;

  /** {@code random} or {@code tpe}. */
  @Param({"random", "tpe"})
  public String sampler;

  private Harness harness;

  /** Builds the history. */
  @Setup(Level.Trial)
  public void setUp() {
    Objectives.Named o = Objectives.byName("hartmann6");
    Harness fill = new Harness(new RandomSampler(1));
    for (int i = 0; i < completed; i++) {
      fill.run(o);
    }
    harness = new Harness(TuningComparison.sampler(sampler, 7));
    harness.trials().addAll(fill.trials());
  }

  /**
   * Samples one trial.
   *
   * @return the sum of the values, so nothing is dead code
   */
  @Benchmark
  public double sampleTrial() {
    Harness.Bare t = harness.start();
    double sum = 0;
    for (int j = 0; j < 6; j++) {
      sum += t.suggestFloat("x" + j, 0, 1, false);
    }
    return sum;
  }
}
