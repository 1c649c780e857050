package dev.mlops.featurestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.core.MemObjectStore;
import dev.mlops.features.Entity;
import dev.mlops.features.FeatureRef;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureStatus;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureView;
import dev.mlops.features.OnlineReader;
import dev.mlops.features.OnlineVector;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reader's fast path: the coarse reading of the system clock, the vector, the present count. */
class OnlineReaderTest {

  private static boolean tickerRunning() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("mlops-feature-clock") && t.isAlive());
  }

  @Test
  void onlyASystemClockIsReadCoarselyAndOnlyWhenAsked() {
    Clock fixed = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneId.of("UTC"));
    try (LookupClock exact = LookupClock.of(fixed, true)) {
      assertThat(exact.isCoarse()).isFalse();
      assertThat(exact.micros()).isEqualTo(exact.exactMicros()).isEqualTo(1_767_225_600_000_000L);
    }
    try (LookupClock notAsked = LookupClock.of(Clock.systemUTC(), false)) {
      assertThat(notAsked.isCoarse()).isFalse();
    }
    try (LookupClock zoned = LookupClock.of(Clock.system(ZoneId.of("Europe/Berlin")), true)) {
      assertThat(zoned.isCoarse()).as("any system clock, whatever its zone").isTrue();
    }
  }

  @Test
  void theCoarseTimeFollowsTheSystemClockAndItsThreadRunsOnlyWhileAReadClockIsOpen() throws Exception {
    int base = LookupClock.openCoarseClocks(); // other tests' stores may still be open
    LookupClock a = LookupClock.of(Clock.systemUTC(), true);
    LookupClock b = LookupClock.of(Clock.systemUTC(), true);
    try {
      assertThat(LookupClock.openCoarseClocks()).as("not counted before the first reading").isEqualTo(base);
      a.micros();
      b.micros();
      assertThat(LookupClock.openCoarseClocks()).isEqualTo(base + 2);
      assertThat(tickerRunning()).isTrue();
      boolean moved = false;
      for (int i = 0; i < 50 && !moved; i++) {
        long before = a.exactMicros();
        Thread.sleep(3);
        long coarse = a.micros();
        long after = a.exactMicros();
        // The ticker read the clock after `before` (it ticks every ms; we slept 3) and never ahead.
        assertThat(coarse).isLessThanOrEqualTo(after);
        moved = coarse > before;
      }
      assertThat(moved).as("the coarse time advances with the system clock").isTrue();
    } finally {
      a.close();
      a.close(); // idempotent: must not stop b's ticker
      assertThat(LookupClock.openCoarseClocks()).isEqualTo(base + 1);
      assertThat(tickerRunning()).isTrue();
      b.close();
      assertThat(LookupClock.openCoarseClocks()).isEqualTo(base);
    }
    if (base == 0) {
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (tickerRunning() && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertThat(tickerRunning()).as("ticker stops with the last coarse clock").isFalse();
    }
  }

  @Test
  void aRowStampedWithTheSystemTimeJustBeforeALookupIsAlwaysSeen() {
    try (MemObjectStore store = new MemObjectStore();
        ObjectStoreFeatureStore features = ObjectStoreFeatureStore.builder(store).build()) {
      features.apply(Entity.of("customer", "customer_id"));
      features.apply(FeatureView.builder("stats", "customer").feature("spend", FeatureType.DOUBLE).build());
      OnlineReader reader = features.onlineReader(List.of(new FeatureRef("stats", "spend")));
      OnlineVector v = new OnlineVector(1);
      for (int i = 0; i < 300; i++) {
        // The coarse time lags by up to a millisecond: without the exact re-check these rows,
        // stamped a few microseconds before the lookup, would read as not there yet.
        features.push("stats", List.of(FeatureRow.of("c", Instant.now(), Map.of("spend", (double) i))));
        assertThat(reader.read("c", v)).isEqualTo(1);
        assertThat(v.status(0)).isEqualTo(FeatureStatus.PRESENT);
        assertThat(v.value(0)).isEqualTo((double) i);
        assertThat(v.ageMicros(0)).isNotNegative().isLessThan(Duration.ofSeconds(5).toNanos() / 1000);
        assertThat(features.online("c", "stats:spend").get("stats:spend").value()).contains((double) i);
      }
    }
  }

  @Test
  void aNewVectorIsNotFoundEverywhereAndRowsDecideTheirPositions() {
    OnlineVector v = new OnlineVector(3);
    for (int i = 0; i < 3; i++) {
      assertThat(v.status(i)).isEqualTo(FeatureStatus.NOT_FOUND);
      assertThat(v.value(i)).isNull();
      assertThat(v.ageMicros(i)).isEqualTo(-1);
      assertThat(v.age(i)).isEmpty();
    }
    int[] rows = {0, 1, 0};
    int[] columns = {2, 0, 0};
    v.layout(2, rows, columns);
    v.setRow(0, new Object[] {1.5, 7L, null}, FeatureStatus.PRESENT, FeatureStatus.NOT_FOUND, 42);
    v.setRow(1, new Object[] {"gold"}, FeatureStatus.EXPIRED, FeatureStatus.EXPIRED, 9_000);
    assertThat(v.status(0)).isEqualTo(FeatureStatus.NOT_FOUND); // column 2 is null in a live row
    assertThat(v.value(0)).isNull();
    assertThat(v.ageMicros(0)).isEqualTo(42);
    assertThat(v.status(1)).isEqualTo(FeatureStatus.EXPIRED);
    assertThat(v.value(1)).as("only PRESENT values are returned").isNull();
    assertThat(v.ageMicros(1)).isEqualTo(9_000);
    assertThat(v.status(2)).isEqualTo(FeatureStatus.PRESENT);
    assertThat(v.doubleValue(2, -1)).isEqualTo(1.5);
    v.setRow(0, null, FeatureStatus.PRESENT, FeatureStatus.PRESENT, 5);
    assertThat(v.status(2)).as("no row: NOT_FOUND whatever else is passed").isEqualTo(FeatureStatus.NOT_FOUND);
    assertThat(v.ageMicros(2)).isEqualTo(-1);

    assertThatThrownBy(() -> v.layout(1, new int[] {0, 0}, new int[] {0, 0}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3-position");
    assertThatThrownBy(() -> v.layout(2, new int[] {0, 2, 0}, new int[] {0, 0, 0}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("position 1 reads row 2");
  }

  @Test
  void thePresentCountCountsPositionsAlsoForRepeatedFeaturesAndColumnsBeyond64() {
    Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
    try (MemObjectStore store = new MemObjectStore();
        ObjectStoreFeatureStore features = ObjectStoreFeatureStore.builder(store).clock(Clock.fixed(t0, ZoneId.of("UTC"))).build()) {
      features.apply(Entity.of("customer", "customer_id"));
      FeatureView.Builder wide = FeatureView.builder("wide", "customer");
      Map<String, Object> values = new java.util.HashMap<>();
      for (int f = 0; f < 70; f++) {
        wide.feature("f" + f, FeatureType.LONG);
        if (f % 3 != 0) {
          values.put("f" + f, (long) f);
        }
      }
      features.apply(wide.build());
      features.push("wide", List.of(FeatureRow.of("c", t0.minusSeconds(5), values)));
      for (List<Integer> columns : List.of(List.of(1, 1, 2, 3), List.of(1, 2, 3, 4, 5), List.of(65, 66, 1),
          List.of(63, 62, 0), List.of(69, 69))) {
        List<FeatureRef> refs = columns.stream().map(c -> new FeatureRef("wide", "f" + c)).toList();
        OnlineVector v = new OnlineVector(refs.size());
        int present = features.onlineReader(refs).read("c", v);
        long expected = columns.stream().filter(c -> c % 3 != 0).count();
        assertThat(present).as("%s", columns).isEqualTo((int) expected);
        for (int i = 0; i < refs.size(); i++) {
          int c = columns.get(i);
          assertThat(v.status(i)).isEqualTo(c % 3 != 0 ? FeatureStatus.PRESENT : FeatureStatus.NOT_FOUND);
          assertThat(v.value(i)).isEqualTo(c % 3 != 0 ? (Object) (long) c : null);
          assertThat(v.ageMicros(i)).isEqualTo(5_000_000L);
        }
      }
    }
  }
}
