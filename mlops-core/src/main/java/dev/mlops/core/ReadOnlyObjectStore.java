package dev.mlops.core;

import dev.mlops.StorageException;
import dev.mlops.spi.BlobSink;
import dev.mlops.spi.ForwardingObjectStore;
import dev.mlops.spi.ObjectStore;
import java.io.InputStream;
import java.net.URI;

/**
 * A store opened with {@code readOnly=true}: reads pass through, every write fails with a
 * {@link StorageException} (not retryable) that names the key and says the workspace is read-only.
 *
 * <p>Thread-safe if the wrapped store is.
 */
final class ReadOnlyObjectStore extends ForwardingObjectStore {
  private final URI uri;

  ReadOnlyObjectStore(ObjectStore delegate, URI uri) {
    super(delegate);
    this.uri = uri;
  }

  private StorageException refused(String what, String key) {
    return new StorageException("cannot " + what + " '" + key + "': workspace " + uri
        + " was opened read-only (readOnly=true)");
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
  public boolean delete(String key) {
    throw refused("delete", key);
  }
}
