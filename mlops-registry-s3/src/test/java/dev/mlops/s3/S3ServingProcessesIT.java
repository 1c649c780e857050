package dev.mlops.s3;

import dev.mlops.Mlops;
import dev.mlops.serving.ServingProcessesScenario;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@link ServingProcessesScenario} on an {@code s3:} store (the S3 test server): three serving JVMs
 * follow a canary started by a fourth within refresh interval + 1 s, and one alarm rolls all back.
 */
class S3ServingProcessesIT {
  private static S3TestServer server;

  @BeforeAll
  static void start() {
    server = S3TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @TempDir
  Path dir;

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void threeServingProcessesFollowACanaryAndAllRollBackOnOneAlarm() throws Exception {
    String prefix = server.newPrefix("serving");
    try (S3Client client = server.newClient()) {
      ServingProcessesScenario.run(server.uri(prefix).toString(), server.childEnvironment(),
          () -> Mlops.open(server.uri(prefix), server.storeBuilder(client, prefix).build()), dir);
    }
  }
}
