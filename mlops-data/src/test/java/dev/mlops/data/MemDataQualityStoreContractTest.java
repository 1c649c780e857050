package dev.mlops.data;

import dev.mlops.core.MemObjectStore;
import dev.mlops.spi.ObjectStore;

/** {@link DataQualityStoreContract} on {@code mem:}. */
class MemDataQualityStoreContractTest extends DataQualityStoreContract {
  @Override
  protected ObjectStore newStore() {
    return new MemObjectStore();
  }
}
