package dev.mlops.benchmarks.features;

import dev.mlops.core.MemObjectStore;
import dev.mlops.featurestore.ObjectStoreFeatureStore;
import dev.mlops.features.Entity;
import dev.mlops.features.EntityRow;
import dev.mlops.features.FeatureRef;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureView;
import dev.mlops.features.PushTarget;
import dev.mlops.features.TrainingRow;
import dev.mlops.features.TrainingSetRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Point-in-time join throughput on {@code mem:}: 100,000 entity rows against 1,000,000 feature
 * rows (100,000 entities x 10 rows, 2 features, 10 offline segments), everything sorted in runs
 * of 250,000 rows and spilled to the temp directory. One operation = one output row, so the score
 * is output rows per second (including reading the Avro segments and the external sorts).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
@State(Scope.Benchmark)
public class PointInTimeJoinBenchmark {
  private static final int ENTITY_ROWS = 100_000;
  private static final int ENTITIES = 100_000;
  private static final int PER_ENTITY = 10;
  private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");

  private MemObjectStore store;
  private ObjectStoreFeatureStore features;
  private final TrainingSetRequest request = new TrainingSetRequest(
      List.of(new FeatureRef("stats", "spend"), new FeatureRef("stats", "count")), Optional.empty(),
      TrainingSetRequest.DEFAULT_ROWS_PER_RUN);

  @Setup(Level.Trial)
  public void setup() {
    store = new MemObjectStore();
    features = ObjectStoreFeatureStore.builder(store).build();
    features.apply(Entity.of("customer", "customer_id"));
    features.apply(FeatureView.builder("stats", "customer").feature("spend", FeatureType.DOUBLE)
        .feature("count", FeatureType.LONG).ttl(Duration.ofSeconds(2500)).build());
    for (int j = 0; j < PER_ENTITY; j++) {
      List<FeatureRow> batch = new ArrayList<>(ENTITIES);
      for (int i = 0; i < ENTITIES; i++) {
        batch.add(FeatureRow.of("c" + i, BASE.plusSeconds(j * 1000L + i % 500),
            Map.of("spend", 16.0 * i + j, "count", (long) j)));
      }
      features.push("stats", batch, PushTarget.OFFLINE);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    features.close();
    store.close();
  }

  @Benchmark
  @OperationsPerInvocation(ENTITY_ROWS)
  public void pointInTimeJoin(Blackhole bh) {
    Stream<EntityRow> probes = IntStream.range(0, ENTITY_ROWS).mapToObj(r -> PointInTimeJoinScale.probe(r, ENTITIES));
    try (Stream<TrainingRow> out = features.trainingSet(probes, request)) {
      Iterator<TrainingRow> it = out.iterator();
      while (it.hasNext()) {
        bh.consume(it.next());
      }
    }
  }
}
