package dev.mlops.s3;

import dev.mlops.featurestore.ObjectStoreFeatureStore;
import dev.mlops.features.FeatureStore;
import dev.mlops.spi.ObjectStore;
import dev.mlops.testkit.FeatureStoreContract;
import java.time.Clock;

/** The feature-store compatibility kit on {@code s3:} (S3Proxy on 127.0.0.1). */
class S3FeatureStoreContractTest extends FeatureStoreContract {
  @Override
  protected ObjectStore newStore() {
    return SharedS3Server.newStore("features");
  }

  @Override
  protected FeatureStore openFeatureStore(ObjectStore store, Clock clock) {
    return ObjectStoreFeatureStore.builder(store).clock(clock).build();
  }

  /** Every call is an HTTP round trip: a quarter of the volume, minimum sizes kept by the kit. */
  @Override
  protected double scale() {
    return 0.25;
  }
}
