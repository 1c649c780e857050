package dev.mlops.governance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.StorageException;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;
import dev.mlops.core.MemObjectStore;
import dev.mlops.features.Entity;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureView;
import dev.mlops.features.RetentionHorizonException;
import dev.mlops.featurestore.ObjectStoreFeatureStore;
import dev.mlops.spi.ForwardingObjectStore;
import dev.mlops.spi.ObjectStore;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/**
 * Garbage collection of superseded online rows while other threads write and read them, each with
 * its own feature store (its own caches, as separate processes would have), on the system clock:
 * writers push a new row per entity again and again (for half the entities late rows, older than
 * the retention horizon on arrival, so that a collector may delete the very row a reader has just
 * listed), a reader with a 1 ms refresh interval looks the entities up, and two collectors sweep
 * with no grace period. No lookup may fail with a {@code CorruptDataException} (a row retained away
 * between a listing and its read is not damage; only a lookup whose thread stalled for longer than
 * the retention may be refused with {@link RetentionHorizonException}, and, with no grace period, a
 * lookup whose listed rows are swept 16 times in a row before it reads them fails with a retryable
 * {@link StorageException}, as documented), the newest
 * row of every entity must be the last one written, and once the writers stop two passes leave
 * exactly that row per entity. {@code -Dgc.rows.seconds=N} runs the writers for N seconds instead of 3.
 */
class FeatureRowGcConcurrencyTest {
  private static final int ENTITIES = 6;
  private static final Duration RETENTION = Duration.ofMillis(500);

  private static ObjectStore shared(ObjectStore store) {
    return new ForwardingObjectStore(store) {
      @Override
      public void close() {
        // the test closes the store
      }
    };
  }

  /** The reader's view of the store: a read of an online row waits 20 ms first, as a slow backend would (longer than two collector passes), widening the window between a listing and the read. */
  private static ObjectStore slowRowReads(ObjectStore store) {
    return new ForwardingObjectStore(shared(store)) {
      @Override
      public java.util.Optional<byte[]> get(String key) {
        if (key.contains("/online/")) {
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return super.get(key);
      }
    };
  }

  @Test
  void collectorsSweepingWhileWritersPushAndAReaderLooksUpLoseNoNewestRowAndNeverFailALookup() throws Exception {
    long seconds = Long.getLong("gc.rows.seconds", 3);
    MemObjectStore store = new MemObjectStore();
    Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLongArray last = new AtomicLongArray(ENTITIES); // the last value pushed per entity
    AtomicLong deleted = new AtomicLong();
    AtomicLong lookups = new AtomicLong();
    AtomicLong horizonRefusals = new AtomicLong();
    AtomicLong overtaken = new AtomicLong();
    try (Workspace ws = Mlops.open(URI.create("mem:gc-rows"), shared(store), WorkspaceOptions.builder().actor("gc").build());
        ObjectStoreFeatureStore setup = ObjectStoreFeatureStore.builder(shared(store)).build()) {
      setup.apply(Entity.of("customer", "customer_id"));
      setup.apply(FeatureView.builder("stats", "customer").feature("spend", FeatureType.LONG).onlineRetention(RETENTION)
          .build());
      CountDownLatch done = new CountDownLatch(2);
      List<Thread> threads = new java.util.ArrayList<>();
      for (int w = 0; w < 2; w++) {
        int first = w * (ENTITIES / 2);
        threads.add(new Thread(() -> {
          try (ObjectStoreFeatureStore fs = ObjectStoreFeatureStore.builder(shared(store)).build()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            long value = 0;
            Instant[] previous = new Instant[ENTITIES];
            java.util.Arrays.fill(previous, Instant.EPOCH);
            while (System.nanoTime() < deadline) {
              value++;
              for (int e = first; e < first + ENTITIES / 2; e++) {
                // odd entities get late rows (event times a second old, already beyond the retention):
                // each supersedes the one before at once, so a collector may delete the row a reader
                // has just listed; even entities get rows stamped now
                Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS)
                    .minus(e % 2 == 1 ? Duration.ofSeconds(1) : Duration.ZERO);
                Instant event = now.isAfter(previous[e]) ? now : previous[e].plusNanos(1_000); // strictly later
                previous[e] = event;
                fs.push("stats", List.of(FeatureRow.of("c" + e, event, Map.of("spend", value))));
                last.set(e, value);
              }
            }
          } catch (Throwable t) {
            failures.add(t);
          } finally {
            done.countDown();
          }
        }, "writer-" + w));
      }
      threads.add(new Thread(() -> {
        try (ObjectStoreFeatureStore fs = ObjectStoreFeatureStore.builder(slowRowReads(store))
            .refreshInterval(Duration.ofMillis(1)).coarseSystemClock(false).build()) {
          while (done.getCount() > 0) {
            try {
              fs.online("c" + ThreadLocalRandom.current().nextInt(ENTITIES), "stats:spend");
              lookups.incrementAndGet();
            } catch (RetentionHorizonException behind) {
              // documented, not damage: this thread stalled for longer than the retention between
              // reading the clock and reading a row newer than that time
              assertThat(behind.asOf()).isBefore(behind.horizon());
              horizonRefusals.incrementAndGet();
            } catch (StorageException swept) {
              // documented, not damage: with no grace period, collectors may delete each newest
              // row of a late-row entity before this slow reader reads it, 16 times in a row
              assertThat(swept.retryable()).isTrue();
              assertThat(swept.getMessage()).contains("were retained away 16 times").contains("grace period");
              overtaken.incrementAndGet();
            }
          }
        } catch (Throwable t) {
          failures.add(t);
        }
      }, "reader"));
      for (int c = 0; c < 2; c++) {
        threads.add(new Thread(() -> {
          try {
            GarbageCollector gc = GarbageCollector.builder(ws).gracePeriod(Duration.ZERO).build();
            while (done.getCount() > 0) {
              deleted.addAndGet(gc.run(false).deletedFeatureRows().size());
            }
          } catch (Throwable t) {
            failures.add(t);
          }
        }, "collector-" + c));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join(Duration.ofSeconds(seconds + 60).toMillis());
        assertThat(t.isAlive()).as(t.getName() + " finished").isFalse();
      }
      assertThat(failures).isEmpty();
      assertThat(lookups.get()).isPositive();

      Thread.sleep(RETENTION.toMillis() + 10); // every row but the newest is now beyond the retention
      GarbageCollector gc = GarbageCollector.builder(ws).gracePeriod(Duration.ZERO).build();
      gc.run(false); // marks the rows the concurrent passes had not seen yet
      deleted.addAndGet(gc.run(false).deletedFeatureRows().size());
      assertThat(deleted.get()).as("rows deleted while writing and after").isPositive();
      try (ObjectStoreFeatureStore fresh = ObjectStoreFeatureStore.builder(shared(store)).build()) {
        for (int e = 0; e < ENTITIES; e++) {
          String hex = java.util.HexFormat.of().formatHex(("c" + e).getBytes(java.nio.charset.StandardCharsets.UTF_8));
          assertThat(store.listAll("features/stats/v1/online/").filter(k -> k.contains("/" + hex + "/")).count())
              .as("rows left of c" + e).isEqualTo(1);
          assertThat(fresh.online("c" + e, "stats:spend").get("stats:spend").value()).as("newest of c" + e)
              .contains(last.get(e));
        }
      }
    }
  }
}
