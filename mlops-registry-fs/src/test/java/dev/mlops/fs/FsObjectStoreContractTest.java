package dev.mlops.fs;

import dev.mlops.spi.ObjectStore;
import dev.mlops.testkit.ObjectStoreContract;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The object-store compatibility kit on {@code file:}: every test, full scale. */
class FsObjectStoreContractTest extends ObjectStoreContract {
  @TempDir Path root;
  private final AtomicInteger stores = new AtomicInteger();

  @Override
  protected ObjectStore newStore() {
    return FsObjectStore.builder().root(root().resolve("store-" + stores.incrementAndGet())).build();
  }

  @Override
  protected ObjectStore openAgain(ObjectStore store) {
    return FsObjectStore.builder().root(((FsObjectStore) store).root()).build();
  }

  /** jqwik properties do not get JUnit's @TempDir; they share one directory per class instance. */
  private Path root() {
    if (root == null) {
      root = PropertyTempDirs.create("fs-contract");
    }
    return root;
  }
}
