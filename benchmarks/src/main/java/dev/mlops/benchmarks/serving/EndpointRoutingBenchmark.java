package dev.mlops.benchmarks.serving;

import dev.mlops.Mlops;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import dev.mlops.serving.DeploymentPlan;
import dev.mlops.serving.Endpoint;
import dev.mlops.serving.Predictor;
import java.time.Duration;
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
 * Routing overhead of {@link Endpoint#predict(String, Object)} over calling the predictor
 * directly (same run), with one version or a 10 % canary. Run with {@code -t 1} and {@code -t 2},
 * {@code -prof gc} for B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class EndpointRoutingBenchmark {
  @Param({"single", "canary"})
  public String routing;

  private Workspace ws;
  private Endpoint<double[], Double> endpoint;
  private final Predictor<double[], Double> direct = x -> x[0] * 0.5 + x[1];
  private final double[] input = {1.0, 2.0};
  private final String key = "customer-42";
  /** 1,024 keys: in the canary about 10 % of them route to the candidate. */
  private final String[] keys = java.util.stream.IntStream.range(0, 1024).mapToObj(i -> "customer-" + i)
      .toArray(String[]::new);

  /** Each benchmark thread's position in {@link #keys}. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  @Setup(Level.Trial)
  public void setUp() {
    ws = Mlops.open("mem:/");
    for (int i = 0; i < 2; i++) {
      int v = ws.registry().register("m", Registration.builder().build()).version();
      ws.registry().approve("m", v, "bench", "ok");
    }
    ws.registry().setAlias("m", "production", 1);
    endpoint = Endpoint.builder(ws, "m", "production", v -> direct).autoRefresh(false).build();
    if (routing.equals("canary")) {
      endpoint.deployments().start(DeploymentPlan.canary(2, 10, Duration.ofHours(1)));
      endpoint.refresh();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    endpoint.close();
    ws.close();
  }

  /** @return the predictor called directly: the baseline */
  @Benchmark
  public Double directCall() throws Exception {
    return direct.predict(input);
  }

  /** @return through the endpoint, routed by key */
  @Benchmark
  public Double endpointByKey() {
    return endpoint.predict(key, input);
  }

  /**
   * @return through the endpoint, routed by one of 1,024 keys in turn (so a canary's candidate
   *     takes its share of the calls; with one key every call takes the same branch)
   */
  @Benchmark
  public Double endpointManyKeys(Cursor c) {
    return endpoint.predict(keys[c.next++ & 1023], input);
  }
}
