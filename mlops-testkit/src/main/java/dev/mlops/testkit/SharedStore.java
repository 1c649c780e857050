package dev.mlops.testkit;

import dev.mlops.spi.BlobSink;
import dev.mlops.spi.ListPage;
import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.StoreCapabilities;
import java.io.InputStream;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A view of a store that a second workspace can own without closing the store for everyone:
 * {@link #close()} is a no-op, everything else goes to the store. Lets the kit run two workspaces
 * (two caches, two writers) over one store object on every backend, persistent or not.
 *
 * <p>Thread-safe if the store is.
 */
public final class SharedStore implements ObjectStore {
  private final ObjectStore store;

  SharedStore(ObjectStore store) {
    this.store = store;
  }

  /**
   * @param store the store to share
   * @return a view of it whose {@link #close()} leaves it open, e.g. for a second workspace
   */
  public static ObjectStore of(ObjectStore store) {
    return new SharedStore(java.util.Objects.requireNonNull(store, "store"));
  }

  @Override
  public Optional<byte[]> get(String key) {
    return store.get(key);
  }

  @Override
  public Optional<InputStream> openStream(String key) {
    return store.openStream(key);
  }

  @Override
  public void create(String key, byte[] bytes) {
    store.create(key, bytes);
  }

  @Override
  public void createFromStream(String key, InputStream in) {
    store.createFromStream(key, in);
  }

  @Override
  public ListPage list(String prefix, String startAfter, int limit) {
    return store.list(prefix, startAfter, limit);
  }

  @Override
  public boolean delete(String key) {
    return store.delete(key);
  }

  @Override
  public StoreCapabilities capabilities() {
    return store.capabilities();
  }

  @Override
  public BlobSink newBlobSink() {
    return store.newBlobSink();
  }

  @Override
  public Stream<String> listAll(String prefix, String startAfter) {
    return store.listAll(prefix, startAfter);
  }

  @Override
  public void close() {
    // the owner of the underlying store closes it
  }
}
