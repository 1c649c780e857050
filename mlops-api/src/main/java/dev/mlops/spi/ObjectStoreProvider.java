package dev.mlops.spi;

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
}
