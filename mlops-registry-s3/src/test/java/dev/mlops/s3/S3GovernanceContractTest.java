package dev.mlops.s3;

import dev.mlops.governance.GovernanceContract;
import dev.mlops.spi.ObjectStore;

/** The governance contract (policies, refusals, grants, signatures) on {@code s3:}, against the S3 test server. */
class S3GovernanceContractTest extends GovernanceContract {
  @Override
  protected ObjectStore newStore() {
    return SharedS3Server.newStore("governance");
  }
}
