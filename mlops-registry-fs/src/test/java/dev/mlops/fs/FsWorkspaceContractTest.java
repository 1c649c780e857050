package dev.mlops.fs;

import dev.mlops.spi.ObjectStore;
import dev.mlops.testkit.WorkspaceContract;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The workspace compatibility kit (registry, artifacts, experiments) on {@code file:}, full scale. */
class FsWorkspaceContractTest extends WorkspaceContract {
  @TempDir Path root;
  private final AtomicInteger stores = new AtomicInteger();

  @Override
  protected ObjectStore newStore() {
    return FsObjectStore.builder().root(root().resolve("ws-" + stores.incrementAndGet())).build();
  }

  @Override
  protected ObjectStore openAgain(ObjectStore store) {
    return FsObjectStore.builder().root(((FsObjectStore) store).root()).build();
  }

  /** jqwik properties do not get JUnit's @TempDir. */
  private Path root() {
    if (root == null) {
      root = PropertyTempDirs.create("fs-workspace-contract");
    }
    return root;
  }
}
