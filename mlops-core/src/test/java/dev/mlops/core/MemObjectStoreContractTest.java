package dev.mlops.core;

import dev.mlops.spi.ObjectStore;
import dev.mlops.testkit.ObjectStoreContract;

/** Runs the object-store compatibility kit on the {@code mem:} reference backend. */
class MemObjectStoreContractTest extends ObjectStoreContract {
  @Override
  protected ObjectStore newStore() {
    return new MemObjectStore();
  }
}
