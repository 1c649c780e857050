package dev.mlops.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.CorruptDataException;
import dev.mlops.features.Entity;
import dev.mlops.features.EntityRow;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureStore;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureView;
import dev.mlops.features.PushTarget;
import dev.mlops.features.SkewReport;
import dev.mlops.features.TrainingRow;
import dev.mlops.features.TrainingSetRequest;
import dev.mlops.spi.ObjectStore;
import dev.mlops.testkit.FeatureStoreContract.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The integrity kit of the feature store: every stored feature object is verified when it is read,
 * so that a changed byte in an online row or an offline segment, or a deleted segment, fails the
 * read with a {@link CorruptDataException} naming the key instead of serving other values or fewer
 * rows; and a deleted online row that a feature store has served is reported by it. Objects are
 * damaged through the backend's own {@link ObjectStore} ({@code delete} then {@code create}), so
 * every backend runs it unchanged; subclass it like {@link FeatureStoreContract}.
 *
 * <p>Not thread-safe; JUnit creates one instance per test.
 */
public abstract class FeatureStoreIntegrityContract {
  /** The start time of every test's clock. */
  protected static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** The raw store under the feature stores. */
  protected ObjectStore store;

  /** The clock of every feature store of the test. */
  protected MutableClock clock;

  private final List<AutoCloseable> toClose = new ArrayList<>();

  /** Subclasses only. */
  protected FeatureStoreIntegrityContract() {}

  /**
   * Creates a fresh, empty store on a location no other call has returned. The kit closes it.
   *
   * @return an open, empty store
   */
  protected abstract ObjectStore newStore();

  /**
   * Opens a feature store over {@code store} with its default settings but for the clock. It must
   * not close the store; if it is {@link AutoCloseable} the kit closes it.
   *
   * @param store the store (a shared view of {@link #store})
   * @param clock the clock
   * @return an open feature store
   */
  protected abstract FeatureStore openFeatureStore(ObjectStore store, Clock clock);

  /**
   * How many positions of a stored object the byte-flip tests damage, each in turn; a backend whose
   * every call is a network round trip may return fewer. Default 64.
   *
   * @return at least 8
   */
  protected int flipPositions() {
    return 64;
  }

  @BeforeEach
  final void openStore() {
    store = newStore();
    toClose.add(store);
    clock = new MutableClock(T0);
  }

