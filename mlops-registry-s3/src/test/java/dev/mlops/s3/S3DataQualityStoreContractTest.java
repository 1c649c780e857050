package dev.mlops.s3;

import dev.mlops.data.DataQualityStoreContract;
import dev.mlops.spi.ObjectStore;

/** The data-quality store contract on {@code s3:}, against the S3 test server. */
class S3DataQualityStoreContractTest extends DataQualityStoreContract {
  @Override
  protected ObjectStore newStore() {
    return SharedS3Server.newStore("data-quality");
  }
}
