package dev.mlops.featurestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Workspace;
import dev.mlops.core.CoreWorkspace;
import dev.mlops.core.MemObjectStore;
import dev.mlops.features.Entity;
import dev.mlops.features.FeatureRef;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureStatus;
import dev.mlops.features.FeatureStore;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureValue;
import dev.mlops.features.FeatureView;
import dev.mlops.features.OnlineReader;
import dev.mlops.features.OnlineVector;
import dev.mlops.testkit.FeatureStoreContract.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The refresh rule of the online cache and of the definitions, driven by the injected clock alone:
 * another process's writes (a second feature store over the same store, with its own caches) are
 * re-read in the background once more than the refresh interval has passed on the clock, and not
 * before, while the lookup serves the cached value without reading the store; past twice the
 * interval the lookup re-reads first. This process's writes are seen at once; a clock that jumps
 * back never freezes the cache. The refresh executor here queues tasks until the test runs them.
 */
class OnlineRefreshTest {
  /** An executor that runs nothing until asked: shows what a lookup did on its own thread. */
  static final class QueuedExecutor implements java.util.concurrent.Executor {
    private final java.util.ArrayDeque<Runnable> queue = new java.util.ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
      queue.add(task);
    }

    /** @return how many tasks ran */
    int runAll() {
      int n = 0;
      while (true) {
        Runnable r;
        synchronized (this) {
          r = queue.poll();
        }
        if (r == null) {
          return n;
        }
        r.run();
        n++;
      }
    }

