package dev.mlops.pipeline;

import dev.mlops.core.MemObjectStore;
import dev.mlops.spi.ObjectStore;

/** {@link PipelineTamperContract} on {@code mem:}. */
class MemPipelineTamperContractTest extends PipelineTamperContract {
  @Override
  protected ObjectStore newStore() {
    return new MemObjectStore();
  }
}
