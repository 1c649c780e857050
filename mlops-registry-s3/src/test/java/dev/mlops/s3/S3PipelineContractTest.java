package dev.mlops.s3;

import dev.mlops.pipeline.PipelineContract;
import dev.mlops.spi.ObjectStore;

/** The pipeline contract (executions, cache, resume, callbacks) on {@code s3:}, against the S3 test server. */
class S3PipelineContractTest extends PipelineContract {
  @Override
  protected ObjectStore newStore() {
    return SharedS3Server.newStore("pipeline");
  }
}