  @AfterEach
  final void closeEverything() throws Exception {
    Exception first = null;
    for (AutoCloseable c : toClose) {
      try {
        c.close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    toClose.clear();
    if (first != null) {
      throw first;
    }
  }

  /** A feature store with its own caches, as a new process would open. */
  private FeatureStore open() {
    FeatureStore fs = openFeatureStore(new SharedStore(store), clock);
    if (fs instanceof AutoCloseable c) {
      toClose.add(0, c);
    }
    return fs;
  }

  private static void applyStats(FeatureStore fs) {
    fs.apply(Entity.of("customer", "customer_id"));
    fs.apply(FeatureView.builder("stats", "customer").feature("spend", FeatureType.DOUBLE)
        .feature("tier", FeatureType.STRING).build());
  }

  private static FeatureRow row(String key, Instant event, double spend) {
    return FeatureRow.of(key, event, Map.of("spend", spend, "tier", "gold"));
  }

  private List<String> keys(String part) {
    try (Stream<String> keys = store.listAll("features/")) {
      return keys.filter(k -> k.contains(part)).toList();
    }
  }

  private byte[] bytes(String key) {
    return store.get(key).orElseThrow(() -> new AssertionError("no stored object " + key));
  }

  /** Replaces a stored object through the store's own API. */
  private void rewrite(String key, byte[] content) {
    assertThat(store.delete(key)).as("deleted " + key).isTrue();
    store.create(key, content);
  }

  private static List<Integer> positions(int length, int count) {
    TreeSet<Integer> p = new TreeSet<>();
    for (int i = 0; i < count; i++) {
      p.add((int) ((long) i * (length - 1) / Math.max(1, count - 1)));
    }
    return List.copyOf(p);
  }

  /**
   * Damages each chosen byte of {@code key} in turn (all bits flipped), runs {@code read} on a fresh
   * feature store, and restores the byte.
   */
  private void eachFlippedByte(String key, java.util.function.Consumer<FeatureStore> read) {
    byte[] good = bytes(key);
    List<String> undetected = new ArrayList<>();
    for (int pos : positions(good.length, flipPositions())) {
      byte[] bad = good.clone();
      bad[pos] = (byte) ~bad[pos];
      rewrite(key, bad);
      try {
        read.accept(open());
        undetected.add(pos + "/" + good.length);
      } catch (CorruptDataException expected) {
        assertThat(expected.getMessage()).as("byte " + pos).contains(key);
      } finally {
        rewrite(key, good);
      }
    }
    assertThat(undetected).as("flipped bytes of '" + key + "' read without a CorruptDataException").isEmpty();
  }

  private static List<TrainingRow> training(FeatureStore fs, List<String> entities) {
    try (Stream<TrainingRow> rows = fs.trainingSet(entities.stream().map(e -> new EntityRow(e, T0)),
        TrainingSetRequest.of("stats:spend"))) {
      return rows.toList();
    }
  }

  @Test
  @DisplayName("a changed byte in an online row fails the lookup naming the row's key")
  void flippedOnlineRowByte() {
    FeatureStore fs = open();
    applyStats(fs);
    fs.push("stats", List.of(row("c1", T0.minusSeconds(10), 12.5)));
    List<String> rows = keys("/online/");
    assertThat(rows).hasSize(1);
    eachFlippedByte(rows.get(0), f -> f.online("c1", "stats:spend", "stats:tier"));
    assertThat(open().online("c1", "stats:spend").get("stats:spend").value()).as("restored").contains(12.5);
  }

  @Test
  @DisplayName("a changed byte in an offline segment fails training sets and materialization naming the segment")
  void flippedSegmentByte() {
    FeatureStore fs = open();
    applyStats(fs);
    List<FeatureRow> batch = IntStream.range(0, 20).mapToObj(i -> row("e" + i, T0.minusSeconds(100 + i), i)).toList();
    fs.push("stats", batch, PushTarget.OFFLINE);
    List<String> segments = keys(".avro");
    assertThat(segments).hasSize(1);
    List<String> entities = IntStream.range(0, 20).mapToObj(i -> "e" + i).toList();
    eachFlippedByte(segments.get(0), f -> training(f, entities));
    eachFlippedByte(segments.get(0), f -> f.materialize("stats", dev.mlops.features.MaterializationMode.FULL, p -> { }));
    assertThat(training(open(), entities)).as("restored").hasSize(20)
        .allSatisfy(r -> assertThat(r.values().get(0).value()).isPresent());
  }

  @Test
  @DisplayName("a deleted offline segment fails training sets naming the segment instead of losing its rows")
  void deletedSegment() {
    FeatureStore fs = open();
    applyStats(fs);
    fs.push("stats", List.of(row("a", T0.minusSeconds(30), 1.0)), PushTarget.OFFLINE);
    fs.push("stats", List.of(row("b", T0.minusSeconds(20), 2.0)), PushTarget.OFFLINE);
    List<String> segments = keys(".avro");
    assertThat(segments).hasSize(2);
    assertThat(store.delete(segments.get(1))).isTrue();
    assertThatThrownBy(() -> training(open(), List.of("a", "b"))).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(segments.get(1));
    assertThatThrownBy(() -> training(fs, List.of("a", "b"))).as("also in the process that pushed it")
        .isInstanceOf(CorruptDataException.class).hasMessageContaining(segments.get(1));
  }

  @Test
  @DisplayName("a segment replaced by another valid one (its rows changed) is reported")
  void replacedSegment() {
    FeatureStore fs = open();
    applyStats(fs);
    fs.push("stats", List.of(row("a", T0.minusSeconds(30), 1.0)), PushTarget.OFFLINE);
    fs.push("stats", List.of(row("a", T0.minusSeconds(30), T0.minusSeconds(5), 9.0)), PushTarget.OFFLINE);
    List<String> segments = keys(".avro");
    assertThat(segments).hasSize(2);
    // Swap the two files' contents: both are well-formed segments of this view.
    byte[] first = bytes(segments.get(0));
    byte[] second = bytes(segments.get(1));
    rewrite(segments.get(0), second);
    rewrite(segments.get(1), first);
    assertThatThrownBy(() -> training(open(), List.of("a"))).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining("offline segment");
  }

  private static FeatureRow row(String key, Instant event, Instant created, double spend) {
    return new FeatureRow(key, event, created, Map.of("spend", spend, "tier", "gold"));
  }

  @Test
  @DisplayName("an online row deleted after it was served is reported by the feature store that served it")
  void deletedOnlineRow() {
    FeatureStore fs = open();
    applyStats(fs);
    fs.push("stats", List.of(row("c1", T0.minusSeconds(20), 1.0)));
    fs.push("stats", List.of(row("c1", T0.minusSeconds(10), 2.0)));
    assertThat(fs.online("c1", "stats:spend").get("stats:spend").value()).contains(2.0);
    List<String> rows = keys("/online/");
    assertThat(rows).hasSize(2);
    String newest = rows.get(0); // newest first: keys invert the event time
    assertThat(store.delete(newest)).isTrue();
    clock.advance(Duration.ofHours(1)); // far past any refresh interval: the next lookup re-reads
    assertThatThrownBy(() -> fs.online("c1", "stats:spend")).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(newest);
    // A new process cannot know the row existed; the skew check finds the offline row it lacks.
    SkewReport skew = open().checkSkew("stats", 10, 1);
    assertThat(skew.mismatches()).extracting(m -> m.entityKey()).contains("c1");
  }
}
