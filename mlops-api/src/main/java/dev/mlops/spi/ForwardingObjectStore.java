package dev.mlops.spi;

import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@link ObjectStore} that forwards every call to another one; a decorator overrides only what
 * it changes — a read-only view, a view that does not close the shared store, fault injection in
 * tests, counting. {@link #listAll(String, String)} keeps the interface's default, which pages
 * through {@link #list}, so a decorator that changes listings changes every listing.
 *
 * <p>Thread-safe if the delegate is and the subclass's own state is.
 */
public abstract class ForwardingObjectStore implements ObjectStore {
  private final ObjectStore delegate;

  /** @param delegate the store every call goes to */
  protected ForwardingObjectStore(ObjectStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** @return the store every call goes to */
  protected final ObjectStore delegate() {
    return delegate;
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
    delegate.create(key, bytes);
  }

  @Override
  public void createFromStream(String key, InputStream in) {
    delegate.createFromStream(key, in);
  }

  @Override
  public BlobSink newBlobSink() {
    return delegate.newBlobSink();
  }

  @Override
  public ListPage list(String prefix, String startAfter, int limit) {
    return delegate.list(prefix, startAfter, limit);
  }

  @Override
  public boolean delete(String key) {
    return delegate.delete(key);
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
