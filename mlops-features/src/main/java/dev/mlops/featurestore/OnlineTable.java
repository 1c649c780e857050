package dev.mlops.featurestore;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import dev.mlops.AlreadyExistsException;
import dev.mlops.CorruptDataException;
import dev.mlops.StorageException;
import dev.mlops.features.RetentionHorizonException;
import dev.mlops.spi.ListPage;
import dev.mlops.spi.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online table: for each (view data version, entity), a set of immutable row objects whose
 * keys sort newest first ({@link ViewTable#onlineRowKey}); the newest row at or before the read
 * time is the entity's online row. Writing a row is a create-if-absent of its key, so rows are
 * idempotent per (entity, event time, created time) and an older row written late never hides a
 * newer one. A Caffeine cache per stored table (bounded to the configured size) holds each entity's
 * newest row in front of the store; writes through this table update it at once.
 *
 * <p>Refresh: each entry carries the clock time at which it was read from the store. A lookup whose
 * time is more than the refresh interval later serves the entry as it is and hands a re-read to the
 * refresh executor (once per entry), so the reading thread does no I/O and allocates nothing for
 * it beyond the hand-off; only an entry more than twice the interval old (nobody read it for that
 * long, or the executor fell behind) is re-read on the reading thread before it is served. Other
 * processes' writes therefore become visible after the refresh interval plus one background
 * store read, and never later than twice the interval. The lookup's own time drives this, not a
 * ticker of the cache: a lookup reads the clock once.
 *
 * <p>Integrity: every row object ends with a CRC-32C of its bytes and must decode to the row its
 * key names, or the read fails with {@link CorruptDataException} naming the key. A row this
 * process has served that is no longer in the store when the entry is refreshed (the newest row of
 * an entity is never deleted) is reported the same way, on the next lookups of that entity. Rows
 * are deleted only by retention ({@link OnlineRowRetention}), and only rows superseded by a newer row
 * whose event time lies before a recorded retention horizon: a listed row that is missing when it
 * is read is legitimate if such a newer row is listed now and such a horizon is recorded (the row is
 * then read again), and damage otherwise. A read of the newest row at or before a time older than
 * the newest recorded horizon fails with {@link RetentionHorizonException}.
 *
 * <p>Thread-safe.
 */
final class OnlineTable {
  private static final Logger LOG = LoggerFactory.getLogger(OnlineTable.class);
  /** Format 2: the row followed by a CRC-32C of everything before it. Format 1 had no checksum. */
  static final byte FORMAT = 2;
  private static final int CRC_BYTES = 4;

  /**
   * A cached lookup: the newest row of an entity, or none, and the clock time (micros) of the
   * store read it reflects. Flat on purpose: a cached read touches this object and nothing behind
   * it (the event time, the values array's reference and which columns hold a value are copied in),
   * so a lookup costs one memory access beyond the cache's own.
   */
  static final class Entry {
    /** The row, null if the entity has none. */
    final StoredRow row;
    /** {@code row.eventMicros()}, or {@link Long#MIN_VALUE} without a row. */
    final long eventMicros;
    /** {@code row.values()}, or null without a row. */
    final Object[] values;
    /** Bit {@code c} set if column {@code c < 64} holds a value (see {@link #presentMask}). */
    final long presentMask;
    /**
     * When the row was last confirmed in the store. Re-stamped in place by a refresh that finds the
     * same newest key, so that such a refresh writes nothing into the cache (a cache write would
     * queue Caffeine maintenance that the looking-up threads then drain).
     */
    volatile long loadedAtMicros;
    // For online(): the values and the event time as optionals, made once per cached row.
    final Optional<Object>[] optionalValues;
    final Optional<java.time.Instant> eventTime;
    /** The storage key of {@link #row}, null without a row: a refresh that lists the same newest key reads no more. */
    final String storageKey;
    /** Set if the last refresh found the store damaged; lookups of the entity throw it until a refresh succeeds. */
    final CorruptDataException failure;
    /** 1 while a background re-read of this entry is queued or running. */
    volatile int refreshing;

    private Entry(StoredRow row, String storageKey, Optional<Object>[] optionalValues,
        Optional<java.time.Instant> eventTime, long presentMask, long loadedAtMicros) {
      this(row, storageKey, optionalValues, eventTime, presentMask, loadedAtMicros, null);
    }

    private Entry(StoredRow row, String storageKey, Optional<Object>[] optionalValues,
        Optional<java.time.Instant> eventTime, long presentMask, long loadedAtMicros, CorruptDataException failure) {
      this.failure = failure;
      this.storageKey = storageKey;
      this.row = row;
      this.eventMicros = row == null ? Long.MIN_VALUE : row.eventMicros();
      this.values = row == null ? null : row.values();
      this.presentMask = presentMask;
      this.optionalValues = optionalValues;
      this.eventTime = eventTime;
      this.loadedAtMicros = loadedAtMicros;
    }

    static Entry absent(long loadedAtMicros) {
      return new Entry(null, null, null, Optional.empty(), 0, loadedAtMicros);
    }

    @SuppressWarnings("unchecked")
    static Entry of(StoredRow row, String storageKey, long loadedAtMicros) {
      Object[] values = row.values();
      Optional<Object>[] optionals = new Optional[values.length];
      for (int i = 0; i < values.length; i++) {
        optionals[i] = Optional.ofNullable(values[i]);
      }
      return new Entry(row, storageKey, optionals, Optional.of(Micros.toInstant(row.eventMicros())),
          presentMask(values), loadedAtMicros);
    }

    /**
     * @param values a row's values
     * @return bit {@code c} set for each column {@code c < 64} that holds a value
     */
    static long presentMask(Object[] values) {
      long mask = 0;
      for (int c = 0; c < Math.min(64, values.length); c++) {
        mask |= values[c] != null ? 1L << c : 0;
      }
      return mask;
    }

    /** The same row (or none) as read from the store at another time. */
    Entry loadedAt(long micros) {
      return new Entry(row, storageKey, optionalValues, eventTime, presentMask, micros);
    }

    /** The same row, marked as found damaged by a refresh at {@code micros}. */
    Entry failedAt(long micros, CorruptDataException failure) {
      return new Entry(row, storageKey, optionalValues, eventTime, presentMask, micros, failure);
    }
  }

  private static final AtomicIntegerFieldUpdater<Entry> REFRESHING =
      AtomicIntegerFieldUpdater.newUpdater(Entry.class, "refreshing");

  /** How often one load lists again after finding a listed row retained away (each needs a concurrent sweep). */
  private static final int MAX_RETAINED_RETRIES = 16;

  /** By default one cached read in this many (per thread, at random) informs the eviction policy. */
  static final int DEFAULT_POLICY_SAMPLE = 8;

  /** A table's cache and its policy view, for reads that do not inform the eviction policy. */
  static final class TableCache {
    final Cache<String, Entry> cache;
    final Policy<String, Entry> policy;

    TableCache(Cache<String, Entry> cache) {
      this.cache = cache;
      this.policy = cache.policy();
    }
  }

  private final ObjectStore store;
  private final long maximumSize;
  private final long refreshMicros;
  /** Beyond this age an entry is re-read on the reading thread: twice the refresh interval. */
  private final long maxStaleMicros;
  private final int policySampleMask;
  private final Executor refresher;
  // One cache per stored table (view data version), keyed by entity key: a lookup allocates no key.
  private final ConcurrentHashMap<String, TableCache> caches = new ConcurrentHashMap<>();

  /**
   * @param policySample one cached read in this many informs the cache's eviction policy; a power
   *     of two, 1 for every read
   * @param refresher runs the background re-reads of stale entries
   */
  OnlineTable(ObjectStore store, long maximumSize, Duration refreshInterval, int policySample, Executor refresher) {
    if (Integer.bitCount(policySample) != 1) {
      throw new IllegalArgumentException("policySample must be a power of two, got " + policySample);
    }
    this.store = store;
    this.maximumSize = maximumSize;
    this.refreshMicros = Micros.of(refreshInterval);
    this.maxStaleMicros = refreshMicros > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * refreshMicros;
    this.policySampleMask = policySample - 1;
    this.refresher = refresher;
  }

  private Cache<String, Entry> cache(ViewTable table) {
    return tableCache(table).cache;
  }

  private TableCache tableCache(ViewTable table) {
    TableCache c = table.onlineCache;
    if (c == null) {
      // Maintenance runs on the calling thread: a hand-off to the common pool per few reads costs
      // more than the maintenance itself on a busy machine. No expiry policy: staleness is checked
      // against the lookup's own clock time (Entry.loadedAtMicros), so the cache reads no ticker.
      c = caches.computeIfAbsent(table.root, r -> new TableCache(Caffeine.newBuilder().maximumSize(maximumSize)
          .executor(Runnable::run).build()));
      table.onlineCache = c;
    }
    return c;
  }

  /**
   * The entity's newest row, from the cache when possible. A cached entry read from the store more
   * than the refresh interval before {@code atMicros} is served and re-read in the background; one
   * read more than twice the interval before is re-read first. The row may lie in the future of
   * {@code atMicros} (rare); the caller then asks {@link #newestUncached} for the one before it.
   *
   * @param atMicros the lookup's clock time, the time the staleness of the cache is judged by
   * @return an entry (with a null row if the entity has none)
   * @throws CorruptDataException if the entity's stored rows are damaged or one has vanished
   */
  Entry newest(ViewTable table, String entityKey, long atMicros) {
    TableCache tc = tableCache(table);
    Cache<String, Entry> cache = tc.cache;
    // Most hits do not inform the eviction policy (W-TinyLFU's frequency sketch and LRU order, which
    // Caffeine updates from a lossy read buffer drained on this thread): a random one in
    // policySample does. Frequencies keep their proportions (a sketch of a sample), and a hit costs
    // a hash-table read instead of a buffered policy update. Misses always count (cache.get).
    Entry e = (ThreadLocalRandom.current().nextInt() & policySampleMask) == 0 ? cache.getIfPresent(entityKey)
        : tc.policy.getIfPresentQuietly(entityKey);
    if (e == null) {
      e = cache.get(entityKey, k -> load(table, entityKey, Long.MAX_VALUE, atMicros));
    } else if (Micros.stale(atMicros, e.loadedAtMicros, refreshMicros)) {
      if (Micros.stale(atMicros, e.loadedAtMicros, maxStaleMicros)) {
        e = reload(cache, table, entityKey, atMicros);
      } else {
        e = refreshInBackground(tc, table, entityKey, e, atMicros);
      }
    }
    if (e.failure != null) {
      throw new CorruptDataException(e.failure.getMessage(), e.failure);
    }
    return e;
  }

  /**
   * Hands the re-read of a stale entry to the refresh executor, once per entry, and returns the
   * entry to serve meanwhile (the refreshed one if the executor ran the task on this thread).
   */
  private Entry refreshInBackground(TableCache tc, ViewTable table, String entityKey, Entry e, long atMicros) {
    if (e.refreshing != 0 || !REFRESHING.compareAndSet(e, 0, 1)) {
      return e;
    }
    try {
      refresher.execute(() -> {
        try {
          reload(tc.cache, table, entityKey, atMicros);
        } catch (RuntimeException failed) {
          // A corrupt store is recorded in the entry by reload; anything else (a closed or unreachable
          // store) is retried by a later lookup.
          LOG.debug("background refresh of online row of entity '{}' in {} failed: {}", entityKey, table.root,
              failed.toString());
        } finally {
          e.refreshing = 0;
        }
      });
    } catch (RejectedExecutionException closed) {
      e.refreshing = 0; // the feature store is closing
      return e;
    }
    Entry now = tc.policy.getIfPresentQuietly(entityKey);
    return now != null ? now : e;
  }

  /**
   * Re-reads a stale entry. A write through this table may have replaced the entry meanwhile; the
   * newer of the two rows is kept, stamped with this read's time (the store was read at or after
   * it, and whatever the other entry knew is in the row kept). If the cached row is newer than
   * anything the store lists, it is looked up by its key: a row that is gone was deleted behind
   * the library's back (it never deletes rows), and the entry is marked damaged.
   */
  private Entry reload(Cache<String, Entry> cache, ViewTable table, String entityKey, long atMicros) {
    // Usually nothing changed: if the newest key listed is the cached row's, re-stamp the entry
    // without reading or decoding the row again (it was verified when it was read).
    Entry same = cache.policy().getIfPresentQuietly(entityKey);
    if (same != null && same.failure == null) {
      ListPage page = store.list(table.onlineEntityPrefix(entityKey), "", 1);
      String newest = page.keys().isEmpty() ? null : page.keys().get(0);
      if (java.util.Objects.equals(newest, same.storageKey)) {
        same.loadedAtMicros = atMicros;
        return same;
      }
    }
    Entry loaded;
    try {
      loaded = load(table, entityKey, Long.MAX_VALUE, atMicros);
      Entry cached = cache.policy().getIfPresentQuietly(entityKey);
      if (cached != null && cached.row != null && (loaded.row == null || cached.row.beatsOnline(loaded.row))) {
        String key = table.onlineRowKey(cached.row);
        if (store.get(key).isEmpty()) {
          throw new CorruptDataException("online row '" + key + "' of entity '" + entityKey + "' in feature view '"
              + table.name() + "' was served before and is missing from the store now (the newest online row is "
              + "never deleted, not even by retention); the store lists " + (loaded.row == null ? "no row" : "only older rows") + " for the entity");
        }
      }
    } catch (CorruptDataException damaged) {
      cache.asMap().computeIfPresent(entityKey, (k, current) -> current.failedAt(atMicros, damaged));
      throw damaged;
    }
    return cache.asMap().merge(entityKey, loaded, (current, fresh) -> current.row != null
        && (fresh.row == null || current.row.beatsOnline(fresh.row)) ? current.loadedAt(fresh.loadedAtMicros) : fresh);
  }

  /**
   * Reads from the store, bypassing the cache.
   *
   * @throws RetentionHorizonException if {@code atMicros} lies before the newest recorded retention
   *     horizon of the table (the row answering it may have been deleted)
   */
  Entry newestUncached(ViewTable table, String entityKey, long atMicros) {
    Optional<Long> horizon = OnlineRowRetention.horizon(store, table);
    if (horizon.isPresent() && atMicros < horizon.get()) {
      throw new RetentionHorizonException(table.name(), Micros.toInstant(atMicros), Micros.toInstant(horizon.get()));
    }
    return load(table, entityKey, atMicros, atMicros);
  }

  /** The newest row at or before {@code atMicros} in the store, as read at clock time {@code loadedAtMicros}. */
  private Entry load(ViewTable table, String entityKey, long atMicros, long loadedAtMicros) {
    String prefix = table.onlineEntityPrefix(entityKey);
    String after = "";
    int retained = 0;
    while (true) {
      ListPage page = store.list(prefix, after, atMicros == Long.MAX_VALUE ? 1 : 100);
      boolean restart = false;
      for (String key : page.keys()) {
        Optional<byte[]> bytes = store.get(key);
        if (bytes.isEmpty()) {
          if (OnlineRowRetention.retainedAway(store, table, key)) {
            if (++retained > MAX_RETAINED_RETRIES) {
              // not damage: rows of this entity are superseded and swept faster than this reader
              // lists and reads one (possible only with a GC grace period shorter than a read)
              throw new StorageException("online rows of entity '" + entityKey + "' in feature view '" + table.name()
                  + "' were retained away " + MAX_RETAINED_RETRIES + " times between listing and reading them, the last '"
                  + key + "': a collector sweeps superseded rows faster than this reader reads them; use a GC grace "
                  + "period longer than a row read", null, true);
            }
            restart = true; // a collector deleted it after our listing; a newer row answers now: list again
            break;
          }
          throw new CorruptDataException("online row '" + key + "' of entity '" + entityKey + "' in feature view '"
              + table.name() + "' was listed and is missing; only retention deletes online rows, and no newer row "
              + "of the entity older than a recorded retention horizon is listed, so it was not retention");
        }
        StoredRow row = decode(table, key, bytes.get());
        if (row.eventMicros() <= atMicros) {
          return Entry.of(row, key, loadedAtMicros);
        }
      }
      if (restart) {
        after = "";
        continue;
      }
      if (!page.truncated() || page.keys().isEmpty()) {
        return Entry.absent(loadedAtMicros);
      }
      after = page.keys().get(page.keys().size() - 1);
    }
  }

  /**
   * Writes a row (create-if-absent) and refreshes the cached entry if this row is newer.
   *
   * @return whether the row was new
   */
  boolean write(ViewTable table, StoredRow row) {
    String key = table.onlineRowKey(row);
    boolean created;
    try {
      store.create(key, encode(table, row));
      created = true;
    } catch (AlreadyExistsException e) {
      created = false;
    }
    cache(table).asMap().compute(row.entityKey(), (k, old) -> {
      if (old == null) {
        return null; // loaded on demand
      }
      if (old.row == null || row.beatsOnline(old.row)) {
        // Keeps the old entry's load time: other processes' writes since then are still unknown.
        return Entry.of(row, key, old.loadedAtMicros);
      }
      return old;
    });
    return created;
  }

  void invalidateAll() {
    caches.values().forEach(c -> c.cache.invalidateAll());
  }

  /** Format 2: the format byte, the row ({@link RowCodec}), then a CRC-32C of all bytes before it. */
  static byte[] encode(ViewTable table, StoredRow row) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      table.codec.write(out, new StoredRow(row.entityKey(), row.eventMicros(), row.createdMicros(), 0, row.values()));
      CRC32C crc = new CRC32C();
      crc.update(bytes.toByteArray());
      out.writeInt((int) crc.getValue());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * @throws CorruptDataException naming the key if the bytes fail their checksum, do not decode, or
   *     hold a row other than the one the key names
   */
  static StoredRow decode(ViewTable table, String key, byte[] bytes) {
    if (bytes.length > 0 && bytes[0] == 1) {
      throw new CorruptDataException("online row '" + key + "' is in storage format 1 (written before rows carried a "
          + "checksum), which this version does not read; push or materialize the view again");
    }
    if (bytes.length < 1 + CRC_BYTES || bytes[0] != FORMAT) {
      throw new CorruptDataException("online row '" + key + "' has unknown format "
          + (bytes.length == 0 ? "(empty)" : bytes[0]) + " or is truncated (" + bytes.length + " bytes)");
    }
    int body = bytes.length - CRC_BYTES;
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, body);
    int stored = (bytes[body] & 0xff) << 24 | (bytes[body + 1] & 0xff) << 16 | (bytes[body + 2] & 0xff) << 8
        | (bytes[body + 3] & 0xff);
    if ((int) crc.getValue() != stored) {
      throw new CorruptDataException("online row '" + key + "' fails its CRC-32C check (stored "
          + Integer.toHexString(stored) + ", computed " + Integer.toHexString((int) crc.getValue()) + ")");
    }
    StoredRow row;
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 1, body - 1))) {
      row = table.codec.read(in);
      if (in.read() != -1) {
        throw new CorruptDataException("online row '" + key + "' has trailing bytes");
      }
    } catch (IOException e) {
      throw new CorruptDataException("online row '" + key + "' is truncated or unreadable: " + e.getMessage(), e);
    } catch (CorruptDataException e) {
      throw new CorruptDataException("online row '" + key + "' is unreadable: " + e.getMessage(), e);
    }
    if (!table.onlineRowKey(row).equals(key)) {
      throw new CorruptDataException("online row '" + key + "' holds the row of entity '" + row.entityKey()
          + "' at event time " + Micros.toInstant(row.eventMicros()) + ", which belongs under '"
          + table.onlineRowKey(row) + "'");
    }
    return row;
  }
}
