package dev.mlops.fs;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.pipeline.PipelineCrashScenario;
import dev.mlops.spi.ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link PipelineCrashScenario} on {@code file:}: a 20-step pipeline whose steps each commit an
 * artifact, driven by child JVMs killed with {@code kill -9} at random moments (also while they
 * start up and resume) and resumed by new processes — one after each kill (at least 20 kills,
 * {@code -Dmlops.pipeline.crash.kills=N}), or two at once that drive the execution together (at
 * least 8 kills, {@code -Dmlops.pipeline.crash.concurrentKills=N}). Each step's outputs are
 * committed exactly once, every run a success names has ended, the final outputs equal those of
 * an uninterrupted run, {@code verify()} is clean, and no two processes ever ran one step at once.
 * A third scenario drives {@code crashmix} (a task, a map step over its 8 items, a task, a callback
 * step whose token another process completes whenever it shows up, a task;
 * two resumers, at least 6 kills, {@code -Dmlops.pipeline.crash.mapKills=N}), so kills land while
 * the fan-out is partly done.
 * {@code -Dmlops.pipeline.crash.lease=default} runs the workers with every library default (a
 * 30 s lease: slow, for a local run) instead of a 500 ms lease and a 20 ms poll;
 * {@code -Dmlops.pipeline.crash.seed} moves the kill moments and
 * {@code -Dmlops.pipeline.crash.maxDelayMillis} (default 700) spaces them out.
 */
class FsPipelineCrashIT {
  private static final int KILLS = Integer.getInteger("mlops.pipeline.crash.kills", 20);
  private static final int CONCURRENT_KILLS = Integer.getInteger("mlops.pipeline.crash.concurrentKills", 8);
  private static final String LEASE = System.getProperty("mlops.pipeline.crash.lease", "500");
  private static final long SEED = Long.getLong("mlops.pipeline.crash.seed", 11);
  private static final int MAX_DELAY = Integer.getInteger("mlops.pipeline.crash.maxDelayMillis", 700);

  @TempDir
  Path dir;

  private static final int MAP_KILLS = Integer.getInteger("mlops.pipeline.crash.mapKills", 6);

  private void scenario(int kills, int resumers) throws Exception {
    scenario("crash20", kills, resumers);
  }

  private void scenario(String pipeline, int kills, int resumers) throws Exception {
    Path root = Files.createDirectories(dir.resolve("store"));
    PipelineCrashScenario s = new PipelineCrashScenario(root.toUri().toString(),
        List.of("-cp", System.getProperty("java.class.path")), Map.of(), dir)
        .pipeline(pipeline).kills(kills).resumers(resumers).lease(LEASE).seed(SEED).maxDelayMillis(MAX_DELAY).run();
    ObjectStore store = new FsObjectStoreProvider().open(root.toUri());
    try (Workspace ws = Mlops.open(root.toUri(), store)) {
      s.check(ws, store);
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void killedAndResumedExecutionsCommitEachStepOnceWithTheUninterruptedOutputs() throws Exception {
    scenario(KILLS, 1);
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void twoProcessesResumingAfterEachKillNeverRunOneStepAtOnce() throws Exception {
    scenario(CONCURRENT_KILLS, 2);
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void killsWhileAMapStepIsHalfDoneLeaveEachItemCommittedOnce() throws Exception {
    scenario("crashmix", MAP_KILLS, 2);
  }
}
