package dev.mlops.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.NotFoundException;
import dev.mlops.features.Entity;
import dev.mlops.features.EntityRow;
import dev.mlops.features.FeatureRef;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureStatus;
import dev.mlops.features.FeatureStore;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureValue;
import dev.mlops.features.FeatureView;
import dev.mlops.features.FeatureViewVersion;
import dev.mlops.features.MaterializationMode;
import dev.mlops.features.MaterializationProgress;
import dev.mlops.features.OnlineReader;
import dev.mlops.features.OnlineResult;
import dev.mlops.features.OnlineVector;
import dev.mlops.features.PushResult;
import dev.mlops.features.PushTarget;
import dev.mlops.features.SkewMismatch;
import dev.mlops.features.SkewReport;
import dev.mlops.features.TrainingRow;
import dev.mlops.features.TrainingSetRequest;
import dev.mlops.spi.ObjectStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compatibility kit for the feature store: definitions, push ingestion, online lookup with
 * status and age, point-in-time-correct training sets (checked against a brute-force oracle, with
 * runs small enough to force spilling), materialization and the skew check, all through the public
 * {@link FeatureStore} API over a backend's {@link ObjectStore}. Every backend runs it unchanged:
 *
 * <pre>{@code
 * class FsFeatureStoreContractTest extends FeatureStoreContract {
 *   @TempDir Path root;
 *   private final AtomicInteger n = new AtomicInteger();
 *
 *   @Override protected ObjectStore newStore() {
 *     return FsObjectStore.builder().root(root.resolve("f" + n.incrementAndGet())).build();
 *   }
 *
 *   @Override protected FeatureStore openFeatureStore(ObjectStore store, Clock clock) {
 *     return ObjectStoreFeatureStore.builder(store).clock(clock).build();
 *   }
 * }
 * }</pre>
 *
 * <p>Each test gets a fresh store from {@link #newStore()} and a feature store over it from
 * {@link #openFeatureStore} with a {@link MutableClock} the test moves by hand, so ages and TTL
 * expiry are exact. {@link #openSecondFeatureStore()} opens another one over the same store with its
 * own caches, as a second process would. The kit closes everything it opened ({@link AutoCloseable}
 * feature stores too) after each test.
 *
 * <p>Volume: the suite runs in a few seconds on {@code mem:}; {@link #scale()} shrinks the
 * randomized oracle tests for slow backends.
 *
 * <p>Not thread-safe; JUnit creates one instance per test.
 */
public abstract class FeatureStoreContract {
  /** The start time of every test's clock. */
  protected static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** The raw store under {@link #features}: read it to check what was (not) stored. */
  protected ObjectStore store;

  /** The feature store under test. */
  protected FeatureStore features;

  /** The clock of {@link #features}, starting at {@link #T0}. */
  protected MutableClock clock;

  private final List<AutoCloseable> toClose = new ArrayList<>();

  /** Subclasses only. */
  protected FeatureStoreContract() {}

  /**
   * Creates a fresh, empty store on a location no other call has returned. The kit closes it after
   * the test.
   *
   * @return an open, empty store
   */
  protected abstract ObjectStore newStore();

  /**
   * Opens a feature store over {@code store} whose "now" comes from {@code clock}. It must not
   * close the store; if it is {@link AutoCloseable} the kit closes it.
   *
   * @param store the store (possibly a shared view of {@link #store})
   * @param clock the clock
   * @return an open feature store
   */
  protected abstract FeatureStore openFeatureStore(ObjectStore store, Clock clock);

  /**
   * Volume factor for the randomized tests; 1.0 (the default) is full size. A backend whose every
   * call is a network round trip may return e.g. 0.2.
   *
   * @return a factor in (0, 1]
   */
  protected double scale() {
    return 1.0;
  }

  @BeforeEach
  final void openFeatureStoreUnderTest() {
    store = newStore();
    assertThat(store).as("newStore() returned null").isNotNull();
    toClose.add(store);
    clock = new MutableClock(T0);
    features = openFeatureStore(store, clock);
    assertThat(features).as("openFeatureStore() returned null").isNotNull();
    if (features instanceof AutoCloseable c) {
      toClose.add(0, c);
    }
  }

  @AfterEach
  final void closeEverything() throws Exception {
    Exception first = null;
    for (AutoCloseable c : toClose) {
      try {
        c.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        }
      }
    }
    toClose.clear();
    if (first != null) {
      throw first;
    }
  }

  /**
   * Opens a second feature store over the same store, with its own caches (as another process
   * would have) and the same clock.
   *
   * @return it, closed after the test
   */
  protected final FeatureStore openSecondFeatureStore() {
    FeatureStore second = openFeatureStore(new SharedStore(store), clock);
    if (second instanceof AutoCloseable c) {
      toClose.add(0, c);
    }
    return second;
  }

  private int scaled(int full, int minimum) {
    double s = scale();
    if (!(s > 0 && s <= 1)) {
      throw new IllegalStateException("scale() must be in (0, 1], got " + s);
    }
    return Math.max(minimum, (int) Math.round(full * s));
  }

  // ------------------------------------------------------------------ fixtures

  /** A view "stats" of entity "customer": spend (double), visits (long), vip (boolean), tier (string), emb (vector). */
  FeatureViewVersion applyStats(Duration ttl) {
    features.apply(Entity.of("customer", "customer_id"));
    return features.apply(FeatureView.builder("stats", "customer")
        .feature("spend", FeatureType.DOUBLE)
        .feature("visits", FeatureType.LONG)
        .feature("vip", FeatureType.BOOLEAN)
        .feature("tier", FeatureType.STRING)
        .feature("emb", FeatureType.FLOAT_VECTOR)
        .ttl(ttl)
        .owner("growth")
        .description("customer stats")
        .tag("team", "growth")
        .build());
  }

  static FeatureRow row(String key, Instant event, double spend) {
    return FeatureRow.of(key, event, Map.of("spend", spend));
  }

  static FeatureRow row(String key, Instant event, Instant created, double spend) {
    return new FeatureRow(key, event, created, Map.of("spend", spend));
  }

  static final FeatureRef SPEND = new FeatureRef("stats", "spend");

  List<String> storedKeys() {
    try (Stream<String> keys = store.listAll("")) {
      return keys.toList();
    }
  }

  List<TrainingRow> training(List<EntityRow> rows, String... refs) {
    try (Stream<TrainingRow> out = features.trainingSet(rows.stream(), TrainingSetRequest.of(refs))) {
      return out.toList();
    }
  }

  static Instant t(long seconds) {
    return T0.plusSeconds(seconds);
  }

  // ------------------------------------------------------------------ definitions

  @Nested
  @DisplayName("Definitions")
  class Definitions {
    @Test
    @DisplayName("applying a view registers version 1 with its full definition")
    void firstVersion() {
      FeatureViewVersion v = applyStats(Duration.ofHours(1));
      assertThat(v.version()).isEqualTo(1);
      assertThat(v.dataVersion()).isEqualTo(1);
      assertThat(v.registeredAt()).isEqualTo(T0);
      assertThat(v.definition().features()).hasSize(5);
      assertThat(v.definition().owner()).isEqualTo("growth");
      assertThat(v.definition().tags()).containsEntry("team", "growth");
      assertThat(features.findView("stats")).contains(v);
      assertThat(features.findEntity("customer")).get().satisfies(e -> assertThat(e.definition().joinKey())
          .isEqualTo("customer_id"));
      assertThat(features.findView("nope")).isEmpty();
    }

    @Test
    @DisplayName("re-applying an identical definition is a no-op that stores nothing")
    void reapplyIsNoOp() {
      FeatureViewVersion v1 = applyStats(Duration.ofHours(1));
      List<String> before = storedKeys();
      clock.advance(Duration.ofMinutes(5));
      assertThat(applyStats(Duration.ofHours(1))).isEqualTo(v1);
      assertThat(storedKeys()).isEqualTo(before);
      assertThat(features.viewHistory("stats")).containsExactly(v1);
    }

    @Test
    @DisplayName("a changed definition is a new version; only a schema change starts new data")
    void changesMakeVersions() {
      applyStats(Duration.ofHours(1));
      features.push("stats", List.of(row("c1", t(-10), 1.0)));
      FeatureViewVersion v2 = applyStats(Duration.ofHours(2));
      assertThat(v2.version()).isEqualTo(2);
      assertThat(v2.dataVersion()).as("a TTL change keeps the rows").isEqualTo(1);
      assertThat(features.online("c1", "stats:spend").get("stats:spend").value()).contains(1.0);

      FeatureViewVersion v3 = features.apply(FeatureView.builder("stats", "customer")
          .feature("spend", FeatureType.LONG).build());
      assertThat(v3.version()).isEqualTo(3);
      assertThat(v3.dataVersion()).as("a type change starts a new data version").isEqualTo(3);
      assertThat(features.online("c1", "stats:spend").get("stats:spend").status()).isEqualTo(FeatureStatus.NOT_FOUND);
      assertThat(features.viewHistory("stats")).extracting(FeatureViewVersion::version).containsExactly(1, 2, 3);
      assertThat(features.viewHistory("stats").get(0).definition().features().get(0).type())
          .as("history is never edited in place").isEqualTo(FeatureType.DOUBLE);
    }

    @Test
    @DisplayName("viewNames lists every view once, sorted, across versions")
    void viewNamesListsViews() {
      assertThat(features.viewNames()).isEmpty();
      applyStats(Duration.ofHours(1));
      applyStats(Duration.ofHours(2));
      features.apply(FeatureView.builder("a_view", "customer").feature("f", FeatureType.DOUBLE).build());
      assertThat(features.viewNames()).containsExactly("a_view", "stats");
    }

    @Test
    @DisplayName("a view of an unknown entity is refused")
    void unknownEntity() {
      assertThatThrownBy(() -> features.apply(FeatureView.builder("v", "ghost").feature("f", FeatureType.DOUBLE).build()))
          .isInstanceOf(NotFoundException.class).hasMessageContaining("ghost");
    }

    @Test
    @DisplayName("bad names are refused with the value named")
    void badNames() {
      assertThatThrownBy(() -> FeatureView.builder("bad view", "customer").feature("f", FeatureType.DOUBLE).build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'bad view'");
      assertThatThrownBy(() -> FeatureView.builder("v", "customer").feature("f/x", FeatureType.DOUBLE).build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'f/x'");
      assertThatThrownBy(() -> Entity.of("..", "id")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'..'");
      assertThatThrownBy(() -> features.findView("a b")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'a b'");
      assertThatThrownBy(() -> FeatureRef.parse("stats")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'stats'");
      assertThatThrownBy(() -> FeatureView.builder("v", "customer").feature("f", FeatureType.DOUBLE)
          .feature("f", FeatureType.LONG).build()).hasMessageContaining("'f' twice");
      assertThatThrownBy(() -> FeatureView.builder("v", "customer").feature("f", FeatureType.DOUBLE)
          .ttl(Duration.ofSeconds(-1)).build()).hasMessageContaining("negative ttl");
    }

    @Test
    @DisplayName("another feature store over the same store sees the definitions")
    void secondStoreSeesDefinitions() {
      FeatureViewVersion v = applyStats(Duration.ZERO);
      assertThat(openSecondFeatureStore().findView("stats")).contains(v);
    }
  }

  // ------------------------------------------------------------------ push and online

  @Nested
  @DisplayName("Online lookup")
  class Online {
    @BeforeEach
    void view() {
      applyStats(Duration.ofHours(1));
    }

    @Test
    @DisplayName("returns every type's value with PRESENT, event time and age from the clock")
    void presentWithAge() {
      float[] emb = {0.5f, -1f, 2f};
      features.push("stats", List.of(FeatureRow.of("c1", t(-30), Map.of("spend", 12.5, "visits", 3L, "vip", true,
          "tier", "gold", "emb", emb))));
      OnlineResult r = features.online("c1", "stats:spend", "stats:visits", "stats:vip", "stats:tier", "stats:emb");
      assertThat(r.entityKey()).isEqualTo("c1");
      assertThat(r.values()).allSatisfy(v -> {
        assertThat(v.status()).isEqualTo(FeatureStatus.PRESENT);
        assertThat(v.eventTime()).contains(t(-30));
        assertThat(v.age()).contains(Duration.ofSeconds(30));
      });
      assertThat(r.values()).extracting(FeatureValue::ref).extracting(FeatureRef::feature)
          .containsExactly("spend", "visits", "vip", "tier", "emb");
      assertThat(r.get("stats:spend").value()).contains(12.5);
      assertThat(r.get("stats:visits").value()).contains(3L);
      assertThat(r.get("stats:vip").value()).contains(true);
      assertThat(r.get("stats:tier").value()).contains("gold");
      assertThat((float[]) r.get("stats:emb").value().orElseThrow()).containsExactly(0.5f, -1f, 2f);
      clock.advance(Duration.ofSeconds(10));
      assertThat(features.online("c1", "stats:spend").get("stats:spend").age()).contains(Duration.ofSeconds(40));
    }

    @Test
    @DisplayName("an unknown entity is NOT_FOUND with no age")
    void notFound() {
      FeatureValue v = features.online("ghost", "stats:spend").get("stats:spend");
      assertThat(v.status()).isEqualTo(FeatureStatus.NOT_FOUND);
      assertThat(v.value()).isEmpty();
      assertThat(v.age()).isEmpty();
    }

    @Test
    @DisplayName("a row older than the TTL is EXPIRED, exactly at the boundary")
    void expires() {
      features.push("stats", List.of(row("c1", T0, 1.0)));
      clock.set(T0.plus(Duration.ofHours(1)));
      assertThat(features.online("c1", "stats:spend").get("stats:spend").status()).isEqualTo(FeatureStatus.PRESENT);
      clock.set(T0.plus(Duration.ofHours(1)).plusNanos(1_000));
      FeatureValue v = features.online("c1", "stats:spend").get("stats:spend");
      assertThat(v.status()).isEqualTo(FeatureStatus.EXPIRED);
      assertThat(v.value()).isEmpty();
      assertThat(v.age()).contains(Duration.ofHours(1).plusNanos(1_000));
    }

    @Test
    @DisplayName("a TTL of zero never expires")
    void zeroTtl() {
      features.apply(FeatureView.builder("forever", "customer").feature("x", FeatureType.LONG).build());
      features.push("forever", List.of(FeatureRow.of("c1", T0, Map.of("x", 7L))));
      clock.advance(Duration.ofDays(3650));
      assertThat(features.online("c1", "forever:x").get("forever:x").value()).contains(7L);
    }

    @Test
    @DisplayName("the latest event wins whatever the push order; ties go to the later created time")
    void latestWins() {
      features.push("stats", List.of(row("c1", t(-10), 2.0)));
      features.push("stats", List.of(row("c1", t(-20), 1.0)));
      assertThat(features.online("c1", "stats:spend").get("stats:spend").value()).contains(2.0);
      features.push("stats", List.of(row("c1", t(-10), t(5), 3.0), row("c1", t(-10), t(1), 9.0)));
      assertThat(features.online("c1", "stats:spend").get("stats:spend").value()).contains(3.0);
    }

    @Test
    @DisplayName("a row in the future of the clock is not visible until its time")
    void futureRows() {
      features.push("stats", List.of(row("c1", t(-10), 1.0), row("c1", t(100), 2.0)));
      assertThat(features.online("c1", "stats:spend").get("stats:spend").value()).contains(1.0);
      clock.set(t(100));
      assertThat(features.online("c1", "stats:spend").get("stats:spend").value()).contains(2.0);
    }

    @Test
    @DisplayName("a feature missing from the latest row is NOT_FOUND, with that row's age")
    void missingFeature() {
      features.push("stats", List.of(FeatureRow.of("c1", t(-5), Map.of("visits", 1L))));
      FeatureValue v = features.online("c1", "stats:spend").get("stats:spend");
      assertThat(v.status()).isEqualTo(FeatureStatus.NOT_FOUND);
      assertThat(v.age()).contains(Duration.ofSeconds(5));
    }

    @Test
    @DisplayName("a batch of keys and several views come back in request order")
    void batchAndViews() {
      features.apply(FeatureView.builder("risk", "customer").feature("score", FeatureType.DOUBLE).build());
      features.push("stats", List.of(row("a", t(-1), 1.0), row("b", t(-1), 2.0)));
      features.push("risk", List.of(FeatureRow.of("b", t(-1), Map.of("score", 0.9))));
      List<OnlineResult> rs = features.online(List.of("b", "zz", "a"),
          List.of(new FeatureRef("risk", "score"), SPEND));
      assertThat(rs).extracting(OnlineResult::entityKey).containsExactly("b", "zz", "a");
      assertThat(rs.get(0).values()).extracting(FeatureValue::value).containsExactly(Optional.of(0.9), Optional.of(2.0));
      assertThat(rs.get(1).values()).extracting(FeatureValue::status)
          .containsExactly(FeatureStatus.NOT_FOUND, FeatureStatus.NOT_FOUND);
      assertThat(rs.get(2).values()).extracting(FeatureValue::status)
          .containsExactly(FeatureStatus.NOT_FOUND, FeatureStatus.PRESENT);
    }

    @Test
    @DisplayName("unknown views or features and views of different entities are refused")
    void badRequests() {
      assertThatThrownBy(() -> features.online("c1", "nope:spend")).isInstanceOf(NotFoundException.class)
          .hasMessageContaining("nope");
      assertThatThrownBy(() -> features.online("c1", "stats:nope")).isInstanceOf(NotFoundException.class)
          .hasMessageContaining("nope");
      features.apply(Entity.of("merchant", "merchant_id"));
      features.apply(FeatureView.builder("m", "merchant").feature("x", FeatureType.DOUBLE).build());
      assertThatThrownBy(() -> features.online("c1", "stats:spend", "m:x"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different entities");
    }

    @Test
    @DisplayName("a bound reader fills a reused vector with what online() returns")
    void reader() {
      features.push("stats", List.of(FeatureRow.of("a", t(-30), Map.of("spend", 1.5, "tier", "gold")),
          FeatureRow.of("old", t(-7200), Map.of("spend", 2.5))));
      List<FeatureRef> refs = List.of(SPEND, new FeatureRef("stats", "tier"), new FeatureRef("stats", "visits"));
      OnlineReader reader = features.onlineReader(refs);
      assertThat(reader.features()).isEqualTo(refs);
      OnlineVector v = new OnlineVector(3);
      for (String key : List.of("a", "old", "ghost", "a")) {
        int present = reader.read(key, v);
        OnlineResult expected = features.online(List.of(key), refs).get(0);
        for (int i = 0; i < 3; i++) {
          FeatureValue e = expected.values().get(i);
          assertThat(v.status(i)).as("%s %s", key, refs.get(i)).isEqualTo(e.status());
          assertThat(Optional.ofNullable(v.value(i))).isEqualTo(e.value());
          assertThat(v.age(i)).isEqualTo(e.age());
        }
        assertThat(present).isEqualTo((int) expected.values().stream().filter(FeatureValue::isPresent).count());
      }
      reader.read("a", v);
      assertThat(v.doubleValue(0, Double.NaN)).isEqualTo(1.5);
      assertThat(v.ageMicros(0)).isEqualTo(30_000_000L);
      assertThat(v.doubleValue(2, -1)).isEqualTo(-1);
      assertThatThrownBy(() -> reader.read("a", new OnlineVector(2))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("2 positions");
      assertThatThrownBy(() -> features.onlineReader(List.of(new FeatureRef("stats", "nope"))))
          .isInstanceOf(NotFoundException.class);
    }

    @Test
    @DisplayName("another feature store over the same store sees pushed rows")
    void secondStoreSeesRows() {
      FeatureStore second = openSecondFeatureStore();
      assertThat(second.online("c1", "stats:spend").get("stats:spend").status()).isEqualTo(FeatureStatus.NOT_FOUND);
      features.push("stats", List.of(row("c1", t(-1), 4.0)));
      FeatureStore third = openSecondFeatureStore();
      assertThat(third.online("c1", "stats:spend").get("stats:spend").value()).contains(4.0);
    }
  }

  // ------------------------------------------------------------------ ingestion

  @Nested
  @DisplayName("Push ingestion")
  class Push {
    @BeforeEach
    void view() {
      applyStats(Duration.ZERO);
    }

    @Test
    @DisplayName("pushing the same batch twice, in any order, stores nothing new and duplicates nothing")
    void idempotent() {
      List<FeatureRow> batch = List.of(row("a", t(-3), 1.0), row("b", t(-2), 2.0), row("a", t(-1), 3.0));
      PushResult first = features.push("stats", batch);
      assertThat(first.offlineSegmentCreated()).isTrue();
      assertThat(first.onlineRowsWritten()).isEqualTo(2);
      List<String> keys = storedKeys();
      List<FeatureRow> reordered = new ArrayList<>(batch);
      Collections.reverse(reordered);
      PushResult again = features.push("stats", reordered);
      assertThat(again.offlineSegmentCreated()).isFalse();
      assertThat(again.onlineRowsWritten()).isZero();
      assertThat(storedKeys()).isEqualTo(keys);
      // An overlapping batch with one new row: the repeated rows still appear once.
      features.push("stats", List.of(row("a", t(-1), 3.0), row("c", t(-1), 5.0)));
      List<TrainingRow> out = training(List.of(new EntityRow("a", t(0)), new EntityRow("c", t(0))), "stats:spend");
      assertThat(out).hasSize(2);
      assertThat(out.get(0).values().get(0).value()).contains(3.0);
      assertThat(out.get(1).values().get(0).value()).contains(5.0);
    }

    @Test
    @DisplayName("a value of the wrong type fails the whole batch, naming feature and types, storing nothing")
    void wrongType() {
      List<String> before = storedKeys();
      List<FeatureRow> batch = List.of(row("a", t(-1), 1.0), FeatureRow.of("b", t(-1), Map.of("spend", 3L)));
      assertThatThrownBy(() -> features.push("stats", batch)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'spend'").hasMessageContaining("DOUBLE").hasMessageContaining("Long");
      assertThatThrownBy(() -> features.push("stats", List.of(FeatureRow.of("a", t(-1), Map.of("emb", new double[] {1})))))
          .hasMessageContaining("'emb'").hasMessageContaining("FLOAT_VECTOR").hasMessageContaining("double[]");
      assertThat(storedKeys()).isEqualTo(before);
      assertThat(features.online("a", "stats:spend").get("stats:spend").status()).isEqualTo(FeatureStatus.NOT_FOUND);
    }

    @Test
    @DisplayName("an unknown feature, an empty batch or conflicting repeats fail with nothing stored")
    void badBatches() {
      List<String> before = storedKeys();
      assertThatThrownBy(() -> features.push("stats", List.of(FeatureRow.of("a", t(0), Map.of("spnd", 1.0)))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'spnd'");
      assertThatThrownBy(() -> features.push("stats", List.of())).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> features.push("stats", List.of(row("a", t(0), 1.0), row("a", t(0), 2.0))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
      assertThatThrownBy(() -> features.push("nope", List.of(row("a", t(0), 1.0))))
          .isInstanceOf(NotFoundException.class).hasMessageContaining("nope");
      assertThat(storedKeys()).isEqualTo(before);
    }

    @Test
    @DisplayName("an offline-only push is not online until materialized")
    void offlineOnly() {
      PushResult r = features.push("stats", List.of(row("a", t(-1), 1.0)), PushTarget.OFFLINE);
      assertThat(r.onlineRowsWritten()).isZero();
      assertThat(features.online("a", "stats:spend").get("stats:spend").status()).isEqualTo(FeatureStatus.NOT_FOUND);
      assertThat(training(List.of(new EntityRow("a", t(0))), "stats:spend").get(0).values().get(0).value())
          .contains(1.0);
    }
  }

  // ------------------------------------------------------------------ training sets

  @Nested
  @DisplayName("Training sets")
  class TrainingSets {
    @Test
    @DisplayName("join as of each entity row's time, with TTL, ties, future rows and missing entities")
    void pointInTime() {
      applyStats(Duration.ofSeconds(100));
      features.push("stats", List.of(
          row("a", t(0), 1.0), row("a", t(50), 2.0), row("a", t(50), t(60), 3.0), row("a", t(300), 4.0),
          row("b", t(10), 10.0)));
      List<TrainingRow> out = training(List.of(
          new EntityRow("a", t(-1)), new EntityRow("a", t(49)), new EntityRow("a", t(50)), new EntityRow("a", t(150)),
          new EntityRow("a", t(151)), new EntityRow("a", t(300)), new EntityRow("b", t(110)), new EntityRow("b", t(111)),
          new EntityRow("c", t(500))), "stats:spend");
      assertThat(out).extracting(r -> r.values().get(0).status()).containsExactly(
          FeatureStatus.NOT_FOUND, FeatureStatus.PRESENT, FeatureStatus.PRESENT, FeatureStatus.PRESENT,
          FeatureStatus.EXPIRED, FeatureStatus.PRESENT, FeatureStatus.PRESENT, FeatureStatus.EXPIRED,
          FeatureStatus.NOT_FOUND);
      assertThat(out).extracting(r -> r.values().get(0).value().orElse(null))
          .containsExactly(null, 1.0, 3.0, 3.0, null, 4.0, 10.0, null, null);
      assertThat(out.get(3).values().get(0).age()).contains(Duration.ofSeconds(100));
    }

    @Test
    @DisplayName("output is ordered by (entity, timestamp) and keeps repeated entity rows")
    void orderAndDuplicates() {
      applyStats(Duration.ZERO);
      features.push("stats", List.of(row("a", t(0), 1.0), row("b", t(0), 2.0)));
      List<TrainingRow> out = training(List.of(new EntityRow("b", t(5)), new EntityRow("a", t(9)),
          new EntityRow("a", t(1)), new EntityRow("b", t(5))), "stats:spend");
      assertThat(out).extracting(r -> r.entityKey() + "@" + r.timestamp().getEpochSecond() % 100)
          .containsExactly("a@1", "a@9", "b@5", "b@5");
    }

    @Test
    @DisplayName("several views join in one pass, each with its own TTL")
    void severalViews() {
      applyStats(Duration.ofSeconds(10));
      features.apply(FeatureView.builder("risk", "customer").feature("score", FeatureType.DOUBLE).build());
      features.push("stats", List.of(row("a", t(0), 1.0)));
      features.push("risk", List.of(FeatureRow.of("a", t(0), Map.of("score", 0.5))));
      List<TrainingRow> out = training(List.of(new EntityRow("a", t(20))), "risk:score", "stats:spend");
      assertThat(out.get(0).values()).extracting(FeatureValue::status)
          .containsExactly(FeatureStatus.PRESENT, FeatureStatus.EXPIRED);
      assertThat(out.get(0).find(new FeatureRef("risk", "score")).orElseThrow().value()).contains(0.5);
    }

    @Test
    @DisplayName("matches a brute-force oracle on random data, with runs small enough to spill")
    void oracle(@TempDir Path spill) {
      applyStats(Duration.ofSeconds(500));
      Random random = new Random(42);
      int entities = 300;
      int featureRows = scaled(6000, 1500);
      int entityRows = scaled(4000, 1200);
      List<FeatureRow> all = new ArrayList<>();
      Map<String, FeatureRow> unique = new LinkedHashMap<>();
      for (int i = 0; i < featureRows; i++) {
        String key = "e" + random.nextInt(entities);
        Instant event = t(random.nextInt(5000));
        Instant created = event.plusSeconds(random.nextInt(3));
        Map<String, Object> values = new HashMap<>();
        values.put("spend", (double) i);
        if (random.nextInt(10) > 0) {
          values.put("visits", (long) i);
        }
        FeatureRow r = new FeatureRow(key, event, created, values);
        if (unique.putIfAbsent(key + "|" + event + "|" + created, r) == null) {
          all.add(r);
        }
      }
      for (int from = 0; from < all.size(); from += 700) {
        features.push("stats", all.subList(from, Math.min(all.size(), from + 700)), PushTarget.OFFLINE);
      }
      features.push("stats", all.subList(0, 700), PushTarget.OFFLINE); // a repeated batch
      List<EntityRow> probes = new ArrayList<>();
      for (int i = 0; i < entityRows; i++) {
        probes.add(new EntityRow("e" + random.nextInt(entities + 20), t(random.nextInt(5600) - 100)));
      }
      List<TrainingRow> out;
      TrainingSetRequest request = new TrainingSetRequest(List.of(SPEND, new FeatureRef("stats", "visits")),
          Optional.of(spill), 1000);
      try (Stream<TrainingRow> s = features.trainingSet(probes.stream(), request)) {
        out = s.toList();
      }
      List<EntityRow> sorted = new ArrayList<>(probes);
      sorted.sort(Comparator.comparing(EntityRow::entityKey).thenComparing(EntityRow::timestamp));
      assertThat(out).hasSize(sorted.size());
      Map<String, List<FeatureRow>> byEntity = all.stream().collect(Collectors.groupingBy(FeatureRow::entityKey));
      for (int i = 0; i < sorted.size(); i++) {
        EntityRow p = sorted.get(i);
        TrainingRow got = out.get(i);
        assertThat(got.entityKey()).isEqualTo(p.entityKey());
        assertThat(got.timestamp()).isEqualTo(p.timestamp());
        FeatureRow winner = byEntity.getOrDefault(p.entityKey(), List.of()).stream()
            .filter(r -> !r.eventTime().isAfter(p.timestamp()))
            .max(Comparator.comparing(FeatureRow::eventTime).thenComparing(FeatureRow::createdTime)).orElse(null);
        for (int f = 0; f < 2; f++) {
          String name = f == 0 ? "spend" : "visits";
          FeatureValue v = got.values().get(f);
          if (winner == null) {
            assertThat(v.status()).as("%s", p).isEqualTo(FeatureStatus.NOT_FOUND);
            assertThat(v.age()).isEmpty();
          } else if (winner.eventTime().isBefore(p.timestamp().minusSeconds(500))) {
            assertThat(v.status()).as("%s", p).isEqualTo(FeatureStatus.EXPIRED);
          } else if (!winner.values().containsKey(name)) {
            assertThat(v.status()).as("%s", p).isEqualTo(FeatureStatus.NOT_FOUND);
            assertThat(v.eventTime()).contains(winner.eventTime());
          } else {
            assertThat(v.value()).as("%s %s", p, name).contains(winner.values().get(name));
            assertThat(v.age()).contains(Duration.between(winner.eventTime(), p.timestamp()));
          }
        }
      }
      try (Stream<Path> left = java.nio.file.Files.list(spill)) {
        assertThat(left).as("spill files are deleted when the stream is closed").isEmpty();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Test
    @DisplayName("online lookups and training sets apply the same TTL rule and agree")
    void onlineAgreesWithOffline() {
      applyStats(Duration.ofSeconds(300));
      Random random = new Random(7);
      List<FeatureRow> rows = new ArrayList<>();
      Set<String> seen = new java.util.HashSet<>();
      for (int i = 0; i < scaled(600, 200); i++) {
        String key = "e" + random.nextInt(100);
        Instant event = t(random.nextInt(2000));
        if (seen.add(key + event)) {
          Map<String, Object> values = new HashMap<>(Map.of("spend", (double) i, "tier", "t" + (i % 3)));
          if (random.nextBoolean()) {
            values.put("emb", new float[] {i, -i});
          }
          rows.add(FeatureRow.of(key, event, values));
        }
      }
      features.push("stats", rows);
      for (long now : new long[] {500, 1000, 1999, 2250}) {
        clock.set(t(now));
        List<String> keys = IntStream.range(0, 110).mapToObj(i -> "e" + i).toList();
        List<FeatureRef> refs = List.of(SPEND, new FeatureRef("stats", "tier"), new FeatureRef("stats", "emb"));
        List<OnlineResult> online = features.online(keys, refs);
        List<TrainingRow> offline;
        try (Stream<TrainingRow> s = features.trainingSet(keys.stream().map(k -> new EntityRow(k, clock.instant())),
            new TrainingSetRequest(refs, Optional.empty(), 1000))) {
          offline = s.toList();
        }
        Map<String, TrainingRow> byKey = offline.stream().collect(Collectors.toMap(TrainingRow::entityKey, r -> r));
        for (OnlineResult on : online) {
          TrainingRow off = byKey.get(on.entityKey());
          for (int f = 0; f < refs.size(); f++) {
            FeatureValue a = on.values().get(f);
            FeatureValue b = off.values().get(f);
            assertThat(a.agreesWith(b)).as("%s %s at %s: online %s, offline %s", on.entityKey(), refs.get(f), now, a, b)
                .isTrue();
            assertThat(a.age()).isEqualTo(b.age());
          }
        }
        assertThat(online.stream().flatMap(r -> r.values().stream()).map(FeatureValue::status).distinct())
            .as("the data exercises every status at t=%s", now).contains(FeatureStatus.PRESENT, FeatureStatus.EXPIRED,
                FeatureStatus.NOT_FOUND);
      }
    }
  }

  // ------------------------------------------------------------------ materialization and skew

  @Nested
  @DisplayName("Materialization and skew")
  class Materialization {
    @BeforeEach
    void view() {
      applyStats(Duration.ZERO);
    }

    @Test
    @DisplayName("a full run brings each entity's latest offline row online and reports progress")
    void full() {
      features.push("stats", List.of(row("a", t(-30), 1.0), row("a", t(-20), 2.0), row("b", t(-5), 3.0)),
          PushTarget.OFFLINE);
      features.push("stats", List.of(row("a", t(-25), 9.0), row("c", t(50), 4.0)), PushTarget.OFFLINE);
      List<MaterializationProgress> reports = new ArrayList<>();
      MaterializationProgress done = features.materialize("stats", MaterializationMode.FULL, reports::add);
      assertThat(done.done()).isTrue();
      assertThat(done.segmentsTotal()).isEqualTo(2);
      assertThat(done.rowsRead()).isEqualTo(5);
      assertThat(done.onlineRowsWritten()).as("a and b; c is in the future").isEqualTo(2);
      assertThat(done.to()).isEqualTo(T0);
      assertThat(reports).extracting(MaterializationProgress::segmentsDone).contains(1, 2);
      assertThat(reports.get(reports.size() - 1)).isEqualTo(done);
      assertThat(features.online(List.of("a", "b", "c"), List.of(SPEND))).extracting(r -> r.values().get(0).value())
          .containsExactly(Optional.of(2.0), Optional.of(3.0), Optional.empty());
      assertThat(features.materialize("stats", MaterializationMode.FULL, p -> { }).onlineRowsWritten())
          .as("a repeated run writes nothing new").isZero();
    }

    @Test
    @DisplayName("an incremental run covers event times after the previous watermark only")
    void incremental() {
      features.push("stats", List.of(row("a", t(-10), 1.0)), PushTarget.OFFLINE);
      MaterializationProgress first = features.materialize("stats", MaterializationMode.INCREMENTAL, p -> { });
      assertThat(first.from()).isEqualTo(Instant.MIN);
      assertThat(first.onlineRowsWritten()).isEqualTo(1);
      clock.advance(Duration.ofSeconds(60));
      features.push("stats", List.of(row("a", t(30), 2.0), row("b", t(40), 3.0)), PushTarget.OFFLINE);
      MaterializationProgress second = features.materialize("stats", MaterializationMode.INCREMENTAL, p -> { });
      assertThat(second.from()).isEqualTo(T0);
      assertThat(second.to()).isEqualTo(t(60));
      assertThat(second.onlineRowsWritten()).isEqualTo(2);
      assertThat(features.online(List.of("a", "b"), List.of(SPEND))).extracting(r -> r.values().get(0).value())
          .containsExactly(Optional.of(2.0), Optional.of(3.0));
    }

    @Test
    @DisplayName("the skew check reports offline rows missing online, and is clean after materialization")
    void skew() {
      List<FeatureRow> rows = IntStream.range(0, 40).mapToObj(i -> row("e" + i, t(-i), i)).toList();
      features.push("stats", rows.subList(0, 20));
      features.push("stats", rows.subList(20, 40), PushTarget.OFFLINE);
      SkewReport report = features.checkSkew("stats", 10, 1);
      assertThat(report.entitiesSampled()).isEqualTo(10);
      assertThat(report.valuesCompared()).isEqualTo(50);
      assertThat(report.at()).isEqualTo(T0);
      Set<String> online = rows.subList(0, 20).stream().map(FeatureRow::entityKey).collect(Collectors.toSet());
      assertThat(report.mismatches()).allSatisfy(m -> {
        assertThat(online).doesNotContain(m.entityKey());
        assertThat(m.online().status()).isEqualTo(FeatureStatus.NOT_FOUND);
        assertThat(m.offline().status()).isEqualTo(FeatureStatus.PRESENT);
      });
      assertThat(features.checkSkew("stats", 10, 1).mismatches()).as("same seed, same sample")
          .isEqualTo(report.mismatches());
      SkewReport all = features.checkSkew("stats", 1000, 2);
      assertThat(all.entitiesSampled()).isEqualTo(40);
      assertThat(all.mismatches()).extracting(SkewMismatch::entityKey).hasSize(20)
          .doesNotContainAnyElementsOf(online);
      features.materialize("stats", MaterializationMode.FULL, p -> { });
      assertThat(features.checkSkew("stats", 1000, 2).clean()).isTrue();
    }

    @Test
    @DisplayName("unknown views and bad arguments are refused")
    void badArguments() {
      assertThatThrownBy(() -> features.materialize("nope", MaterializationMode.FULL, p -> { }))
          .isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> features.checkSkew("stats", 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  /**
   * A clock that tests set and advance by hand.
   *
   * <p>Thread-safe.
   */
  public static final class MutableClock extends Clock {
    private volatile Instant now;

    /** @param start the initial time */
    public MutableClock(Instant start) {
      this.now = start;
    }

    /** @param t the new time */
    public void set(Instant t) {
      now = t;
    }

    /** @param d how far to move forward */
    public void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
