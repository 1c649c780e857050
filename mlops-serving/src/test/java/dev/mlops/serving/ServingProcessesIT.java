package dev.mlops.serving;

import dev.mlops.Mlops;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link ServingProcessesScenario} on a {@code file:} store. */
class ServingProcessesIT {
  @TempDir
  Path dir;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void threeServingProcessesFollowACanaryStartedByAFourthAndAllRollBackOnOneAlarm() throws Exception {
    Path store = dir.resolve("store");
    Files.createDirectories(store);
    String uri = store.toUri().toString();
    ServingProcessesScenario.run(uri, Map.of(), () -> Mlops.open(uri), dir);
  }
}
