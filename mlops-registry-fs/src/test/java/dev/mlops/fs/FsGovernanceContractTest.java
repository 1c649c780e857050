package dev.mlops.fs;

import dev.mlops.governance.GovernanceContract;
import dev.mlops.spi.ObjectStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The governance contract (policies, refusals, grants, signatures) on {@code file:}. */
class FsGovernanceContractTest extends GovernanceContract {
  @TempDir Path root;

  @Override
  protected ObjectStore newStore() {
    return FsObjectStore.builder().root(root.resolve("store")).build();
  }
}
