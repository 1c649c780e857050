package dev.mlops.s3;

import dev.mlops.pipeline.PipelineTamperContract;
import dev.mlops.spi.ObjectStore;

/** The pipeline tamper contract (untrusted log entries, cache records and index markers) on {@code s3:}. */
class S3PipelineTamperContractTest extends PipelineTamperContract {
  @Override
  protected ObjectStore newStore() {
    return SharedS3Server.newStore("tamper");
  }
}
