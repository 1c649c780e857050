package dev.mlops.s3;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.pipeline.PipelineCrashScenario;
import dev.mlops.spi.ObjectStore;
import dev.mlops.testkit.SharedStore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The {@link PipelineCrashScenario} on {@code s3:} (the S3 test server): child JVMs drive the
 * 20-step crash pipeline and are killed with {@code kill -9} at random moments, each kill followed
 * by two processes resuming the execution at once (at least 6 kills;
 * {@code -Dmlops.pipeline.crash.s3Kills=N} for more, {@code -Dmlops.pipeline.crash.s3Resumers=1}
 * for one resumer). Each step's outputs are committed exactly once, every run a success names has
 * ended, the final outputs equal an uninterrupted run's, {@code verify()} is clean, and no two
 * processes ever ran one step at once. {@code -Dmlops.pipeline.crash.lease=default} runs the
 * workers with every library default (30 s lease); {@code -Dmlops.pipeline.crash.maxDelayMillis}
 * (default 700) spaces the kills out.
 */
class S3PipelineCrashIT {
  private static final int KILLS = Integer.getInteger("mlops.pipeline.crash.s3Kills", 6);
  private static final int RESUMERS = Integer.getInteger("mlops.pipeline.crash.s3Resumers", 2);
  private static final String LEASE = System.getProperty("mlops.pipeline.crash.lease", "500");
  private static final long SEED = Long.getLong("mlops.pipeline.crash.seed", 11);
  private static final int MAX_DELAY = Integer.getInteger("mlops.pipeline.crash.maxDelayMillis", 700);
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
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void killedAndResumedExecutionsCommitEachStepOnceWithTheUninterruptedOutputs() throws Exception {
    String prefix = server.newPrefix("crash");
    Path cpFile = S3TestServer.classpathArgFile(dir);
    PipelineCrashScenario s = new PipelineCrashScenario(server.uri(prefix).toString(), List.of("@" + cpFile),
        server.childEnvironment(), dir).kills(KILLS).resumers(RESUMERS).lease(LEASE).seed(SEED).maxDelayMillis(MAX_DELAY).run();
    try (S3Client client = server.newClient(); ObjectStore store = server.storeBuilder(client, prefix).build();
        Workspace ws = Mlops.open(server.uri(prefix), SharedStore.of(store))) {
      s.check(ws, store);
    }
  }
}
