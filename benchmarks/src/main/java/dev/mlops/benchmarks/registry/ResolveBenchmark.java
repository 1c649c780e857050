package dev.mlops.benchmarks.registry;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.mlops.Mlops;
import dev.mlops.ModelVersion;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cached alias resolution, {@code registry.find("fraud@production")}, beside its floor: a raw
 * Caffeine {@code getIfPresent} of the same model name in the same run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ResolveBenchmark {
  private Workspace ws;
  private Cache<String, Object> raw;
  private String ref = "fraud@production";
  private String byVersion = "fraud/7";
  private String model = "fraud";

  @Setup
  public void setup() {
    ws = Mlops.open("mem:");
    for (int i = 0; i < 10; i++) {
      ws.registry().register("fraud", Registration.builder().description("v" + i).build());
    }
    ws.registry().approve("fraud", 7, "bench", "");
    ws.registry().setAlias("fraud", "production", 7);
    raw = Caffeine.newBuilder().maximumSize(10_000).build();
    raw.put("fraud", new Object());
  }

  @TearDown
  public void tearDown() {
    ws.close();
  }

  @Benchmark
  public Optional<ModelVersion> resolveAliasCached() {
    return ws.registry().find(ref);
  }

  @Benchmark
  public Optional<ModelVersion> resolveVersionCached() {
    return ws.registry().find(byVersion);
  }

  @Benchmark
  public Object caffeineGetIfPresentFloor() {
    return raw.getIfPresent(model);
  }
}
