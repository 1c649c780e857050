package dev.mlops.s3;

import dev.mlops.spi.ObjectStore;
import dev.mlops.testkit.WorkspaceContract;

/** The workspace compatibility kit (registry, artifacts, experiments) on {@code s3:}. */
class S3WorkspaceContractTest extends WorkspaceContract {
  @Override
  protected ObjectStore newStore() {
    return SharedS3Server.newStore("ws");
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
