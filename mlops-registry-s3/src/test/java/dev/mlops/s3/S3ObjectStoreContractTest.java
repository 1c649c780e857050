package dev.mlops.s3;

import dev.mlops.spi.ObjectStore;
import dev.mlops.testkit.ObjectStoreContract;

/** The object-store compatibility kit on {@code s3:}, against S3Proxy 4 (or the server the environment names). */
class S3ObjectStoreContractTest extends ObjectStoreContract {
  @Override
  protected ObjectStore newStore() {
    return SharedS3Server.newStore("kit");
  }

  @Override
  protected ObjectStore openAgain(ObjectStore store) {
    return SharedS3Server.openAgain((S3ObjectStore) store);
  }

  /** Every call is an HTTP round trip: a quarter of the volume, minimum sizes kept by the kit. */
  @Override
  protected double scale() {
    return 0.25;
  }
}
