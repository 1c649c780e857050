package dev.mlops.benchmarks.serving;

import dev.mlops.Mlops;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import dev.mlops.serving.DeploymentPlan;
import dev.mlops.serving.Endpoint;
import dev.mlops.serving.Predictor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Latency of the primary's request with 100 % of requests mirrored to a slow (1 ms) shadow
 * candidate, against the same endpoint without a shadow (same run). SampleTime: compare p99.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ShadowOverheadBenchmark {
  @Param({"none", "shadow100"})
  public String mirror;

  private Workspace ws;
  private Endpoint<double[], Double> endpoint;
  private final double[] input = {1.0, 2.0};

  @Setup(Level.Trial)
  public void setUp() {
    ws = Mlops.open("mem:/");
    for (int i = 0; i < 2; i++) {
      int v = ws.registry().register("m", Registration.builder().build()).version();
      ws.registry().approve("m", v, "bench", "ok");
    }
    ws.registry().setAlias("m", "production", 1);
    Predictor<double[], Double> primary = x -> x[0] * 0.5 + x[1];
    Predictor<double[], Double> slow = x -> {
      Thread.sleep(1);
      return x[0];
    };
    endpoint = Endpoint.builder(ws, "m", "production", v -> v.version() == 1 ? primary : slow).autoRefresh(false)
        .build();
    if (mirror.equals("shadow100")) {
      endpoint.deployments().start(DeploymentPlan.shadow(2, 100));
      endpoint.refresh();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    endpoint.close();
    ws.close();
  }

  /** @return the primary's answer */
  @Benchmark
  public Double predict() {
    return endpoint.predict(input);
  }
}
