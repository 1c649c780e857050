package dev.mlops.governance;

import dev.mlops.core.MemObjectStore;
import dev.mlops.spi.ObjectStore;

/** {@link GovernanceContract} on {@code mem:}. */
class MemGovernanceContractTest extends GovernanceContract {
  @Override
  protected ObjectStore newStore() {
    return new MemObjectStore();
  }
}
