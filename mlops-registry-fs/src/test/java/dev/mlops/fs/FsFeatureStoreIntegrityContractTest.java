package dev.mlops.fs;

import dev.mlops.featurestore.ObjectStoreFeatureStore;
import dev.mlops.features.FeatureStore;
import dev.mlops.spi.ObjectStore;
import dev.mlops.testkit.FeatureStoreIntegrityContract;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The feature-store integrity kit on {@code file:}: flipped bytes and deleted files are reported. */
class FsFeatureStoreIntegrityContractTest extends FeatureStoreIntegrityContract {
  @TempDir Path root;
  private final AtomicInteger stores = new AtomicInteger();

  @Override
  protected ObjectStore newStore() {
    return FsObjectStore.builder().root(root.resolve("f-" + stores.incrementAndGet())).build();
  }

  @Override
  protected FeatureStore openFeatureStore(ObjectStore store, Clock clock) {
    return ObjectStoreFeatureStore.builder(store).clock(clock).build();
  }
}
