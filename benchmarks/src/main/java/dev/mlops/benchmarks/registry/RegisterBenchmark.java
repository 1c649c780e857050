package dev.mlops.benchmarks.registry;

import dev.mlops.Mlops;
import dev.mlops.ModelVersion;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Registering a version on {@code mem:}: one hash-chained log append (JSON, SHA-256, create),
 * the fold, and a checkpoint every 100 entries. Models roll over every 1,000 versions so the
 * measured model sizes stay realistic.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class RegisterBenchmark {
  private Workspace ws;
  private final Registration registration = Registration.builder().description("bench").tag("k", "v").build();
  private long n;

  @Setup(Level.Iteration)
  public void setup() {
    ws = Mlops.open("mem:");
  }

  @TearDown(Level.Iteration)
  public void tearDown() {
    ws.close();
  }

  @Benchmark
  public ModelVersion registerOnMem() {
    return ws.registry().register("model-" + (n++ / 1000), registration);
  }
}
