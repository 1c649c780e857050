package dev.mlops.core;

import dev.mlops.spi.ObjectStore;
import dev.mlops.testkit.WorkspaceContract;

/** Runs the workspace compatibility kit on the {@code mem:} reference backend. */
class MemWorkspaceContractTest extends WorkspaceContract {
  @Override
  protected ObjectStore newStore() {
    return new MemObjectStore();
  }
}
