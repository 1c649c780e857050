package dev.mlops.s3;

import dev.mlops.pipeline.trigger.TriggerContract;
import dev.mlops.spi.ObjectStore;

/** The retrain-trigger contract (de-duplication and history through the store) on {@code s3:}, against the S3 test server. */
class S3TriggerContractTest extends TriggerContract {
  @Override
  protected ObjectStore newStore() {
    return SharedS3Server.newStore("triggers");
  }
}
