package dev.mlops.core;

import dev.mlops.WorkspaceOptions;

import dev.mlops.Workspace;
import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.WorkspaceFactory;
import java.net.URI;

/**
 * Makes {@code Mlops.open} build a {@link CoreWorkspace}. Found with {@link java.util.ServiceLoader}.
 *
 * <p>Thread-safe.
 */
public final class CoreWorkspaceFactory implements WorkspaceFactory {
  /** Public for {@link java.util.ServiceLoader}. */
  public CoreWorkspaceFactory() {}

  @Override
  public Workspace create(URI uri, ObjectStore store) {
    return create(uri, store, WorkspaceOptions.defaults());
  }

  @Override
  public Workspace create(URI uri, ObjectStore store, WorkspaceOptions options) {
    return CoreWorkspace.builder(store).uri(uri).options(options).build();
  }
}
