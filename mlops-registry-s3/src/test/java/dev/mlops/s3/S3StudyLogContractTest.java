package dev.mlops.s3;

import dev.mlops.spi.ObjectStore;
import dev.mlops.tuning.StudyLogContract;

/** The study contract (trials shared through the store) on {@code s3:}, against the S3 test server. */
class S3StudyLogContractTest extends StudyLogContract {
  @Override
  protected ObjectStore newStore() {
    return SharedS3Server.newStore("study");
  }
}
