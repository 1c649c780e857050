package dev.mlops.benchmarks.fs;

import dev.mlops.spi.BlobSink;
import dev.mlops.spi.ListPage;
import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.StoreCapabilities;
import java.io.InputStream;
import java.util.Optional;

/**
 * Lets several short-lived workspaces share one open store (a workspace closes the store it owns).
 *
 * <p>Thread-safe if the store is.
 */
final class NonClosingStore implements ObjectStore {
  private final ObjectStore store;

  NonClosingStore(ObjectStore store) {
    this.store = store;
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
  public void close() {
    // the benchmark closes the shared store at the end of the trial
  }
}
