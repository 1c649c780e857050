package dev.mlops.core;

import dev.mlops.AlreadyExistsException;
import dev.mlops.StorageException;
import dev.mlops.spi.ListPage;
import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.StoreCapabilities;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The {@code mem:} backend: a real in-memory {@link ObjectStore}, the reference implementation
 * of the contract and the store for users' unit tests. Create-if-absent is
 * {@link ConcurrentSkipListMap#putIfAbsent}, so it is atomic across threads; the data lives as
 * long as the object: every {@code Mlops.open("mem:")} gets a fresh, private store.
 *
 * <p>Thread-safe.
 */
public final class MemObjectStore implements ObjectStore {
  private final ConcurrentNavigableMap<String, byte[]> objects = new ConcurrentSkipListMap<>();
  private volatile boolean closed;

  /** Creates an empty store. */
  public MemObjectStore() {}

  @Override
  public Optional<byte[]> get(String key) {
    checkOpen();
    ObjectStore.requireValidKey(key);
    byte[] b = objects.get(key);
    return b == null ? Optional.empty() : Optional.of(b.clone());
  }

  @Override
  public Optional<InputStream> openStream(String key) {
    checkOpen();
    ObjectStore.requireValidKey(key);
    byte[] b = objects.get(key);
    return b == null ? Optional.empty() : Optional.of(new ByteArrayInputStream(b));
  }

  @Override
  public void create(String key, byte[] bytes) {
    checkOpen();
    ObjectStore.requireValidKey(key);
    Objects.requireNonNull(bytes, "bytes");
    if (objects.putIfAbsent(key, bytes.clone()) != null) {
      throw new AlreadyExistsException("storage key '" + key + "' already exists");
    }
  }

  @Override
  public void createFromStream(String key, InputStream in) {
    checkOpen();
    ObjectStore.requireValidKey(key);
    Objects.requireNonNull(in, "in");
    if (objects.containsKey(key)) {
      throw new AlreadyExistsException("storage key '" + key + "' already exists");
    }
    byte[] bytes;
    try {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new StorageException("reading the content for '" + key + "' failed", e, false);
    } catch (OutOfMemoryError e) {
      throw new StorageException("content for '" + key + "' does not fit in memory (mem: holds everything on the heap)", e, false);
    }
    if (objects.putIfAbsent(key, bytes) != null) {
      throw new AlreadyExistsException("storage key '" + key + "' already exists");
    }
  }

  @Override
  public ListPage list(String prefix, String startAfter, int limit) {
    checkOpen();
    ObjectStore.requireValidPrefix(prefix);
    Objects.requireNonNull(startAfter, "startAfter");
    if (limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new IllegalArgumentException("limit must be in 1.." + MAX_LIST_LIMIT + ", got " + limit);
    }
    String from = startAfter.compareTo(prefix) > 0 ? startAfter : prefix;
    boolean inclusive = !from.equals(startAfter);
    List<String> keys = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : objects.tailMap(from, inclusive).entrySet()) {
      String k = e.getKey();
      if (!k.startsWith(prefix)) {
        break;
      }
      if (keys.size() == limit) {
        return new ListPage(keys, true);
      }
      keys.add(k);
    }
    return new ListPage(keys, false);
  }

  @Override
  public boolean delete(String key) {
    checkOpen();
    ObjectStore.requireValidKey(key);
    return objects.remove(key) != null;
  }

  @Override
  public StoreCapabilities capabilities() {
    return new StoreCapabilities(false, false);
  }

  @Override
  public void close() {
    closed = true;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("mem: store is closed");
    }
  }
}
