package dev.mlops.spi;

import dev.mlops.WorkspaceOptions;

import dev.mlops.Workspace;
import java.net.URI;

/**
 * Builds a {@link Workspace} over an {@link ObjectStore}; implemented once, by
 * {@code mlops-core}, and found with {@link java.util.ServiceLoader}.
 *
 * <p>Implementations are thread-safe.
 */
public interface WorkspaceFactory {

  /**
   * @param uri the URI the store was opened from
   * @param store the store; the workspace owns it and closes it
   * @return an open workspace
   */
  Workspace create(URI uri, ObjectStore store);

  /**
   * @param uri the URI the store was opened from
   * @param store the store; the workspace owns it and closes it
   * @param options the workspace's options
   * @return an open workspace
   */
  default Workspace create(URI uri, ObjectStore store, WorkspaceOptions options) {
    return create(uri, store);
  }
}