    synchronized int queued() {
      return queue.size();
    }
  }

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration REFRESH = Duration.ofSeconds(10);
  private static final Duration MICRO = Duration.ofNanos(1_000);
  private static final FeatureRef SPEND = new FeatureRef("stats", "spend");

  private final MemObjectStore store = new MemObjectStore();
  private final MutableClock clock = new MutableClock(T0);
  private final QueuedExecutor refresher = new QueuedExecutor();
  private final ObjectStoreFeatureStore here = ObjectStoreFeatureStore.builder(store).clock(clock).refreshInterval(REFRESH)
      .refreshExecutor(refresher).build();
  private final ObjectStoreFeatureStore other = ObjectStoreFeatureStore.builder(store).clock(clock).refreshInterval(REFRESH)
      .refreshExecutor(Runnable::run).build();

  @AfterEach
  void close() {
    other.close();
    here.close();
    store.close();
  }

  private static void applyStats(FeatureStore fs, Duration ttl) {
    fs.apply(Entity.of("customer", "customer_id"));
    fs.apply(FeatureView.builder("stats", "customer").feature("spend", FeatureType.DOUBLE).ttl(ttl).build());
  }

  private static void push(FeatureStore fs, Instant event, double spend) {
    fs.push("stats", List.of(FeatureRow.of("c1", event, Map.of("spend", spend))));
  }

  /** The value {@code fs} serves for c1 now, read through online() and a reader, which must agree. */
  private static FeatureValue spend(FeatureStore fs) {
    FeatureValue v = fs.online("c1", "stats:spend").get("stats:spend");
    OnlineReader reader = fs.onlineReader(List.of(SPEND));
    OnlineVector vector = new OnlineVector(1);
    reader.read("c1", vector);
    assertThat(vector.status(0)).isEqualTo(v.status());
    assertThat(vector.age(0)).isEqualTo(v.age());
    assertThat(java.util.Optional.ofNullable(vector.value(0))).isEqualTo(v.value());
    return v;
  }

  @Test
  void anotherProcesssRowIsReadInTheBackgroundOnceTheRefreshIntervalHasPassedOnTheClockNotBefore() {
    applyStats(here, Duration.ofDays(1));
    push(here, T0.minus(Duration.ofHours(3)), 1.0);
    assertThat(spend(here).value()).contains(1.0); // cached in `here`, loaded at T0

    push(other, T0.minus(Duration.ofHours(2)), 2.0);
    assertThat(spend(other).value()).as("the writer sees its own write at once").contains(2.0);
    assertThat(spend(here).value()).as("not before the interval").contains(1.0);

    clock.set(T0.plus(REFRESH)); // exactly the interval: still within it
    assertThat(spend(here).value()).contains(1.0);
    assertThat(refresher.queued()).as("nothing to refresh yet").isZero();

    clock.set(T0.plus(REFRESH).plus(MICRO));
    assertThat(spend(here).value()).as("served from the cache; the store is read in the background").contains(1.0);
    assertThat(refresher.queued()).as("one re-read of the row, however many lookups, and one of the definitions")
        .isEqualTo(2);
    assertThat(spend(here).value()).contains(1.0);
    assertThat(refresher.queued()).isEqualTo(2);
    assertThat(refresher.runAll()).isEqualTo(2);
    FeatureValue v = spend(here);
    assertThat(v.value()).as("after the background re-read").contains(2.0);
    assertThat(v.age()).contains(Duration.ofHours(2).plus(REFRESH).plus(MICRO));

    // This process's writes are seen at once, without waiting for a refresh.
    push(here, T0.minus(Duration.ofHours(1)), 3.0);
    assertThat(spend(here).value()).contains(3.0);
  }

  @Test
  void anEntryOlderThanTwiceTheIntervalIsReReadBeforeItIsServed() {
    applyStats(here, Duration.ofDays(1));
    push(here, T0.minus(Duration.ofHours(3)), 1.0);
    assertThat(spend(here).value()).contains(1.0); // loaded at T0
    push(other, T0.minus(Duration.ofHours(2)), 2.0);

    clock.set(T0.plus(REFRESH.multipliedBy(2)));
    assertThat(spend(here).value()).as("within twice the interval: served, refreshed later").contains(1.0);
    refresher.queue.clear(); // the executor fell behind: the refresh never ran
    clock.set(T0.plus(REFRESH.multipliedBy(2)).plus(MICRO));
    assertThat(spend(here).value()).as("beyond twice the interval: re-read on the lookup").contains(2.0);
  }

  @Test
  void aClockThatJumpsBackRefreshesOnceInsteadOfFreezingTheCache() {
    applyStats(here, Duration.ofDays(1));
    push(here, T0.minus(Duration.ofHours(5)), 1.0);
    assertThat(spend(here).value()).contains(1.0); // loaded at T0

    push(other, T0.minus(Duration.ofHours(4)), 2.0);
    clock.set(T0.minus(REFRESH)); // back by exactly the interval: as fresh as threads reading out of order
    assertThat(spend(here).value()).contains(1.0);

    clock.set(T0.minus(Duration.ofHours(1))); // back by an hour: re-read and re-stamped
    assertThat(spend(here).value()).contains(2.0);

    push(other, T0.minus(Duration.ofHours(3)), 3.0);
    clock.set(T0.minus(Duration.ofHours(1)).plus(REFRESH));
    assertThat(spend(here).value()).as("cached again from the new stamp").contains(2.0);
    clock.set(T0.minus(Duration.ofHours(1)).plus(REFRESH).plus(MICRO));
    spend(here);
    refresher.runAll();
    assertThat(spend(here).value()).contains(3.0);
  }

  @Test
  void anotherProcesssNewViewVersionIsUsedOnceTheRefreshIntervalHasPassedOnTheClock() {
    applyStats(here, Duration.ofDays(1));
    push(here, T0.minus(Duration.ofHours(2)), 1.0);
    assertThat(spend(here).status()).isEqualTo(FeatureStatus.PRESENT);

    applyStats(other, Duration.ofHours(1)); // same schema, shorter TTL: the row is now expired
    assertThat(spend(other).status()).isEqualTo(FeatureStatus.EXPIRED);
    clock.set(T0.plus(REFRESH));
    assertThat(spend(here).status()).as("the old TTL within the interval").isEqualTo(FeatureStatus.PRESENT);

    clock.set(T0.plus(REFRESH).plus(MICRO));
    assertThat(spend(here).status()).as("served while the definitions are re-read in the background")
        .isEqualTo(FeatureStatus.PRESENT);
    refresher.runAll();
    assertThat(spend(here).status()).isEqualTo(FeatureStatus.EXPIRED);
    assertThat(here.findView("stats").orElseThrow().version()).isEqualTo(2);
  }

  @Test
  void theWorkspaceBuilderPassesTheFeatureCacheSizeThrough() {
    assertThatThrownBy(() -> CoreWorkspace.builder(store).featureCacheSize(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("featureCacheSize")
        .hasMessageContaining("-1");
    MemObjectStore shared = new MemObjectStore();
    try (Workspace uncached = CoreWorkspace.builder(shared).clock(clock).refreshInterval(Duration.ofHours(1))
        .featureCacheSize(0).build();
        ObjectStoreFeatureStore writer = ObjectStoreFeatureStore.builder(shared).clock(clock).build()) {
      applyStats(writer, Duration.ZERO);
      push(writer, T0.minusSeconds(20), 1.0);
      assertThat(spend(uncached.features()).value()).contains(1.0);
      push(writer, T0.minusSeconds(10), 2.0);
      // A cache of size 0 keeps nothing, so another process's write shows up without waiting an hour.
      assertThat(spend(uncached.features()).value()).contains(2.0);
    }
  }
}
