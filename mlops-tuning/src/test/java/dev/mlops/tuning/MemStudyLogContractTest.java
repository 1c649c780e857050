package dev.mlops.tuning;

import dev.mlops.core.MemObjectStore;
import dev.mlops.spi.ObjectStore;

/** {@link StudyLogContract} on {@code mem:}. */
class MemStudyLogContractTest extends StudyLogContract {
  @Override
  protected ObjectStore newStore() {
    return new MemObjectStore();
  }
}
