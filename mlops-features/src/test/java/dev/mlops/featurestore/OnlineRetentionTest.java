package dev.mlops.featurestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.CorruptDataException;
import dev.mlops.core.MemObjectStore;
import dev.mlops.features.Entity;
import dev.mlops.features.EntityRow;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureStatus;
import dev.mlops.features.FeatureStore;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureView;
import dev.mlops.features.RetentionHorizonException;
import dev.mlops.features.TrainingRow;
import dev.mlops.features.TrainingSetRequest;
import dev.mlops.spi.ForwardingObjectStore;
import dev.mlops.spi.ObjectStore;
import dev.mlops.testkit.FeatureStoreContract.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retention of superseded online rows on {@code mem:}: the rule (a row superseded by a newer row of
 * the same entity whose event time is older than the retention horizon, first seen so more than the
 * grace period ago), the newest row of an entity never goes, a default view keeps everything, a
 * reader tells a row retained away from one that vanished, and an online read older than the
 * horizon fails instead of answering from what is left.
 */
class OnlineRetentionTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration HOUR = Duration.ofHours(1);

  private final MemObjectStore store = new MemObjectStore();
  private final MutableClock clock = new MutableClock(T0);
  private final ObjectStoreFeatureStore fs = ObjectStoreFeatureStore.builder(store).clock(clock)
      .refreshExecutor(Runnable::run).build();

  @AfterEach
  void close() {
    fs.close();
    store.close();
  }

  private static void applyStats(FeatureStore fs, Duration retention) {
    fs.apply(Entity.of("customer", "customer_id"));
    fs.apply(FeatureView.builder("stats", "customer").feature("spend", FeatureType.DOUBLE).onlineRetention(retention)
        .build());
  }

  /** Pushes one row of {@code entity} at event time {@code event}, with the clock there: an online row each. */
  private void pushAt(String entity, Instant event, double spend) {
    clock.set(event);
    fs.push("stats", List.of(FeatureRow.of(entity, event, Map.of("spend", spend))));
  }

  private List<String> onlineKeys(String entity) {
    try (Stream<String> keys = store.listAll("features/stats/v1/online/")) {
      String hex = java.util.HexFormat.of().formatHex(entity.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return keys.filter(k -> k.contains("/" + hex + "/")).toList();
    }
  }

  @Test
  void aDefaultViewKeepsEveryRowAndItsStoredDefinitionIsUnchanged() {
    applyStats(fs, Duration.ZERO);
    pushAt("c1", T0, 1);
    pushAt("c1", T0.plus(HOUR), 2);
    OnlineRowRetention retention = OnlineRowRetention.of(store);
    clock.set(T0.plus(Duration.ofDays(365)));
    for (int pass = 0; pass < 3; pass++) {
      OnlineRowRetention.Sweep s = retention.sweep(clock.instant(), Duration.ZERO, false);
      assertThat(s.deleted()).isEmpty();
      assertThat(s.waiting()).isZero();
    }
    assertThat(onlineKeys("c1")).hasSize(2);
    // a definition written without the setting reads back equal to one built with the default
    assertThat(fs.findView("stats").orElseThrow().definition().onlineRetention()).isEqualTo(Duration.ZERO);
    applyStats(fs, Duration.ZERO);
    assertThat(fs.findView("stats").orElseThrow().version()).isEqualTo(1);
  }

  @Test
  void aNegativeRetentionIsRefusedNamingTheView() {
    assertThatThrownBy(() -> FeatureView.builder("stats", "customer").feature("spend", FeatureType.DOUBLE)
        .onlineRetention(Duration.ofSeconds(-1)).build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stats").hasMessageContaining("PT-1S");
  }

  @Test
  void supersededRowsBeyondTheRetentionGoAfterTheGracePeriodTheNewestAndRowsInsideTheWindowStay() {
    applyStats(fs, HOUR.multipliedBy(2));
    pushAt("c1", T0, 1);
    pushAt("c1", T0.plus(HOUR), 2);
    pushAt("c1", T0.plus(HOUR.multipliedBy(5)), 3);
    pushAt("c1", T0.plus(HOUR.multipliedBy(6)), 4);
    pushAt("c2", T0, 10); // the only row of c2: the newest, never deleted however old
    List<String> c1 = onlineKeys("c1");
    assertThat(c1).hasSize(4); // newest first
    OnlineRowRetention retention = OnlineRowRetention.of(store);

    // horizon = T0+7h-2h = T0+5h: the row at T0+5h supersedes T0+1h and T0; the T0+5h row itself is
    // superseded by T0+6h, which is inside the window, so it stays.
    Instant now = T0.plus(HOUR.multipliedBy(7));
    clock.set(now);
    OnlineRowRetention.Sweep dry = retention.sweep(now, Duration.ofMinutes(10), true);
    assertThat(dry.deleted()).isEmpty();
    assertThat(dry.waiting()).isEqualTo(2);
    assertThat(store.listAll("features/stats/v1/retention").toList()).as("a dry run writes nothing").isEmpty();
    OnlineRowRetention.Sweep first = retention.sweep(now, Duration.ofMinutes(10), false);
    assertThat(first.deleted()).isEmpty();
    assertThat(first.waiting()).isEqualTo(2);

    now = now.plus(Duration.ofMinutes(11));
    clock.set(now);
    OnlineRowRetention.Sweep dryAfter = retention.sweep(now, Duration.ofMinutes(10), true);
    assertThat(dryAfter.deleted()).containsExactlyInAnyOrder(c1.get(2), c1.get(3));
    assertThat(onlineKeys("c1")).hasSize(4);
    OnlineRowRetention.Sweep second = retention.sweep(now, Duration.ofMinutes(10), false);
    assertThat(second.deleted()).containsExactlyInAnyOrder(c1.get(2), c1.get(3));
    assertThat(onlineKeys("c1")).containsExactly(c1.get(0), c1.get(1));
    assertThat(onlineKeys("c2")).hasSize(1);
    assertThat(store.listAll("features/stats/v1/retention-candidates/").toList()).as("markers go with their rows")
        .isEmpty();
    assertThat(retention.sweep(now, Duration.ZERO, false).deleted()).isEmpty();

    // every process keeps serving: the newest row, and an uncached reader too
    assertThat(fs.online("c1", "stats:spend").get("stats:spend").value()).contains(4.0);
    try (ObjectStoreFeatureStore other = ObjectStoreFeatureStore.builder(store).clock(clock).build()) {
      assertThat(other.online("c1", "stats:spend").get("stats:spend").value()).contains(4.0);
      assertThat(other.online("c2", "stats:spend").get("stats:spend").value()).contains(10.0);
    }
  }

  @Test
  void aRowWrittenJustBeforeTheSweepSurvivesItEvenIfAlreadySuperseded() {
    applyStats(fs, HOUR);
    pushAt("c1", T0.plus(HOUR.multipliedBy(2)), 2);
    clock.set(T0.plus(HOUR.multipliedBy(10)));
    // a late row, older than the one online and older than the horizon: superseded on arrival
    fs.push("stats", List.of(FeatureRow.of("c1", T0, Map.of("spend", 1.0))));
    assertThat(onlineKeys("c1")).hasSize(2);
    OnlineRowRetention.Sweep s = OnlineRowRetention.of(store).sweep(clock.instant(), HOUR, false);
    assertThat(s.deleted()).isEmpty();
    assertThat(s.waiting()).isEqualTo(1);
    assertThat(onlineKeys("c1")).hasSize(2);
  }

  @Test
  void anOnlineReadOlderThanTheHorizonFailsNamingViewAsOfTimeAndHorizon() {
    applyStats(fs, HOUR);
    pushAt("c1", T0, 1);
    pushAt("c1", T0.plus(HOUR), 2);
    pushAt("c1", T0.plus(HOUR.multipliedBy(5)), 3);
    Instant now = T0.plus(HOUR.multipliedBy(7)); // horizon T0+6h
    OnlineRowRetention retention = OnlineRowRetention.of(store);
    retention.sweep(now, Duration.ZERO, false);
    assertThat(retention.sweep(now, Duration.ZERO, false).deleted()).hasSize(2);

    // a process whose clock is at T0+30min: the newest row lies in its future, and the row it would
    // have answered with was retained away
    try (ObjectStoreFeatureStore behind = ObjectStoreFeatureStore.builder(store)
        .clock(new MutableClock(T0.plus(Duration.ofMinutes(30)))).build()) {
      assertThatThrownBy(() -> behind.online("c1", "stats:spend")).isInstanceOf(RetentionHorizonException.class)
          .hasMessageContaining("'stats'").hasMessageContaining("2026-01-01T00:30:00Z")
          .hasMessageContaining("2026-01-01T06:00:00Z")
          .satisfies(e -> {
            RetentionHorizonException r = (RetentionHorizonException) e;
            assertThat(r.view()).isEqualTo("stats");
            assertThat(r.asOf()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
            assertThat(r.horizon()).isEqualTo(T0.plus(HOUR.multipliedBy(6)));
          });
    }
    // reads at or after the horizon answer as before
    clock.set(now);
    assertThat(fs.online("c1", "stats:spend").get("stats:spend").value()).contains(3.0);
  }

  @Test
  void trainingSetsReadTheOfflineSegmentsWhichRetentionNeverTouches() {
    applyStats(fs, HOUR);
    pushAt("c1", T0, 1);
    pushAt("c1", T0.plus(HOUR), 2);
    pushAt("c1", T0.plus(HOUR.multipliedBy(5)), 3);
    Instant now = T0.plus(HOUR.multipliedBy(7));
    OnlineRowRetention retention = OnlineRowRetention.of(store);
    retention.sweep(now, Duration.ZERO, false);
    assertThat(retention.sweep(now, Duration.ZERO, false).deleted()).hasSize(2);
    try (Stream<TrainingRow> rows = fs.trainingSet(Stream.of(new EntityRow("c1", T0.plus(Duration.ofMinutes(30)))),
        TrainingSetRequest.of("stats:spend"))) {
      TrainingRow r = rows.toList().get(0);
      assertThat(r.values().get(0).status()).isEqualTo(FeatureStatus.PRESENT);
      assertThat(r.values().get(0).value()).contains(1.0);
    }
  }

  /** A store that, on the first read of one key, lets {@code meanwhile} run first (another process acting between a listing and a read). */
  private static ObjectStore interfering(ObjectStore store, Predicate<String> key, Runnable meanwhile) {
    return new ForwardingObjectStore(store) {
      private boolean done;

      @Override
      public Optional<byte[]> get(String k) {
        if (!done && key.test(k)) {
          done = true;
          meanwhile.run();
        }
        return super.get(k);
      }

      @Override
      public void close() {
        // the test closes the store
      }
    };
  }

  @Test
  void aRowRetainedAwayBetweenAListingAndItsReadIsNotCorruptionTheReaderReadsAgain() {
    applyStats(fs, HOUR);
    pushAt("c1", T0.plus(HOUR), 1);
    Instant now = T0.plus(HOUR.multipliedBy(10));
    clock.set(now);
    String served = onlineKeys("c1").get(0);
    // between the reader's listing and its read: a late row newer than the listed one arrives (event
    // T0+2h, older than the horizon), and a collector deletes the listed row as superseded
    ObjectStore racing = interfering(store, served::equals, () -> {
      fs.push("stats", List.of(FeatureRow.of("c1", T0.plus(HOUR.multipliedBy(2)), Map.of("spend", 2.0))));
      OnlineRowRetention retention = OnlineRowRetention.of(store);
      retention.sweep(now, Duration.ZERO, false);
      assertThat(retention.sweep(now, Duration.ZERO, false).deleted()).containsExactly(served);
    });
    try (ObjectStoreFeatureStore reader = ObjectStoreFeatureStore.builder(racing).clock(clock).build()) {
      assertThat(reader.online("c1", "stats:spend").get("stats:spend").value()).contains(2.0);
    }
  }

  @Test
  void aRowThatVanishesInsideTheRetentionWindowIsStillCorruption() {
    applyStats(fs, HOUR.multipliedBy(100));
    pushAt("c1", T0.plus(HOUR), 1);
    Instant now = T0.plus(HOUR.multipliedBy(10));
    clock.set(now);
    String served = onlineKeys("c1").get(0);
    // a retention record exists (an earlier sweep deleted a row of c9, horizon T0-90h), but the newer
    // row of c1 is inside the window: no collector may delete the listed row, so its vanishing is damage
    pushAt("c9", T0.minus(HOUR.multipliedBy(200)), 9);
    pushAt("c9", T0.minus(HOUR.multipliedBy(150)), 9.5);
    clock.set(now);
    OnlineRowRetention retention = OnlineRowRetention.of(store);
    retention.sweep(now, Duration.ZERO, false);
    assertThat(retention.sweep(now, Duration.ZERO, false).deleted()).hasSize(1);
    ObjectStore racing = interfering(store, served::equals, () -> {
      fs.push("stats", List.of(FeatureRow.of("c1", T0.plus(HOUR.multipliedBy(2)), Map.of("spend", 2.0))));
      store.delete(served);
    });
    try (ObjectStoreFeatureStore reader = ObjectStoreFeatureStore.builder(racing).clock(clock).build()) {
      assertThatThrownBy(() -> reader.online("c1", "stats:spend")).isInstanceOf(CorruptDataException.class)
          .hasMessageContaining(served).hasMessageContaining("retention");
    }
  }

  @Test
  void aRowThatVanishesWithoutAnyRetentionRecordIsCorruption() {
    applyStats(fs, HOUR);
    pushAt("c1", T0.plus(HOUR), 1);
    clock.set(T0.plus(HOUR.multipliedBy(10)));
    String served = onlineKeys("c1").get(0);
    ObjectStore racing = interfering(store, served::equals, () -> {
      fs.push("stats", List.of(FeatureRow.of("c1", T0.plus(HOUR.multipliedBy(2)), Map.of("spend", 2.0))));
      store.delete(served); // deleted by hand, not by a collector: no retention record
    });
    try (ObjectStoreFeatureStore reader = ObjectStoreFeatureStore.builder(racing).clock(clock).build()) {
      assertThatThrownBy(() -> reader.online("c1", "stats:spend")).isInstanceOf(CorruptDataException.class)
          .hasMessageContaining(served);
    }
  }

  @Test
  void aDamagedRetentionRecordIsCorruptionNamingItsKey() {
    applyStats(fs, HOUR);
    pushAt("c1", T0, 1);
    pushAt("c1", T0.plus(HOUR), 2);
    Instant now = T0.plus(HOUR.multipliedBy(10));
    OnlineRowRetention retention = OnlineRowRetention.of(store);
    retention.sweep(now, Duration.ZERO, false);
    retention.sweep(now, Duration.ZERO, false);
    String record = store.listAll("features/stats/v1/retention/").findFirst().orElseThrow();
    store.delete(record);
    store.create(record, "{\"format\":1,\"horizon\":\"not a time\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    try (ObjectStoreFeatureStore behind = ObjectStoreFeatureStore.builder(store).clock(new MutableClock(T0)).build()) {
      assertThatThrownBy(() -> behind.online("c1", "stats:spend")).isInstanceOf(CorruptDataException.class)
          .hasMessageContaining(record);
    }
  }
}
