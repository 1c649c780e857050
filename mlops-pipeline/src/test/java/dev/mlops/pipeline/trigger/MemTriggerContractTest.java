package dev.mlops.pipeline.trigger;

import dev.mlops.core.MemObjectStore;
import dev.mlops.spi.ObjectStore;

/** {@link TriggerContract} on {@code mem:}. */
class MemTriggerContractTest extends TriggerContract {
  @Override
  protected ObjectStore newStore() {
    return new MemObjectStore();
  }
}
