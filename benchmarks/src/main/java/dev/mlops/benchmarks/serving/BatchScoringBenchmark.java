package dev.mlops.benchmarks.serving;

import dev.mlops.serving.BatchScorer;
import dev.mlops.serving.Predictor;
import java.time.Clock;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scoring 100,000 records with a small CPU-bound predictor (about 1 µs each): {@link BatchScorer}
 * (2 threads, 256 in flight, failures and progress tracked) against a plain parallel stream.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class BatchScoringBenchmark {
  private static final int N = 100_000;
  private final Predictor<Integer, Double> predictor = x -> {
    double s = 0;
    for (int i = 0; i < 200; i++) {
      s += Math.sqrt(x + i);
    }
    return s;
  };

  /** @return sum of scores via BatchScorer */
  @Benchmark
  public double batchScorer() throws Exception {
    DoubleAdder sum = new DoubleAdder();
    new BatchScorer<>(predictor, 2, 256, 10_000, Clock.systemUTC())
        .score(IntStream.range(0, N).iterator(), String::valueOf, OptionalLong.of(N), (r, o) -> sum.add(o), p -> { });
    return sum.sum();
  }

  /** @return sum of scores via a parallel stream */
  @Benchmark
  public double parallelStream() {
    return IntStream.range(0, N).parallel().mapToDouble(x -> {
      try {
        return predictor.predict(x);
      } catch (Exception e) {
        return 0;
      }
    }).sum();
  }
}
