package dev.mlops.core;

import dev.mlops.StorageException;
import dev.mlops.spi.BlobSink;
import dev.mlops.spi.ListPage;
import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.StoreCapabilities;
import java.io.InputStream;
import java.net.URI;
import java.util.Optional;

/**
 * A store opened with {@code readOnly=true}: reads pass through, every write fails with a
 * {@link StorageException} (not retryable) that names the key and says the workspace is read-only.
 *
 * <p>Thread-safe if the wrapped store is.
 */
final class ReadOnlyObjectStore implements ObjectStore {
  private final ObjectStore delegate;
  private final URI uri;

  ReadOnlyObjectStore(ObjectStore delegate, URI uri) {
    this.delegate = delegate;
    this.uri = uri;
  }

  /** @return whether the store refuses writes because the workspace was opened read-only */
  static boolean isReadOnly(ObjectStore store) {
    return store instanceof ReadOnlyObjectStore;
  }

  private StorageException refused(String what, String key) {
    return new StorageException("cannot " + what + " '" + key + "': workspace " + uri
        + " was opened read-only (readOnly=true)");
  }

  @Override
  public Optional<byte[]> get(String key) {
    return delegate.get(key);
  }

  @Override
  public Optional<InputStream> openStream(String key) {
    return delegate.openStream(key);
  }

  @Override
  public void create(String key, byte[] bytes) {
    throw refused("create", key);
  }

  @Override
  public void createFromStream(String key, InputStream in) {
    throw refused("create", key);
  }

  @Override
  public BlobSink newBlobSink() {
    throw refused("write a blob to", "artifacts/");
  }

  @Override
  public ListPage list(String prefix, String startAfter, int limit) {
    return delegate.list(prefix, startAfter, limit);
  }

  @Override
  public boolean delete(String key) {
    throw refused("delete", key);
  }

  @Override
  public StoreCapabilities capabilities() {
    return delegate.capabilities();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
