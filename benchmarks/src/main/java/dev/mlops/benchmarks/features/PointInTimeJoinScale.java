package dev.mlops.benchmarks.features;

import dev.mlops.featurestore.ObjectStoreFeatureStore;
import dev.mlops.features.Entity;
import dev.mlops.features.EntityRow;
import dev.mlops.features.FeatureRef;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureStatus;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureValue;
import dev.mlops.features.FeatureView;
import dev.mlops.features.PushTarget;
import dev.mlops.features.TrainingRow;
import dev.mlops.features.TrainingSetRequest;
import dev.mlops.fs.FsObjectStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The point-in-time join at scale, on a {@code file:} store, checked row by row against a
 * closed-form oracle. Run it in a JVM with {@code -Xmx1g} to show the join streams:
 *
 * <pre>
 * java -Xmx1g -cp benchmarks/target-feat/benchmarks.jar dev.mlops.benchmarks.features.PointInTimeJoinScale \
 *     DIR ENTITY_ROWS FEATURE_ROWS [ROWS_PER_ENTITY]
 * </pre>
 *
 * <p>Data: {@code FEATURE_ROWS / ROWS_PER_ENTITY} entities {@code c<i>}; entity {@code i}'s row
 * {@code j} has event time {@code base + j*1000s + (i mod 500)s} and values {@code spend = 16i + j},
 * {@code count = j}; TTL 2500 s; pushed offline in batches of 100,000 rows (and the first batch
 * twice, which must change nothing). Entity rows pick an entity (1% unknown) and a time by a hash
 * of their index. The expected value of every output row follows from those formulas, so the check
 * needs no memory. Prints one summary line and exits 1 on any mismatch.
 *
 * <p>Not thread-safe; a command-line program.
 */
public final class PointInTimeJoinScale {
  private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");
  private static final long TTL_SECONDS = 2500;
  private static final int BATCH = 100_000;

  private PointInTimeJoinScale() {}

  /**
   * @param args DIR ENTITY_ROWS FEATURE_ROWS [ROWS_PER_ENTITY (default 10)]
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: PointInTimeJoinScale DIR ENTITY_ROWS FEATURE_ROWS [ROWS_PER_ENTITY]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    int entityRows = Integer.parseInt(args[1]);
    long featureRows = Long.parseLong(args[2]);
    int perEntity = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    int entities = (int) (featureRows / perEntity);
    Files.createDirectories(dir);
    long mismatches;
    try (FsObjectStore store = FsObjectStore.builder().root(dir.resolve("store")).build();
        ObjectStoreFeatureStore features = ObjectStoreFeatureStore.builder(store).build()) {
      features.apply(Entity.of("customer", "customer_id"));
      features.apply(FeatureView.builder("stats", "customer").feature("spend", FeatureType.DOUBLE)
          .feature("count", FeatureType.LONG).ttl(Duration.ofSeconds(TTL_SECONDS)).build());

      long pushStart = System.nanoTime();
      List<FeatureRow> batch = new ArrayList<>(BATCH);
      List<FeatureRow> firstBatch = null;
      for (int j = 0; j < perEntity; j++) {
        for (int i = 0; i < entities; i++) {
          Instant event = BASE.plusSeconds(j * 1000L + i % 500);
          batch.add(FeatureRow.of("c" + i, event, Map.of("spend", 16.0 * i + j, "count", (long) j)));
          if (batch.size() == BATCH) {
            features.push("stats", batch, PushTarget.OFFLINE);
            if (firstBatch == null) {
              firstBatch = batch;
            }
            batch = new ArrayList<>(BATCH);
          }
        }
      }
      if (!batch.isEmpty()) {
        features.push("stats", batch, PushTarget.OFFLINE);
      }
      if (firstBatch != null && features.push("stats", firstBatch, PushTarget.OFFLINE).offlineSegmentCreated()) {
        throw new AssertionError("a repeated batch created a new segment");
      }
      firstBatch = null;
      batch = null;
      double pushSeconds = (System.nanoTime() - pushStart) / 1e9;

      long joinStart = System.nanoTime();
      Path spill = dir.resolve("spill");
      Stream<EntityRow> probes = IntStream.range(0, entityRows).mapToObj(r -> probe(r, entities));
      long rows = 0;
      mismatches = 0;
      long[] statusCounts = new long[FeatureStatus.values().length];
      String previous = "";
      try (Stream<TrainingRow> out = features.trainingSet(probes,
          new TrainingSetRequest(List.of(new FeatureRef("stats", "spend"), new FeatureRef("stats", "count")),
              Optional.of(spill), TrainingSetRequest.DEFAULT_ROWS_PER_RUN))) {
        Iterator<TrainingRow> it = out.iterator();
        while (it.hasNext()) {
          TrainingRow row = it.next();
          rows++;
          String order = row.entityKey();
          if (order.compareTo(previous) < 0) {
            mismatches++;
          }
          previous = order;
          FeatureValue spend = row.values().get(0);
          statusCounts[spend.status().ordinal()]++;
          if (!matchesOracle(row, spend, row.values().get(1), entities, perEntity)) {
            if (mismatches < 5) {
              System.err.println("mismatch: " + row);
            }
            mismatches++;
          }
        }
      }
      double joinSeconds = (System.nanoTime() - joinStart) / 1e9;
      if (rows != entityRows) {
        mismatches++;
        System.err.println("expected " + entityRows + " rows, got " + rows);
      }
      long peakHeap = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          peakHeap += pool.getPeakUsage().getUsed();
        }
      }
      System.out.printf("entityRows=%d featureRows=%d entities=%d push=%.1fs join=%.1fs joinRowsPerSec=%.0f"
              + " present=%d expired=%d notFound=%d mismatches=%d maxHeapMiB=%d peakHeapPoolsMiB=%d%n",
          entityRows, (long) entities * perEntity, entities, pushSeconds, joinSeconds, entityRows / joinSeconds,
          statusCounts[0], statusCounts[1], statusCounts[2], mismatches,
          Runtime.getRuntime().maxMemory() >> 20, peakHeap >> 20);
    }
    System.exit(mismatches == 0 ? 0 : 1);
  }

  private static long mix(long x) {
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    x *= 0xc4ceb9fe1a85ec53L;
    return x ^ (x >>> 33);
  }

  static EntityRow probe(int r, int entities) {
    long h = mix(r + 1L);
    int i = Math.floorMod(h, entities + entities / 100 + 1);
    long seconds = Math.floorMod(mix(h), 13_000L) - 500;
    return new EntityRow("c" + i, BASE.plusSeconds(seconds));
  }

  static boolean matchesOracle(TrainingRow row, FeatureValue spend, FeatureValue count, int entities, int perEntity) {
    int i = Integer.parseInt(row.entityKey().substring(1));
    long t = row.timestamp().getEpochSecond() - BASE.getEpochSecond();
    long offset = i % 500;
    if (i >= entities || t < offset) {
      return spend.status() == FeatureStatus.NOT_FOUND && count.status() == FeatureStatus.NOT_FOUND
          && spend.age().isEmpty();
    }
    long j = Math.min(perEntity - 1, (t - offset) / 1000);
    long event = j * 1000 + offset;
    if (t - event > TTL_SECONDS) {
      return spend.status() == FeatureStatus.EXPIRED && count.status() == FeatureStatus.EXPIRED
          && spend.age().equals(Optional.of(Duration.ofSeconds(t - event)));
    }
    return spend.value().equals(Optional.of(16.0 * i + j)) && count.value().equals(Optional.of(j))
        && spend.age().equals(Optional.of(Duration.ofSeconds(t - event)));
  }
}
