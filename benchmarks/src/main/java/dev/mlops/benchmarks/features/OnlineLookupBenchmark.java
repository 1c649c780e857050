package dev.mlops.benchmarks.features;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.mlops.core.MemObjectStore;
import dev.mlops.featurestore.ObjectStoreFeatureStore;
import dev.mlops.features.Entity;
import dev.mlops.features.FeatureRef;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureView;
import dev.mlops.features.OnlineReader;
import dev.mlops.features.OnlineResult;
import dev.mlops.features.OnlineVector;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Online feature lookup served from the cache: one entity of a 10-feature view (values, status
 * and age per feature), beside a raw Caffeine {@code getIfPresent} of the same 10 values in the
 * same run (the floor any cached lookup pays), that floor plus one {@code Clock.instant()} (the
 * floor of a lookup that reports ages), the same lookup through an allocation-free
 * {@link OnlineReader} (with the default coarse reading of the system clock, and with
 * {@code coarseSystemClock(false)}, which reads {@code Clock.instant()} per lookup), and a batch of
 * 100 entities. 10,000 entities, all cached; keys cycle so that each call reads a different entity.
 *
 * <p>Not the defaults: the refresh interval is one hour, so no entry goes stale during the run.
 * {@link OnlineLookupDefaultsBenchmark} measures what a user gets by default (1 s, entries
 * refreshed during the run); quote that one.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class OnlineLookupBenchmark {
  private static final int ENTITIES = 10_000;
  private static final Clock CLOCK = Clock.systemUTC();

  private MemObjectStore store;
  private ObjectStoreFeatureStore features;
  private Cache<String, double[]> raw;
  private Cache<String, double[]> rawCallerMaintenance;
  private List<FeatureRef> refs;
  private List<List<String>> singleKeys;
  private List<List<String>> batches;
  private String[] keys;
  private int next;
  private OnlineReader reader;
  private ObjectStoreFeatureStore exactClockFeatures;
  private OnlineReader exactClockReader;
  private final OnlineVector vector = new OnlineVector(10);

  @Setup(Level.Trial)
  public void setup() {
    store = new MemObjectStore();
    features = ObjectStoreFeatureStore.builder(store).cacheMaximumSize(2 * ENTITIES).refreshInterval(Duration.ofHours(1))
        .build();
    exactClockFeatures = ObjectStoreFeatureStore.builder(store).cacheMaximumSize(2 * ENTITIES)
        .refreshInterval(Duration.ofHours(1)).coarseSystemClock(false).build();
    features.apply(Entity.of("customer", "customer_id"));
    FeatureView.Builder view = FeatureView.builder("stats", "customer").ttl(Duration.ofDays(30));
    refs = new ArrayList<>();
    for (int f = 0; f < 10; f++) {
      view.feature("f" + f, FeatureType.DOUBLE);
      refs.add(new FeatureRef("stats", "f" + f));
    }
    features.apply(view.build());
    raw = Caffeine.newBuilder().maximumSize(2 * ENTITIES).build();
    rawCallerMaintenance = Caffeine.newBuilder().maximumSize(2 * ENTITIES).executor(Runnable::run).build();
    keys = new String[ENTITIES];
    singleKeys = new ArrayList<>();
    List<FeatureRow> rows = new ArrayList<>();
    Instant t = Instant.now().minusSeconds(60);
    for (int i = 0; i < ENTITIES; i++) {
      keys[i] = "customer-" + i;
      singleKeys.add(List.of(keys[i]));
      Map<String, Object> values = new HashMap<>();
      double[] v = new double[10];
      for (int f = 0; f < 10; f++) {
        v[f] = i * 10 + f;
        values.put("f" + f, v[f]);
      }
      rows.add(FeatureRow.of(keys[i], t, values));
      raw.put(keys[i], v);
      rawCallerMaintenance.put(keys[i], v);
    }
    features.push("stats", rows);
    batches = new ArrayList<>();
    for (int b = 0; b < ENTITIES / 100; b++) {
      batches.add(List.of(keys).subList(b * 100, b * 100 + 100));
    }
    features.online(List.of(keys), refs); // warm the cache
    reader = features.onlineReader(refs);
    exactClockFeatures.online(List.of(keys), refs); // warm its cache
    exactClockReader = exactClockFeatures.onlineReader(refs);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    features.close();
    exactClockFeatures.close();
    store.close();
  }

  private int nextIndex() {
    int i = next;
    next = i + 1 == ENTITIES ? 0 : i + 1;
    return i;
  }

  /** The floor: a Caffeine hit returning the 10 values, no status, no age. */
  @Benchmark
  public double[] rawCaffeineGetIfPresent() {
    return raw.getIfPresent(keys[nextIndex()]);
  }

  /**
   * The floor of any lookup that reads what it found: the raw hit plus one read of the cached
   * value's memory (its first double). The raw hit alone returns the reference without touching the
   * value; a lookup that reports status and age must read its cache entry.
   */
  @Benchmark
  public double rawCaffeineGetIfPresentReadValue() {
    return raw.getIfPresent(keys[nextIndex()])[0];
  }

  /**
   * The floor with the feature store's cache configuration: Caffeine's maintenance (access order,
   * frequency sketch) runs on the calling thread instead of the common pool, as the store does.
   */
  @Benchmark
  public double[] rawCaffeineCallerMaintenanceGetIfPresent() {
    return rawCallerMaintenance.getIfPresent(keys[nextIndex()]);
  }

  /**
   * The floor plus the one clock read every lookup needs for ages and TTL ({@code Clock.systemUTC()},
   * the default clock): what a lookup cannot go below on this machine's clock source.
   */
  @Benchmark
  public double[] rawCaffeineGetIfPresentPlusClock() {
    double[] v = raw.getIfPresent(keys[nextIndex()]);
    return CLOCK.instant().getNano() == -1 ? null : v;
  }

  /** One entity, 10 features, with status and age each. */
  @Benchmark
  public OnlineResult cachedOnlineLookup10Features() {
    return features.online(singleKeys.get(nextIndex()), refs).get(0);
  }

  /** One entity, 10 features, status and age each, through a bound reader into a reused vector. */
  @Benchmark
  public OnlineVector readerLookup10Features() {
    reader.read(keys[nextIndex()], vector);
    return vector;
  }

  /** As {@link #readerLookup10Features}, reading {@code Clock.instant()} per lookup. */
  @Benchmark
  public OnlineVector readerLookup10FeaturesExactClock() {
    exactClockReader.read(keys[nextIndex()], vector);
    return vector;
  }

  /** 100 entities, 10 features each. */
  @Benchmark
  public List<OnlineResult> batchLookup100Keys() {
    return features.online(batches.get(nextIndex() % batches.size()), refs);
  }
}
