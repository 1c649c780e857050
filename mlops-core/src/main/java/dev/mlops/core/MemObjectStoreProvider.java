package dev.mlops.core;

import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.ObjectStoreProvider;
import dev.mlops.spi.UriParameters;
import java.net.URI;
import java.util.Set;

/**
 * Provider for {@code mem:} URIs. {@code mem:} (or {@code mem:} with an empty name) opens a
 * fresh, private store each time; {@code mem:name} is the same as {@code mem:} — stores are never
 * shared through a name, so tests cannot leak state into each other. No parameters are accepted.
 *
 * <p>Thread-safe.
 */
public final class MemObjectStoreProvider implements ObjectStoreProvider {
  /** Public for {@link java.util.ServiceLoader}. */
  public MemObjectStoreProvider() {}

  @Override
  public String scheme() {
    return "mem";
  }

  @Override
  public ObjectStore open(URI uri) {
    UriParameters.parse(uri, Set.of());
    return new MemObjectStore();
  }
}
