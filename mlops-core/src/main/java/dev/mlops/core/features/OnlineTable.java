package dev.mlops.core.features;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.mlops.AlreadyExistsException;
import dev.mlops.CorruptDataException;
import dev.mlops.spi.ListPage;
import dev.mlops.spi.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;

/**
 * The online table: for each (view data version, entity), a set of immutable row objects whose
 * keys sort newest first ({@link ViewTable#onlineRowKey}); the newest row at or before the read
 * time is the entity's online row. Writing a row is a create-if-absent of its key, so rows are
 * idempotent per (entity, event time, created time) and an older row written late never hides a
 * newer one. A Caffeine cache per stored table (bounded to the configured size) holds each entity's newest
 * row in front of the store; writes through this table update it, and entries expire after the refresh interval so
 * that other processes' writes become visible.
 *
 * <p>Thread-safe.
 */
final class OnlineTable {
  private static final byte FORMAT = 1;

  /** A cached lookup: the newest row of an entity, or none. */
  static final class Entry {
    static final Entry ABSENT = new Entry(null, null, Optional.empty());

    final StoredRow row;
    final Optional<Object>[] values;
    final Optional<java.time.Instant> eventTime;

    @SuppressWarnings("unchecked")
    Entry(StoredRow row, Optional<Object>[] values, Optional<java.time.Instant> eventTime) {
      this.row = row;
      this.values = values;
      this.eventTime = eventTime;
    }

    @SuppressWarnings("unchecked")
    static Entry of(StoredRow row) {
      Optional<Object>[] values = new Optional[row.values().length];
      for (int i = 0; i < values.length; i++) {
        values[i] = Optional.ofNullable(row.values()[i]);
      }
      return new Entry(row, values, Optional.of(Micros.toInstant(row.eventMicros())));
    }
  }

  private final ObjectStore store;
  private final long maximumSize;
  private final Duration refreshInterval;
  // One cache per stored table (view data version), keyed by entity key: a lookup allocates no key.
  private final ConcurrentHashMap<String, Cache<String, Entry>> caches = new ConcurrentHashMap<>();

  OnlineTable(ObjectStore store, long maximumSize, Duration refreshInterval) {
    this.store = store;
    this.maximumSize = maximumSize;
    this.refreshInterval = refreshInterval;
  }

  private Cache<String, Entry> cache(ViewTable table) {
    Cache<String, Entry> c = table.onlineCache;
    if (c == null) {
      // Maintenance runs on the calling thread: a hand-off to the common pool per few reads costs
      // more than the maintenance itself on a busy machine.
      c = caches.computeIfAbsent(table.root, r -> Caffeine.newBuilder().maximumSize(maximumSize)
          .expireAfterWrite(refreshInterval).executor(Runnable::run).build());
      table.onlineCache = c;
    }
    return c;
  }

  /**
   * The entity's newest row at or before {@code atMicros}, from the cache when possible.
   *
   * @return an entry (possibly {@link Entry#ABSENT})
   */
  Entry newest(ViewTable table, String entityKey, long atMicros) {
    Cache<String, Entry> cache = cache(table);
    Entry e = cache.getIfPresent(entityKey);
    if (e == null) {
      e = cache.get(entityKey, k -> load(table, entityKey, Long.MAX_VALUE));
    }
    if (e.row != null && e.row.eventMicros() > atMicros) {
      // The newest row lies in the future of the read time (rare): find the one before it uncached.
      return load(table, entityKey, atMicros);
    }
    return e;
  }

  /** Reads from the store, bypassing the cache. */
  Entry newestUncached(ViewTable table, String entityKey, long atMicros) {
    return load(table, entityKey, atMicros);
  }

  private Entry load(ViewTable table, String entityKey, long atMicros) {
    String prefix = table.onlineEntityPrefix(entityKey);
    String after = "";
    while (true) {
      ListPage page = store.list(prefix, after, atMicros == Long.MAX_VALUE ? 1 : 100);
      for (String key : page.keys()) {
        Optional<byte[]> bytes = store.get(key);
        if (bytes.isEmpty()) {
          continue; // garbage-collected between list and get
        }
        StoredRow row = decode(table, key, bytes.get());
        if (row.eventMicros() <= atMicros) {
          return Entry.of(row);
        }
      }
      if (!page.truncated() || page.keys().isEmpty()) {
        return Entry.ABSENT;
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
        return Entry.of(row);
      }
      return old;
    });
    return created;
  }

  void invalidateAll() {
    caches.values().forEach(Cache::invalidateAll);
  }

  private static byte[] encode(ViewTable table, StoredRow row) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      table.codec.write(out, new StoredRow(row.entityKey(), row.eventMicros(), row.createdMicros(), 0, row.values()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }

  private static StoredRow decode(ViewTable table, String key, byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte format = in.readByte();
      if (format != FORMAT) {
        throw new CorruptDataException("online row '" + key + "' has unknown format " + format);
      }
      StoredRow row = table.codec.read(in);
      if (in.read() != -1) {
        throw new CorruptDataException("online row '" + key + "' has trailing bytes");
      }
      return row;
    } catch (IOException e) {
      throw new CorruptDataException("online row '" + key + "' is truncated or unreadable: " + e.getMessage(), e);
    }
  }
}
