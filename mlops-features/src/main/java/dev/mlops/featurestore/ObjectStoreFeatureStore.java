package dev.mlops.featurestore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.AlreadyExistsException;
import dev.mlops.Digest;
import dev.mlops.Names;
import dev.mlops.NotFoundException;
import dev.mlops.StorageException;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.core.internal.Json;
import dev.mlops.features.Entity;
import dev.mlops.features.EntityRow;
import dev.mlops.features.EntityVersion;
import dev.mlops.features.FeatureRef;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureSpec;
import dev.mlops.features.FeatureStore;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureValue;
import dev.mlops.features.FeatureView;
import dev.mlops.features.FeatureViewVersion;
import dev.mlops.features.MaterializationMode;
import dev.mlops.features.MaterializationProgress;
import dev.mlops.features.FeatureStatus;
import dev.mlops.features.OnlineReader;
import dev.mlops.features.OnlineResult;
import dev.mlops.features.OnlineVector;
import dev.mlops.features.PushResult;
import dev.mlops.features.PushTarget;
import dev.mlops.features.SkewMismatch;
import dev.mlops.features.SkewReport;
import dev.mlops.features.TrainingRow;
import dev.mlops.features.TrainingSetRequest;
import dev.mlops.spi.BlobSink;
import dev.mlops.spi.ObjectStore;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The feature store written once over an {@link ObjectStore}; see {@link FeatureStore} for the
 * semantics and {@code docs/feature-store.md} for the storage layout and the integrity checks. A
 * workspace opens one on its first {@code features()} call (through {@link WorkspaceFeatureStoreFactory});
 * build one directly with {@link #builder(ObjectStore)} to set the clock, the online cache size,
 * the refresh interval or the refresh executor.
 *
 * <p>Thread-safe. Closing it stops its refresh threads and does not close the store.
 */
public final class ObjectStoreFeatureStore implements FeatureStore, AutoCloseable {
  private static final int SORT_RUN_ROWS = TrainingSetRequest.DEFAULT_ROWS_PER_RUN;

  private final ObjectStore store;
  private final Clock clock;
  private final LookupClock time;
  private final FeatureDefinitions definitions;
  private final OnlineTable online;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** The refresh executor if this store created it (and so shuts it down), else null. */
  private final ThreadPoolExecutor ownRefresher;
  private volatile Tables tables = new Tables(null, Map.of());

  /** The current view tables of one definitions snapshot. */
  private record Tables(FeatureDefinitions.State state, Map<String, ViewTable> byName) {}

  private ObjectStoreFeatureStore(Builder b) {
    this.store = b.store;
    this.clock = b.clock;
    this.time = LookupClock.of(b.clock, b.coarseSystemClock);
    this.ownRefresher = b.refreshExecutor == null ? newRefresher() : null;
    Executor refresher = b.refreshExecutor == null ? ownRefresher : b.refreshExecutor;
    this.definitions = new FeatureDefinitions(store, clock, b.refreshInterval, refresher);
    this.online = new OnlineTable(store, b.cacheMaximumSize, b.refreshInterval, b.policySample, refresher);
  }

  private static final AtomicInteger REFRESH_THREADS = new AtomicInteger();

  /** Two daemon threads at most, none while idle: store reads of stale cache entries. */
  private static ThreadPoolExecutor newRefresher() {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "mlops-feature-refresh-" + REFRESH_THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /**
   * @param store the store; not closed by this feature store
   * @return a builder
   */
  public static Builder builder(ObjectStore store) {
    return new Builder(store);
  }

  // ---------------------------------------------------------------- definitions

  @Override
  public EntityVersion apply(Entity entity) {
    ensureOpen();
    return definitions.apply(Objects.requireNonNull(entity, "entity"));
  }

  @Override
  public FeatureViewVersion apply(FeatureView view) {
    ensureOpen();
    return definitions.apply(Objects.requireNonNull(view, "view"));
  }

  @Override
  public Optional<EntityVersion> findEntity(String name) {
    ensureOpen();
    Names.requireValid("entity name", name);
    return definitions.fresh().entity(name);
  }

  @Override
  public Optional<FeatureViewVersion> findView(String name) {
    ensureOpen();
    Names.requireValid("feature view name", name);
    return definitions.fresh().view(name);
  }

  @Override
  public List<String> viewNames() {
    ensureOpen();
    return List.copyOf(new java.util.TreeSet<>(definitions.fresh().views().keySet()));
  }

  @Override
  public List<FeatureViewVersion> viewHistory(String name) {
    ensureOpen();
    Names.requireValid("feature view name", name);
    return definitions.fresh().views().getOrDefault(name, List.of());
  }

  /** @param atMicros the caller's clock time, which also decides whether definitions are re-read */
  private Tables currentTables(long atMicros) {
    Tables t = tables;
    FeatureDefinitions.State s = definitions.recent(atMicros);
    return t.state == s ? t : rebuildTables(s);
  }

  private long nowMicros() {
    return time.exactMicros();
  }

  private ViewTable table(String view) {
    Names.requireValid("feature view name", view);
    long at = nowMicros();
    return table(currentTables(at), view, at);
  }

  private ViewTable table(Tables t, String view, long atMicros) {
    ViewTable table = t.byName.get(view);
    if (table == null) {
      definitions.requireView(view, atMicros); // refreshes, or throws NotFoundException naming the view
      t = rebuildTables(definitions.recent(atMicros));
      table = t.byName.get(view);
    }
    return table;
  }

  private synchronized Tables rebuildTables(FeatureDefinitions.State s) {
    Tables t = tables;
    if (t.state == s) {
      return t;
    }
    Map<String, ViewTable> byName = new HashMap<>();
    for (Map.Entry<String, List<FeatureViewVersion>> e : s.views().entrySet()) {
      FeatureViewVersion current = e.getValue().get(e.getValue().size() - 1);
      ViewTable old = t.byName.get(e.getKey());
      byName.put(e.getKey(), old != null && old.version.equals(current) ? old : new ViewTable(current));
    }
    t = new Tables(s, Map.copyOf(byName));
    tables = t;
    return t;
  }

  // ---------------------------------------------------------------- push

  @Override
  public PushResult push(String view, List<FeatureRow> rows, PushTarget target) {
    ensureOpen();
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(target, "target");
    ViewTable table = table(view);
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("push to feature view '" + view + "' has no rows");
    }
    List<StoredRow> batch = validate(table, rows);
    boolean created = false;
    String digest = digest(table, batch);
    String segmentKey = table.offlinePrefix() + digest + ".avro";
    SegmentLog.FileDigest written = null;
    try (BlobSink sink = store.newBlobSink()) {
      HashingOutputStream out = new HashingOutputStream(sink.stream());
      table.format.write(batch, out);
      sink.publish(segmentKey);
      written = out.digest();
      created = true;
    } catch (AlreadyExistsException identicalBatch) {
      created = false;
    } catch (IOException e) {
      throw new StorageException("writing offline segment '" + segmentKey + "' failed: " + e.getMessage(), e, true);
    }
    // Recorded after it is published, so a recorded segment always exists (an identical batch
    // pushed again records a segment whose first push crashed before this line: the stored file,
    // whose bytes differ from this push's by Avro's random sync marker, is read and checked then).
    SegmentLog.FileDigest file = written;
    segmentLog(table).record(digest, batch.size(), () -> file != null ? file : storedFileDigest(table, segmentKey),
        clock.instant());
    int onlineWritten = 0;
    if (target == PushTarget.ONLINE_AND_OFFLINE) {
      // Per entity, the latest row visible now, and every row still in the future (each becomes
      // the visible one in turn as the clock passes it). Older rows can never win online.
      long now = Micros.of("clock time", clock.instant());
      for (int i = 0; i < batch.size(); i++) {
        StoredRow row = batch.get(i);
        StoredRow next = i + 1 == batch.size() ? null : batch.get(i + 1);
        boolean lastVisibleOfEntity = row.eventMicros() <= now
            && (next == null || !next.entityKey().equals(row.entityKey()) || next.eventMicros() > now);
        if ((lastVisibleOfEntity || row.eventMicros() > now) && online.write(table, row)) {
          onlineWritten++;
        }
      }
    }
    return new PushResult(table.name(), table.version.dataVersion(), rows.size(), created, onlineWritten);
  }

  /** Checks every row, converts, sorts by {@link StoredRow#JOIN_ORDER} and drops exact repeats. */
  private static List<StoredRow> validate(ViewTable table, List<FeatureRow> rows) {
    List<FeatureSpec> features = table.version.definition().features();
    List<StoredRow> out = new ArrayList<>(rows.size());
    for (FeatureRow row : rows) {
      Objects.requireNonNull(row, "row");
      if (row.entityKey().getBytes(StandardCharsets.UTF_8).length > ViewTable.MAX_ENTITY_KEY_BYTES) {
        throw new IllegalArgumentException("entity key '" + row.entityKey().substring(0, 40) + "...' is longer than "
            + ViewTable.MAX_ENTITY_KEY_BYTES + " UTF-8 bytes");
      }
      long event = Micros.of("event time of entity '" + row.entityKey() + "'", row.eventTime());
      long created = Micros.of("created time of entity '" + row.entityKey() + "'", row.createdTime());
      Object[] values = new Object[features.size()];
      for (Map.Entry<String, Object> e : row.values().entrySet()) {
        int col = table.column(e.getKey());
        if (col < 0) {
          throw new IllegalArgumentException("feature view '" + table.name() + "' has no feature '" + e.getKey()
              + "' (row of entity '" + row.entityKey() + "'); its features are "
              + features.stream().map(FeatureSpec::name).toList());
        }
        FeatureType type = features.get(col).type();
        Object v = PushedValues.convert(type, e.getValue());
        if (v == null) {
          Object given = e.getValue();
          throw new IllegalArgumentException("feature '" + e.getKey() + "' of view '" + table.name() + "' expects "
              + type + " (" + type.javaType().getSimpleName() + ") but the row of entity '" + row.entityKey()
              + "' has " + given.getClass().getSimpleName() + " " + shortValue(given) + ": "
              + PushedValues.whyNot(type, given));
        }
        values[col] = v;
      }
      out.add(new StoredRow(row.entityKey(), event, created, 0, values));
    }
    out.sort(StoredRow.JOIN_ORDER);
    List<StoredRow> unique = new ArrayList<>(out.size());
    for (StoredRow r : out) {
      if (!unique.isEmpty()) {
        StoredRow prev = unique.get(unique.size() - 1);
        if (prev.entityKey().equals(r.entityKey()) && prev.eventMicros() == r.eventMicros()
            && prev.createdMicros() == r.createdMicros()) {
          if (Arrays.deepEquals(prev.values(), r.values())) {
            continue;
          }
          throw new IllegalArgumentException("the batch has two different rows for entity '" + r.entityKey()
              + "' at event time " + Micros.toInstant(r.eventMicros()) + ", created " + Micros.toInstant(r.createdMicros())
              + "; give the correction a later created time");
        }
      }
      unique.add(r);
    }
    return unique;
  }

  private static String shortValue(Object v) {
    String s = v instanceof float[] f ? Arrays.toString(f) : String.valueOf(v);
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }

  /** The segment's name: SHA-256 of the canonical (sorted, deduplicated) rows, so a repeated batch is one segment. */
  private static String digest(ViewTable table, List<StoredRow> batch) {
    java.security.MessageDigest md = sha256();
    try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(
        new java.security.DigestOutputStream(java.io.OutputStream.nullOutputStream(), md), 1 << 16))) {
      for (StoredRow r : batch) {
        table.codec.write(out, r);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  // ---------------------------------------------------------------- online

  @Override
  public List<OnlineResult> online(List<String> entityKeys, List<FeatureRef> features) {
    ensureOpen();
    Objects.requireNonNull(entityKeys, "entityKeys");
    Objects.requireNonNull(features, "features");
    if (features.isEmpty()) {
      throw new IllegalArgumentException("no features requested");
    }
    // One time for the whole call: ages, TTL, and both refresh checks use it. A coarse reading is
    // replaced by an exact one if a row turns out to lie in its future (see LookupClock).
    List<OnlineResult> results = onlineAt(entityKeys, features, time.micros(), !time.isCoarse());
    return results != null ? results : onlineAt(entityKeys, features, time.exactMicros(), true);
  }

  /**
   * As {@link FeatureStore#online(String, String...)}, with the parsed references kept per argument
   * list (up to {@value #MAX_REQUESTS} distinct lists), so that a serving loop calling it with the
   * same literals parses nothing and reuses the resolved plan.
   */
  @Override
  public OnlineResult online(String entityKey, String... features) {
    Objects.requireNonNull(entityKey, "entityKey");
    return online(List.of(entityKey), refs(features)).get(0);
  }

  private static final int MAX_REQUESTS = 1024;
  /** Argument lists of {@link #online(String, String...)} and their parsed references. */
  private final Map<List<String>, List<FeatureRef>> requests = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile Request lastRequest;

  private record Request(String[] args, List<FeatureRef> refs) {}

  private List<FeatureRef> refs(String[] features) {
    Request last = lastRequest;
    if (last != null && Arrays.equals(last.args, features)) {
      return last.refs;
    }
    List<String> key = List.of(features); // copies: the caller may reuse its array
    List<FeatureRef> refs = requests.get(key);
    if (refs == null) {
      refs = key.stream().map(FeatureRef::parse).toList();
      if (requests.size() < MAX_REQUESTS) {
        List<FeatureRef> raced = requests.putIfAbsent(key, refs);
        refs = raced != null ? raced : refs;
      }
    }
    lastRequest = new Request(key.toArray(new String[0]), refs);
    return refs;
  }

  /** {@link #online} at {@code at}; null if {@code at} is not exact and a row lies in its future. */
  private List<OnlineResult> onlineAt(List<String> entityKeys, List<FeatureRef> features, long at, boolean exact) {
    Plan plan = plan(features, at);
    OnlineResult[] out = new OnlineResult[entityKeys.size()];
    OnlineTable.Entry[] entries = new OnlineTable.Entry[plan.tables.length];
    @SuppressWarnings("unchecked")
    Optional<Duration>[] ages = new Optional[plan.tables.length];
    for (int k = 0; k < out.length; k++) {
      String key = Objects.requireNonNull(entityKeys.get(k), "entity key");
      for (int s = 0; s < plan.tables.length; s++) {
        entries[s] = online.newest(plan.tables[s], key, at);
        if (entries[s].eventMicros > at) {
          if (!exact) {
            return null;
          }
          entries[s] = online.newestUncached(plan.tables[s], key, at);
        }
        ages[s] = entries[s].row == null ? Optional.empty() : FeatureValues.age(entries[s].row, at);
      }
      FeatureValue[] values = new FeatureValue[plan.refs.length];
      for (int i = 0; i < values.length; i++) {
        int s = plan.sideOfRef[i];
        OnlineTable.Entry e = entries[s];
        values[i] = e.row == null ? FeatureValue.notFound(plan.refs[i])
            : FeatureValues.of(plan.refs[i], e.row, e.optionalValues[plan.columnOfRef[i]], e.eventTime, ages[s], at,
                plan.tables[s].ttlMicros);
      }
      out[k] = new OnlineResult(key, List.of(values));
    }
    return List.of(out);
  }

  @Override
  public OnlineReader onlineReader(List<FeatureRef> features) {
    ensureOpen();
    List<FeatureRef> copy = List.copyOf(features);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("no features requested");
    }
    long at = nowMicros();
    Tables t = currentTables(at);
    return new Reader(copy, new Bound(t, plan(t, copy, at)));
  }

  /** A reader's plan and the definitions snapshot it was resolved against, swapped together. */
  private record Bound(Tables tables, Plan plan) {}

  /** The allocation-free serving path: a plan resolved once, re-resolved when definitions change. */
  private final class Reader implements OnlineReader {
    private final List<FeatureRef> features;
    private final int size;
    private volatile Bound bound;

    Reader(List<FeatureRef> features, Bound bound) {
      this.features = features;
      this.size = features.size();
      this.bound = bound;
    }

    @Override
    public List<FeatureRef> features() {
      return features;
    }

    @Override
    public int read(String entityKey, OnlineVector into) {
      ensureOpen();
      Objects.requireNonNull(entityKey, "entityKey");
      if (into.size() != size) {
        throw new IllegalArgumentException("the vector has " + into.size() + " positions but the reader reads "
            + size + " features");
      }
      // One time per read: ages, TTL, and both refresh checks use it. A coarse reading is
      // replaced by an exact one if a row turns out to lie in its future (see LookupClock).
      int present = readAt(entityKey, into, time.micros(), !time.isCoarse());
      return present >= 0 ? present : readAt(entityKey, into, time.exactMicros(), true);
    }

    /** {@link #read} at {@code at}; -1 if {@code at} is not exact and a row lies in its future. */
    private int readAt(String entityKey, OnlineVector into, long at, boolean exact) {
      Tables t = currentTables(at);
      Bound b = bound;
      if (b.tables != t) {
        b = new Bound(t, plan(t, features, at));
        bound = b;
      }
      Plan p = b.plan;
      into.layout(p.tables.length, p.sideOfRef, p.columnOfRef);
      int present = 0;
      for (int s = 0; s < p.tables.length; s++) {
        ViewTable table = p.tables[s];
        OnlineTable.Entry e = online.newest(table, entityKey, at);
        if (e.eventMicros > at) {
          if (!exact) {
            return -1;
          }
          e = online.newestUncached(table, entityKey, at);
        }
        present += fill(into, s, p, e, at, table.ttlMicros);
      }
      return present;
    }
  }

  /**
   * Sets one table's row of the vector: the row's values and, decided once by the shared rule, the
   * status of its features with and without a value (the vector derives each position's status
   * from those and its column), so a read stores per table, not per feature, and reads nothing
   * beyond the cache entry.
   *
   * @param side the table's row in the vector's layout
   * @param e the entity's cached newest row at or before {@code at} (or none)
   * @return how many of the table's requested features are PRESENT
   */
  private static int fill(OnlineVector into, int side, Plan p, OnlineTable.Entry e, long at, long ttlMicros) {
    if (e.values == null) {
      into.setRow(side, null, FeatureStatus.NOT_FOUND, FeatureStatus.NOT_FOUND, -1);
      return 0;
    }
    RowVisibility visibility = RowVisibility.of(e.eventMicros, at, ttlMicros);
    FeatureStatus withValue = FeatureValues.status(visibility, true);
    into.setRow(side, e.values, withValue, FeatureValues.status(visibility, false), at - e.eventMicros);
    if (withValue != FeatureStatus.PRESENT) {
      return 0;
    }
    long mask = p.columnMaskOfSide[side];
    if (mask != -1) {
      return Long.bitCount(e.presentMask & mask);
    }
    int present = 0; // a requested column >= 64
    for (int column : p.columnsOfSide[side]) {
      present += e.values[column] != null ? 1 : 0;
    }
    return present;
  }

  /**
   * Requested features resolved to tables (distinct, in first-use order) and columns: per request
   * position its table ("side") and column, which is also an {@link OnlineVector}'s layout, and per
   * table the columns of its requested features and, if they are distinct and below 64, their bit
   * mask (else -1, also when all 64 are requested: those tables count present features by a loop).
   */
  private record Plan(ViewTable[] tables, FeatureRef[] refs, int[] sideOfRef, int[] columnOfRef,
      int[][] columnsOfSide, long[] columnMaskOfSide) {}
  /** The last plan, reused while the same request list meets the same definitions (the serving loop). */
  private record CachedPlan(List<FeatureRef> features, Tables tables, Plan plan) {}

  private volatile CachedPlan lastPlan;
  /** Plans of the reference lists {@link #refs} hands out (the same list object per argument list). */
  private final Map<List<FeatureRef>, CachedPlan> plans = new java.util.concurrent.ConcurrentHashMap<>();

  private Plan plan(List<FeatureRef> features, long atMicros) {
    Tables tables = currentTables(atMicros);
    CachedPlan cached = lastPlan;
    if (cached != null && cached.features == features && cached.tables == tables) {
      return cached.plan;
    }
    cached = plans.get(features);
    if (cached != null && cached.features == features && cached.tables == tables) {
      lastPlan = cached;
      return cached.plan;
    }
    Plan plan = plan(tables, features, atMicros);
    if (tables == this.tables) {
      cached = new CachedPlan(features, tables, plan);
      lastPlan = cached;
      if (plans.size() < MAX_REQUESTS && requests.containsValue(features)) {
        plans.put(features, cached);
      }
    }
    return plan;
  }

  private Plan plan(Tables tables, List<FeatureRef> features, long atMicros) {
    List<ViewTable> distinct = new ArrayList<>(2);
    FeatureRef[] refs = features.toArray(new FeatureRef[0]);
    int[] side = new int[refs.length];
    int[] column = new int[refs.length];
    for (int i = 0; i < refs.length; i++) {
      FeatureRef ref = Objects.requireNonNull(refs[i], "feature ref");
      ViewTable t = table(tables, ref.view(), atMicros);
      int s = distinct.indexOf(t);
      if (s < 0) {
        if (!distinct.isEmpty() && !distinct.get(0).version.definition().entity().equals(t.version.definition().entity())) {
          throw new IllegalArgumentException("features of views of different entities cannot be read together: '"
              + distinct.get(0).name() + "' is of entity '" + distinct.get(0).version.definition().entity() + "', '"
              + t.name() + "' of '" + t.version.definition().entity() + "'");
        }
        distinct.add(t);
        s = distinct.size() - 1;
      }
      side[i] = s;
      column[i] = t.column(ref);
    }
    int[][] columnsOfSide = new int[distinct.size()][];
    for (int s = 0; s < columnsOfSide.length; s++) {
      int n = 0;
      for (int sideOfRef : side) {
        n += sideOfRef == s ? 1 : 0;
      }
      columnsOfSide[s] = new int[n];
      for (int i = 0, j = 0; i < refs.length; i++) {
        if (side[i] == s) {
          columnsOfSide[s][j++] = column[i];
        }
      }
    }
    long[] masks = new long[columnsOfSide.length];
    for (int s = 0; s < masks.length; s++) {
      for (int c : columnsOfSide[s]) {
        if (c >= 64 || (masks[s] & 1L << c) != 0) {
          masks[s] = -1; // counted by the loop: a column >= 64, or one requested twice
          break;
        }
        masks[s] |= 1L << c;
      }
    }
    return new Plan(distinct.toArray(new ViewTable[0]), refs, side, column, columnsOfSide, masks);
  }

  // ---------------------------------------------------------------- offline reads

  private final Map<String, SegmentLog> segmentLogs = new java.util.concurrent.ConcurrentHashMap<>();

  private SegmentLog segmentLog(ViewTable table) {
    return segmentLogs.computeIfAbsent(table.root, r -> new SegmentLog(store, table.segmentLog()));
  }

  /**
   * The offline segments of a table, in the order they were recorded; a segment's rank is its index.
   *
   * @throws StorageException if the table still holds segments of storage format 1
   */
  private List<SegmentLog.Segment> segments(ViewTable table) {
    if (!store.list(table.format1OfflinePrefix(), "", 1).keys().isEmpty()) {
      throw new StorageException("feature view '" + table.name() + "' (data version " + table.version.dataVersion()
          + ") has offline segments in storage format 1 under '" + table.format1OfflinePrefix() + "', written before "
          + "segments were recorded and verified; this version does not read them: delete that prefix and push the "
          + "rows again");
    }
    // Not compared with a listing: a listing taken while files are created may miss one that
    // exists. Each recorded segment is opened by its key when it is read, and a missing one is
    // reported then (readSegment).
    return segmentLog(table).segments();
  }

  /**
   * The rows of a recorded segment, checked against the digest its key names: a segment whose rows
   * differ in any byte fails with {@link dev.mlops.CorruptDataException} when its last row is read
   * (callers consume every segment before they produce a result).
   */
  private Iterator<StoredRow> readSegment(ViewTable table, SegmentLog.Segment recorded, int rank) {
    String key = table.offlinePrefix() + recorded.digest() + ".avro";
    Optional<InputStream> stream = store.openStream(key);
    if (stream.isEmpty()) {
      throw new dev.mlops.CorruptDataException("offline segment '" + key + "' (" + recorded.rows() + " rows, recorded in "
          + "entry " + recorded.seq() + " of '" + table.segmentLog() + "') is missing from the store");
    }
    String expected = key.substring(table.offlinePrefix().length(), key.length() - ".avro".length());
    HashingInputStream in = new HashingInputStream(stream.get());
    Iterator<StoredRow> rows = table.format.read(key, in, rank);
    java.security.MessageDigest md = sha256();
    DataOutputStream hashed = new DataOutputStream(new java.io.BufferedOutputStream(
        new java.security.DigestOutputStream(java.io.OutputStream.nullOutputStream(), md), 1 << 16));
    return new Iterator<>() {
      private boolean checked;

      @Override
      public boolean hasNext() {
        if (rows.hasNext()) {
          return true;
        }
        if (!checked) {
          checked = true;
          try {
            hashed.flush();
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
          String actual = java.util.HexFormat.of().formatHex(md.digest());
          SegmentLog.FileDigest file = in.digest();
          if ((file.size() != recorded.size() || !file.sha256().equals(recorded.sha256()))) {
            throw new dev.mlops.CorruptDataException("offline segment '" + key + "' is altered: its " + file.size()
                + " bytes hash to " + file.sha256() + " but entry " + recorded.seq() + " of '" + table.segmentLog()
                + "' records " + recorded.size() + " bytes hashing to " + recorded.sha256());
          }
          if (!actual.equals(expected)) {
            throw new dev.mlops.CorruptDataException("offline segment '" + key + "' is altered: its rows hash to "
                + actual + ", not to the digest its name records");
          }
        }
        return false;
      }

      @Override
      public StoredRow next() {
        StoredRow r = rows.next();
        try {
          table.codec.write(hashed, r.segment() == 0 ? r
              : new StoredRow(r.entityKey(), r.eventMicros(), r.createdMicros(), 0, r.values()));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
        return r;
      }
    };
  }

  /**
   * The SHA-256 and size of a stored segment, read in full and checked against the digest of rows
   * its name records (so a damaged file is not recorded as good).
   */
  private SegmentLog.FileDigest storedFileDigest(ViewTable table, String key) {
    Optional<InputStream> stream = store.openStream(key);
    if (stream.isEmpty()) {
      throw new dev.mlops.CorruptDataException("offline segment '" + key + "' was published and is missing");
    }
    HashingInputStream in = new HashingInputStream(stream.get());
    String expected = key.substring(table.offlinePrefix().length(), key.length() - ".avro".length());
    java.security.MessageDigest md = sha256();
    try (DataOutputStream hashed = new DataOutputStream(new java.io.BufferedOutputStream(
        new java.security.DigestOutputStream(java.io.OutputStream.nullOutputStream(), md), 1 << 16))) {
      Iterator<StoredRow> rows = table.format.read(key, in, 0);
      while (rows.hasNext()) {
        table.codec.write(hashed, rows.next());
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    String actual = java.util.HexFormat.of().formatHex(md.digest());
    if (!actual.equals(expected)) {
      throw new dev.mlops.CorruptDataException("offline segment '" + key + "' is altered: its rows hash to " + actual
          + ", not to the digest its name records");
    }
    return in.digest();
  }

  /** Counts and hashes what is written through it. */
  private static final class HashingOutputStream extends java.io.FilterOutputStream {
    private final java.security.MessageDigest md = sha256();
    private long size;

    HashingOutputStream(java.io.OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      md.update((byte) b);
      size++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      md.update(b, off, len);
      size += len;
    }

    SegmentLog.FileDigest digest() {
      return new SegmentLog.FileDigest(java.util.HexFormat.of().formatHex(md.digest()), size);
    }
  }

  /** Counts and hashes what is read through it; closing it first reads the rest, so the digest covers every byte. */
  private static final class HashingInputStream extends java.io.FilterInputStream {
    private final java.security.MessageDigest md = sha256();
    private long size;
    private SegmentLog.FileDigest digest;

    HashingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        md.update((byte) b);
        size++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        md.update(b, off, n);
        size += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = 0;
      byte[] buf = new byte[8192];
      while (skipped < n) {
        int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
        if (r < 0) {
          break;
        }
        skipped += r;
      }
      return skipped;
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    @Override
    public void close() throws IOException {
      if (digest == null) {
        try {
          byte[] buf = new byte[8192];
          while (read(buf, 0, buf.length) >= 0) {
            // drain: the digest covers the whole file
          }
        } finally {
          digest = new SegmentLog.FileDigest(java.util.HexFormat.of().formatHex(md.digest()), size);
          in.close();
        }
      }
    }

    /** @return the digest of every byte (closes the stream first if needed) */
    SegmentLog.FileDigest digest() {
      try {
        close();
      } catch (IOException e) {
        throw new StorageException("reading a segment failed: " + e.getMessage(), e, true);
      }
      return digest;
    }
  }

  private static java.security.MessageDigest sha256() {
    try {
      return java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Stream<TrainingRow> trainingSet(Stream<EntityRow> entityRows, TrainingSetRequest request) {
    ensureOpen();
    Objects.requireNonNull(entityRows, "entityRows");
    Objects.requireNonNull(request, "request");
    Plan plan = plan(request.features(), nowMicros());
    Path spillRoot = request.spillDirectory().orElse(Path.of(System.getProperty("java.io.tmpdir")));
    Path spill;
    try {
      Files.createDirectories(spillRoot);
      spill = Files.createTempDirectory(spillRoot, "mlops-training-set-");
    } catch (IOException e) {
      throw new StorageException("cannot create a spill directory under " + spillRoot + ": " + e.getMessage(), e, false);
    }
    List<ExternalSorter<?>> sorters = new ArrayList<>();
    Runnable cleanup = () -> {
      for (ExternalSorter<?> s : sorters) {
        s.close();
      }
      try {
        Files.deleteIfExists(spill);
      } catch (IOException ignored) {
        // an empty leftover directory in the temp area is harmless
      }
    };
    try {
      ExternalSorter<PointInTimeJoin.Probe> probes = new ExternalSorter<>(PointInTimeJoin.Probe.ORDER,
          PointInTimeJoin.Probe.CODEC, spill, request.rowsPerRun());
      sorters.add(probes);
      long[] position = {0};
      try (Stream<EntityRow> rows = entityRows) {
        rows.forEachOrdered(r -> probes.add(new PointInTimeJoin.Probe(r.entityKey(),
            Micros.of("timestamp of entity row '" + r.entityKey() + "'", r.timestamp()), position[0]++)));
      }
      PointInTimeJoin.Side[] sides = new PointInTimeJoin.Side[plan.tables.length];
      int[] columnOfRef = new int[plan.refs.length];
      for (int s = 0; s < plan.tables.length; s++) {
        ViewTable table = plan.tables[s];
        List<Integer> projected = new ArrayList<>();
        for (int i = 0; i < plan.refs.length; i++) {
          if (plan.sideOfRef[i] == s) {
            int c = projected.indexOf(plan.columnOfRef[i]);
            if (c < 0) {
              projected.add(plan.columnOfRef[i]);
              c = projected.size() - 1;
            }
            columnOfRef[i] = c;
          }
        }
        int[] columns = projected.stream().mapToInt(Integer::intValue).toArray();
        List<FeatureType> types = Arrays.stream(columns).mapToObj(table.types::get).toList();
        RowCodec codec = new RowCodec(types);
        ExternalSorter<StoredRow> sorter = new ExternalSorter<>(StoredRow.JOIN_ORDER, new ExternalSorter.Codec<>() {
          @Override
          public void write(DataOutputStream out, StoredRow item) throws IOException {
            codec.write(out, item);
          }

          @Override
          public StoredRow read(java.io.DataInputStream in) throws IOException {
            return codec.read(in);
          }
        }, spill, request.rowsPerRun());
        sorters.add(sorter);
        List<SegmentLog.Segment> segments = segments(table);
        for (int rank = 0; rank < segments.size(); rank++) {
          Iterator<StoredRow> it = readSegment(table, segments.get(rank), rank);
          while (it.hasNext()) {
            sorter.add(it.next().project(columns));
          }
        }
        sides[s] = new PointInTimeJoin.Side(sorter.sorted(), table.ttlMicros);
      }
      PointInTimeJoin join = new PointInTimeJoin(probes.sorted(), sides, plan.refs, plan.sideOfRef, columnOfRef);
      return StreamSupport.stream(Spliterators.spliteratorUnknownSize(join, Spliterator.ORDERED | Spliterator.NONNULL),
          false).onClose(cleanup);
    } catch (RuntimeException e) {
      cleanup.run();
      throw e;
    }
  }

  // ---------------------------------------------------------------- materialization

  @Override
  public MaterializationProgress materialize(String view, MaterializationMode mode,
      Consumer<MaterializationProgress> progress) {
    ensureOpen();
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(progress, "progress");
    definitions.fresh();
    ViewTable table = table(view);
    HashChainedLog runs = new HashChainedLog(store, table.materializationLog());
    List<HashChainedLog.Entry> history = runs.readAfter(0, HashChainedLog.GENESIS);
    long from = Long.MIN_VALUE;
    if (mode == MaterializationMode.INCREMENTAL && !history.isEmpty()) {
      from = history.get(history.size() - 1).body().path("toMicros").asLong();
    }
    long to = Micros.of("clock time", clock.instant());
    Instant fromInstant = from == Long.MIN_VALUE ? Instant.MIN : Micros.toInstant(from);
    Instant toInstant = Micros.toInstant(to);
    List<SegmentLog.Segment> segments = segments(table);
    long rowsRead = 0;
    long written = 0;
    Path spill;
    try {
      spill = Files.createTempDirectory("mlops-materialize-");
    } catch (IOException e) {
      throw new StorageException("cannot create a spill directory: " + e.getMessage(), e, false);
    }
    try (ExternalSorter<StoredRow> sorter = new ExternalSorter<>(StoredRow.JOIN_ORDER, new ExternalSorter.Codec<>() {
      @Override
      public void write(DataOutputStream out, StoredRow item) throws IOException {
        table.codec.write(out, item);
      }

      @Override
      public StoredRow read(java.io.DataInputStream in) throws IOException {
        return table.codec.read(in);
      }
    }, spill, SORT_RUN_ROWS)) {
      for (int rank = 0; rank < segments.size(); rank++) {
        Iterator<StoredRow> it = readSegment(table, segments.get(rank), rank);
        while (it.hasNext()) {
          StoredRow row = it.next();
          rowsRead++;
          if (row.eventMicros() > from && row.eventMicros() <= to) {
            sorter.add(row);
          }
        }
        progress.accept(new MaterializationProgress(table.name(), fromInstant, toInstant, rank + 1, segments.size(),
            rowsRead, 0, false));
      }
      Iterator<StoredRow> sorted = sorter.sorted();
      StoredRow pending = null;
      while (sorted.hasNext()) {
        StoredRow row = sorted.next();
        if (pending != null && !pending.entityKey().equals(row.entityKey())) {
          if (online.write(table, pending)) {
            written++;
            if (written % 10_000 == 0) {
              progress.accept(new MaterializationProgress(table.name(), fromInstant, toInstant, segments.size(),
                  segments.size(), rowsRead, written, false));
            }
          }
        }
        pending = row;
      }
      if (pending != null && online.write(table, pending)) {
        written++;
      }
    } finally {
      try {
        Files.deleteIfExists(spill);
      } catch (IOException ignored) {
        // empty leftover directory
      }
    }
    recordRun(runs, from, to, segments.size(), rowsRead, written);
    MaterializationProgress done = new MaterializationProgress(table.name(), fromInstant, toInstant, segments.size(),
        segments.size(), rowsRead, written, true);
    progress.accept(done);
    return done;
  }

  private void recordRun(HashChainedLog runs, long from, long to, int segments, long rowsRead, long written) {
    while (true) {
      List<HashChainedLog.Entry> history = runs.readAfter(0, HashChainedLog.GENESIS);
      long seq = history.isEmpty() ? 0 : history.get(history.size() - 1).seq();
      String hash = history.isEmpty() ? HashChainedLog.GENESIS : history.get(history.size() - 1).hash();
      ObjectNode body = Json.MAPPER.createObjectNode();
      body.put("fromMicros", from);
      body.put("toMicros", to);
      body.put("segments", segments);
      body.put("rowsRead", rowsRead);
      body.put("onlineRowsWritten", written);
      try {
        runs.append(seq, hash, body);
        return;
      } catch (AlreadyExistsException lostRace) {
        // another materialization recorded first; append after it
      }
    }
  }

  // ---------------------------------------------------------------- skew

  @Override
  public SkewReport checkSkew(String view, int sampleSize, long seed) {
    ensureOpen();
    if (sampleSize < 1) {
      throw new IllegalArgumentException("sampleSize must be >= 1, got " + sampleSize);
    }
    definitions.fresh();
    ViewTable table = table(view);
    Instant nowInstant = clock.instant();
    long now = Micros.of("clock time", nowInstant);
    // Bottom-k by a seeded hash over distinct entity keys: a uniform sample of entities, found in
    // one pass, with each sampled entity's offline winner at `now` tracked alongside.
    TreeMap<SampleKey, String> chosen = new TreeMap<>();
    Map<String, StoredRow> best = new HashMap<>();
    List<SegmentLog.Segment> segments = segments(table);
    for (int rank = 0; rank < segments.size(); rank++) {
      Iterator<StoredRow> it = readSegment(table, segments.get(rank), rank);
      while (it.hasNext()) {
        StoredRow row = it.next();
        String key = row.entityKey();
        if (!best.containsKey(key)) {
          SampleKey sk = new SampleKey(hash(seed, key), key);
          if (chosen.size() >= sampleSize && chosen.lastKey().compareTo(sk) < 0) {
            continue;
          }
          chosen.put(sk, key);
          best.put(key, null);
          if (chosen.size() > sampleSize) {
            best.remove(chosen.pollLastEntry().getValue());
          }
        }
        if (row.eventMicros() <= now) {
          StoredRow current = best.get(key);
          if (current == null || row.beats(current)) {
            best.put(key, row);
          }
        }
      }
    }
    List<FeatureSpec> features = table.version.definition().features();
    List<SkewMismatch> mismatches = new ArrayList<>();
    int compared = 0;
    for (String key : chosen.values()) {
      StoredRow offlineRow = best.get(key);
      StoredRow onlineRow = online.newestUncached(table, key, now).row;
      for (int c = 0; c < features.size(); c++) {
        FeatureRef ref = new FeatureRef(table.name(), features.get(c).name());
        FeatureValue off = FeatureValues.of(ref, offlineRow, c, now, table.ttlMicros);
        FeatureValue on = FeatureValues.of(ref, onlineRow, c, now, table.ttlMicros);
        compared++;
        if (!on.agreesWith(off)) {
          mismatches.add(new SkewMismatch(key, on, off));
        }
      }
    }
    return new SkewReport(table.name(), nowInstant, chosen.size(), compared, mismatches);
  }

  private record SampleKey(long hash, String key) implements Comparable<SampleKey> {
    @Override
    public int compareTo(SampleKey o) {
      int c = Long.compareUnsigned(hash, o.hash);
      return c != 0 ? c : key.compareTo(o.key);
    }
  }

  /** 64-bit FNV-1a over the key's UTF-16 chars, seeded, then a SplitMix64 finalizer. */
  private static long hash(long seed, String key) {
    long h = 0xcbf29ce484222325L ^ seed;
    for (int i = 0; i < key.length(); i++) {
      h ^= key.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 30;
    h *= 0xbf58476d1ce4e5b9L;
    h ^= h >>> 27;
    h *= 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }

  // ---------------------------------------------------------------- lifecycle

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("feature store is closed");
    }
  }

  /** Drops the online cache; every method but close throws {@link IllegalStateException} afterwards. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      if (ownRefresher != null) {
        // Queued refreshes are dropped; a running one finishes into the dropped cache. Not
        // shutdownNow: interrupting a thread inside file I/O would close a channel under it.
        ownRefresher.getQueue().clear();
        ownRefresher.shutdown();
      }
      online.invalidateAll();
      time.close();
    }
  }

  @Override
  public String toString() {
    return "FeatureStore[" + store + "]";
  }

  /** Builds a {@link ObjectStoreFeatureStore}. Not thread-safe; confine to one thread. */
  public static final class Builder {
    private final ObjectStore store;
    private Clock clock = Clock.systemUTC();
    private long cacheMaximumSize = 100_000;
    private Duration refreshInterval = Duration.ofSeconds(1);
    private boolean coarseSystemClock = true;
    private int policySample = OnlineTable.DEFAULT_POLICY_SAMPLE;
    private Executor refreshExecutor;

    private Builder(ObjectStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * @param clock the source of "now" for online lookups, ages and materialization
     * @return this
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * @param entries how many (view, entity) rows the online cache holds at most, default 100,000
     * @return this
     * @throws IllegalArgumentException if negative
     */
    public Builder cacheMaximumSize(long entries) {
      if (entries < 0) {
        throw new IllegalArgumentException("cacheMaximumSize must be >= 0, got " + entries);
      }
      this.cacheMaximumSize = entries;
      return this;
    }

    /**
     * How long a cached definition or online row may be served before it is re-read from the
     * store, which bounds how late another process's writes are seen. Writes through this store
     * are seen at once. Measured on the {@link #clock(Clock) clock}, with the time each lookup
     * reads from it anyway: a clock that stands still keeps the caches as they are. An entry older
     * than the interval is served while the {@link #refreshExecutor(Executor) refresh executor}
     * re-reads it, so lookups do not wait for the store; one older than twice the interval (not
     * looked up for that long) is re-read before it is served.
     *
     * @param interval positive, default 1 s
     * @return this
     * @throws IllegalArgumentException if not positive
     */
    public Builder refreshInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("refreshInterval must be positive, got " + interval);
      }
      this.refreshInterval = interval;
      return this;
    }

    /**
     * Whether online lookups read a system {@link #clock(Clock) clock} coarsely: from a time a
     * daemon thread (one per JVM, started by the first lookup, running while such a store is open)
     * refreshes every millisecond,
     * instead of calling {@link Clock#instant()} per lookup, which on some virtual machines costs more
     * than the whole cached lookup. Ages and TTL decisions of lookups are then accurate to about a
     * millisecond (a row may expire up to that much late; longer if the ticking thread waits for a
     * CPU). A row whose event time lies after the coarse time is judged again at the exact time, so
     * a row stamped with the system time just before a lookup is always seen. Another clock (a
     * test's fixed or mutable clock) is always read exactly.
     *
     * @param coarse default true; false reads the system clock per lookup
     * @return this
     */
    public Builder coarseSystemClock(boolean coarse) {
      this.coarseSystemClock = coarse;
      return this;
    }

    /**
     * Where stale cache entries are re-read from the store. By default the feature store runs two
     * daemon threads of its own (started on demand, stopped when idle and on {@link #close()}); a
     * given executor is used as it is and not shut down. {@code Runnable::run} re-reads on the
     * looking-up thread (deterministic, for tests).
     *
     * @param executor runs background refreshes; it may reject tasks (they are retried by a later lookup)
     * @return this
     */
    public Builder refreshExecutor(Executor executor) {
      this.refreshExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** For tests: one cached read in {@code n} (a power of two) informs the eviction policy. */
    Builder policySample(int n) {
      this.policySample = n;
      return this;
    }

    /** @return the feature store */
    public ObjectStoreFeatureStore build() {
      return new ObjectStoreFeatureStore(this);
    }
  }
}
