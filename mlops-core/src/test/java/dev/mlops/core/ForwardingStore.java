package dev.mlops.core;

import dev.mlops.spi.ListPage;
import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.StoreCapabilities;
import java.io.InputStream;
import java.util.Optional;

/** A second view of one store whose close does not close the shared store: a second "process". */
final class ForwardingStore implements ObjectStore {
  private final ObjectStore d;

  ForwardingStore(ObjectStore d) {
    this.d = d;
  }

  @Override public Optional<byte[]> get(String key) { return d.get(key); }
  @Override public Optional<InputStream> openStream(String key) { return d.openStream(key); }
  @Override public void create(String key, byte[] bytes) { d.create(key, bytes); }
  @Override public void createFromStream(String key, InputStream in) { d.createFromStream(key, in); }
  @Override public ListPage list(String prefix, String startAfter, int limit) { return d.list(prefix, startAfter, limit); }
  @Override public boolean delete(String key) { return d.delete(key); }
  @Override public StoreCapabilities capabilities() { return d.capabilities(); }
  @Override public void close() { }
}
