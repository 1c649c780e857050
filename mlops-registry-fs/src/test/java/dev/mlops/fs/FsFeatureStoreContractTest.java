package dev.mlops.fs;

import dev.mlops.featurestore.ObjectStoreFeatureStore;
import dev.mlops.features.FeatureStore;
import dev.mlops.spi.ObjectStore;
import dev.mlops.testkit.FeatureStoreContract;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The feature-store compatibility kit on {@code file:}. */
class FsFeatureStoreContractTest extends FeatureStoreContract {
  @TempDir Path root;
  private final AtomicInteger stores = new AtomicInteger();

  @Override
  protected ObjectStore newStore() {
    if (root == null) {
      root = PropertyTempDirs.create("fs-feature-contract");
    }
    return FsObjectStore.builder().root(root.resolve("f-" + stores.incrementAndGet())).build();
  }

  @Override
  protected FeatureStore openFeatureStore(ObjectStore store, Clock clock) {
    return ObjectStoreFeatureStore.builder(store).clock(clock).build();
  }
}
