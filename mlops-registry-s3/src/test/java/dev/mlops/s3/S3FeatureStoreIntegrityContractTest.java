package dev.mlops.s3;

import dev.mlops.featurestore.ObjectStoreFeatureStore;
import dev.mlops.features.FeatureStore;
import dev.mlops.spi.ObjectStore;
import dev.mlops.testkit.FeatureStoreIntegrityContract;
import java.time.Clock;

/** The feature-store integrity kit on {@code s3:} (S3Proxy on 127.0.0.1). */
class S3FeatureStoreIntegrityContractTest extends FeatureStoreIntegrityContract {
  @Override
  protected ObjectStore newStore() {
    return SharedS3Server.newStore("feature-integrity");
  }

  @Override
  protected FeatureStore openFeatureStore(ObjectStore store, Clock clock) {
    return ObjectStoreFeatureStore.builder(store).clock(clock).build();
  }

  /** Every call is an HTTP round trip: fewer damaged positions per object. */
  @Override
  protected int flipPositions() {
    return 16;
  }
}
