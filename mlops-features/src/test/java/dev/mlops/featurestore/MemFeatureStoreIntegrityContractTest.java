package dev.mlops.featurestore;

import dev.mlops.core.MemObjectStore;
import dev.mlops.features.FeatureStore;
import dev.mlops.spi.ObjectStore;
import dev.mlops.testkit.FeatureStoreIntegrityContract;
import java.time.Clock;

/** The feature-store integrity kit on the {@code mem:} reference backend. */
class MemFeatureStoreIntegrityContractTest extends FeatureStoreIntegrityContract {
  @Override
  protected ObjectStore newStore() {
    return new MemObjectStore();
  }

  @Override
  protected FeatureStore openFeatureStore(ObjectStore store, Clock clock) {
    return ObjectStoreFeatureStore.builder(store).clock(clock).build();
  }
}
