package dev.mlops.pipeline;

import dev.mlops.core.MemObjectStore;
import dev.mlops.spi.ObjectStore;

/** {@link PipelineContract} on {@code mem:}. */
class MemPipelineContractTest extends PipelineContract {
  @Override
  protected ObjectStore newStore() {
    return new MemObjectStore();
  }
}
