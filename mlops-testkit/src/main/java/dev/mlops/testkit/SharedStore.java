package dev.mlops.testkit;

import dev.mlops.spi.ForwardingObjectStore;
import dev.mlops.spi.ObjectStore;

/**
 * A view of a store that a second workspace can own without closing the store for everyone:
 * {@link #close()} is a no-op, everything else goes to the store. Lets the kit run two workspaces
 * (two caches, two writers) over one store object on every backend, persistent or not.
 *
 * <p>Thread-safe if the store is.
 */
public final class SharedStore extends ForwardingObjectStore {

  SharedStore(ObjectStore store) {
    super(store);
  }

  /**
   * @param store the store to share
   * @return a view of it whose {@link #close()} leaves it open, e.g. for a second workspace
   */
  public static ObjectStore of(ObjectStore store) {
    return new SharedStore(java.util.Objects.requireNonNull(store, "store"));
  }

  @Override
  public void close() {
    // the owner of the underlying store closes it
  }
}
