package dev.mlops.benchmarks.features;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;
import dev.mlops.core.MemObjectStore;
import dev.mlops.features.Entity;
import dev.mlops.features.FeatureRef;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureStore;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureValue;
import dev.mlops.features.FeatureView;
import dev.mlops.features.OnlineReader;
import dev.mlops.features.OnlineResult;
import dev.mlops.features.OnlineVector;
import dev.mlops.spi.ForwardingObjectStore;
import dev.mlops.spi.ListPage;
import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.StoreCapabilities;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
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
 * Online lookup with the settings a user gets: {@code Mlops.open(uri, store, WorkspaceOptions.defaults())}
 * then {@code ws.features()} — refresh interval 1 s, online cache 100,000 entries, the system clock
 * (read coarsely), the default background refresh threads. 10,000 entities of a 10-feature view,
 * all cached; keys cycle, so every entity is read about every 10,000 calls and every cached entry
 * goes stale (and is re-read in the background) once a second throughout warmup and measurement.
 * The baseline in the same run is a raw Caffeine {@code getIfPresent} of the same 10 values from a
 * default Caffeine cache of the same size. The tear-down prints how many store listings (one per
 * online re-read) happened, which shows that refreshes ran during the measurement.
 *
 * <p>The store is {@code mem:} wrapped to count its calls (no other change).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class OnlineLookupDefaultsBenchmark {
  private static final int ENTITIES = 10_000;
  private static final String[] TEN = {"stats:f0", "stats:f1", "stats:f2", "stats:f3", "stats:f4", "stats:f5",
      "stats:f6", "stats:f7", "stats:f8", "stats:f9"};

  private CountingStore store;
  private Workspace ws;
  private FeatureStore features;
  private Cache<String, double[]> raw;
  private String[] keys;
  private int next;
  private OnlineReader reader;
  private Workspace neverStale;
  private OnlineReader neverStaleReader;
  private final OnlineVector vector = new OnlineVector(10);
  private long listsAtStart;

  @Setup(Level.Trial)
  public void setup() {
    store = new CountingStore(new MemObjectStore());
    ws = Mlops.open(URI.create("mem:/"), store, WorkspaceOptions.defaults());
    features = ws.features();
    features.apply(Entity.of("customer", "customer_id"));
    FeatureView.Builder view = FeatureView.builder("stats", "customer").ttl(Duration.ofDays(30));
    List<FeatureRef> refs = new ArrayList<>();
    for (int f = 0; f < 10; f++) {
      view.feature("f" + f, FeatureType.DOUBLE);
      refs.add(new FeatureRef("stats", "f" + f));
    }
    features.apply(view.build());
    raw = Caffeine.newBuilder().maximumSize(WorkspaceOptions.defaults().featureCacheSize()).build();
    keys = new String[ENTITIES];
    List<FeatureRow> rows = new ArrayList<>();
    Instant t = Instant.now().minusSeconds(60);
    for (int i = 0; i < ENTITIES; i++) {
      keys[i] = "customer-" + i;
      Map<String, Object> values = new HashMap<>();
      double[] v = new double[10];
      for (int f = 0; f < 10; f++) {
        v[f] = i * 10 + f;
        values.put("f" + f, v[f]);
      }
      rows.add(FeatureRow.of(keys[i], t, values));
      raw.put(keys[i], v);
    }
    features.push("stats", rows);
    features.online(List.of(keys), refs); // warm the cache
    reader = features.onlineReader(refs);
    // The same data read through a workspace whose refresh interval (1 h) never passes during the
    // run: the difference to readerLookup10Features is what refreshing costs the reading thread.
    neverStale = Mlops.open(URI.create("mem:/"), new CountingStore(store),
        WorkspaceOptions.builder().refreshInterval(Duration.ofHours(1)).build());
    neverStale.features().online(List.of(keys), refs);
    neverStaleReader = neverStale.features().onlineReader(refs);
    listsAtStart = store.lists.sum();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    System.out.println();
    System.out.println("store listings during the trial (online re-reads + definition refreshes): "
        + (store.lists.sum() - listsAtStart) + ", gets: " + store.gets.sum());
    neverStale.close(); // also closes the shared mem: store (idempotent)
    ws.close();
  }

  private int nextIndex() {
    int i = next;
    next = i + 1 == ENTITIES ? 0 : i + 1;
    return i;
  }

  /** Baseline: a default Caffeine cache's hit returning the 10 values, no status, no age. */
  @Benchmark
  public double[] rawCaffeineGetIfPresent() {
    return raw.getIfPresent(keys[nextIndex()]);
  }

  /** The serving path: a bound {@code OnlineReader}, 10 features with status and age, into a reused vector. */
  @Benchmark
  public OnlineVector readerLookup10Features() {
    reader.read(keys[nextIndex()], vector);
    return vector;
  }

  /** As {@link #readerLookup10Features} with a refresh interval of 1 h: no entry goes stale. */
  @Benchmark
  public OnlineVector readerLookup10FeaturesNeverStale() {
    neverStaleReader.read(keys[nextIndex()], vector);
    return vector;
  }

  /** The convenience form with 10 literal references: {@code online(key, "stats:f0", ..., "stats:f9")}. */
  @Benchmark
  public OnlineResult online10FeaturesByName() {
    return features.online(keys[nextIndex()], TEN);
  }

  /** Exactly the README's line: one feature by name, then {@code get} by name. */
  @Benchmark
  public FeatureValue readmeOnlineGet() {
    return features.online(keys[nextIndex()], "stats:f0").get("stats:f0");
  }

  /** The {@code mem:} store, counting listings and gets. */
  static final class CountingStore extends ForwardingObjectStore {
    final LongAdder lists = new LongAdder();
    final LongAdder gets = new LongAdder();

    CountingStore(ObjectStore delegate) {
      super(delegate);
    }

    @Override
    public Optional<byte[]> get(String key) {
      gets.increment();
      return super.get(key);
    }

    @Override
    public ListPage list(String prefix, String startAfter, int limit) {
      lists.increment();
      return super.list(prefix, startAfter, limit);
    }
  }
}
