package dev.mlops.featurestore;

import dev.mlops.core.MemObjectStore;
import dev.mlops.features.FeatureStore;
import dev.mlops.spi.ObjectStore;
import dev.mlops.testkit.FeatureStoreContract;
import java.time.Clock;

/** Runs the feature-store compatibility kit on the {@code mem:} reference backend. */
class MemFeatureStoreContractTest extends FeatureStoreContract {
  @Override
  protected ObjectStore newStore() {
    return new MemObjectStore();
  }

  @Override
  protected FeatureStore openFeatureStore(ObjectStore store, Clock clock) {
    return ObjectStoreFeatureStore.builder(store).clock(clock).build();
  }
}
