package dev.mlops.spi;

import dev.mlops.WorkspaceOptions;

import java.net.URI;

/**
 * Opens {@link ObjectStore}s for one URI scheme. Found with {@link java.util.ServiceLoader}
 * (register in {@code META-INF/services/dev.mlops.spi.ObjectStoreProvider}); cheap to construct,
 * all work happens in {@link #open}.
 *
 * <p>Implementations are thread-safe.
 */
public interface ObjectStoreProvider {

  /** @return the URI scheme handled, lower case, e.g. {@code file} */
  String scheme();

  /**
   * Opens a store.
   *
   * @param uri a URI with this provider's scheme
   * @return the open store
   * @throws IllegalArgumentException if the URI is malformed or carries unknown query parameters
   *     (see {@link UriParameters})
   * @throws dev.mlops.StorageException if the store cannot be reached or created
   */
  ObjectStore open(URI uri);

  /**
   * Opens a store with the workspace's options. A provider that can open its location without
   * writing anything overrides this to honour {@link WorkspaceOptions#readOnly()}; the default
   * opens normally (the workspace still refuses every write through a read-only store).
   *
   * @param uri a URI with this provider's scheme
   * @param options the workspace's options
   * @return the open store
   * @throws IllegalArgumentException if the URI is malformed or carries unknown query parameters
   * @throws dev.mlops.StorageException if the store cannot be reached or created
   */
  default ObjectStore open(URI uri, WorkspaceOptions options) {
    return open(uri);
  }
}
