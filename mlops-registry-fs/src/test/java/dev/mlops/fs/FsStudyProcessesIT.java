package dev.mlops.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.RunInfo;
import dev.mlops.Workspace;
import dev.mlops.tuning.StoreStudyLog;
import dev.mlops.tuning.Study;
import dev.mlops.tuning.TpeSampler;
import dev.mlops.tuning.Trial;
import dev.mlops.tuning.TrialRecord;
import dev.mlops.tuning.TrialState;
import dev.mlops.spi.ObjectStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four JVMs work one study of 200 trials on a {@code file:} store; two are killed (kill -9) inside
 * a trial and replaced. Every trial number is used once, every completed trial's value is stored on
 * its run, the killed workers' trials (and only they) fail after their lease, and every process sees the same best trial.
 */
class FsStudyProcessesIT {
  private static final int TOTAL = 200;
  private static final int WORKERS = 4;
  /**
   * Short enough to keep the test short, long enough that a live worker's heartbeat (a third of
   * it) is not missed when an fsync stalls on a loaded machine: at 1.5 s a live worker's trial was
   * once expired in CI (the library default is 10 minutes).
   */
  private static final long LEASE_MILLIS = 4000;

  @TempDir
  Path dir;

  /** A child JVM running {@link dev.mlops.tuning.StudyProcessWorker}. */
  private static ChildJvm worker(Path root, Path stderr) throws IOException {
    return ChildJvm.start(dev.mlops.tuning.StudyProcessWorker.class, "128m", stderr, root.toUri().toString(), "shared",
        Integer.toString(TOTAL), Long.toString(LEASE_MILLIS));
  }

  private static String await(ChildJvm w, String prefix) throws InterruptedException {
    return w.awaitPrefix(prefix, 3, TimeUnit.MINUTES);
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void workersSharingAStudyThroughTheStoreSurviveAKill() throws Exception {
    Path root = dir.resolve("store");
    java.nio.file.Files.createDirectories(root);
    Path stderr = dir.resolve("workers.err");
    List<ChildJvm> workers = new ArrayList<>();
    try {
      for (int i = 0; i < WORKERS; i++) {
        workers.add(worker(root, stderr));
      }
      for (ChildJvm w : workers) {
        await(w, "READY");
      }
      // kill two workers, each inside a trial (after its first report), and replace each
      List<Integer> inFlight = new ArrayList<>();
      for (int k = 0; k < 2; k++) {
        ChildJvm victim = workers.get(k);
        for (int i = 0; i < 3 + 5 * k; i++) {
          await(victim, "TRIAL ");
        }
        inFlight.add(Integer.parseInt(await(victim, "IN ").substring(3)));
        victim.kill();
        workers.add(worker(root, stderr));
      }
      List<ChildJvm> live = workers.subList(2, workers.size());
      for (ChildJvm w : live) {
        await(w, "LOOPED");
      }

      ObjectStore store = new FsObjectStoreProvider().open(root.toUri());
      try (Workspace ws = Mlops.open(root.toUri(), store)) {
        Study view = Study.builder(ws, "shared").log(StoreStudyLog.open(store, "shared"))
            .lease(Duration.ofMillis(LEASE_MILLIS)).build();
        // the killed worker's trial, if still RUNNING, fails once its lease is over
        Thread.sleep(LEASE_MILLIS + 200);
        view.expireStaleTrials();
        List<TrialRecord> trials = view.trials();
        assertThat(trials.size()).isBetween(TOTAL, TOTAL + live.size() - 1);
        assertThat(trials).extracting(TrialRecord::number)
            .containsExactlyElementsOf(IntStream.range(0, trials.size()).boxed().toList());
        List<TrialRecord> failed = trials.stream().filter(t -> t.state() != TrialState.COMPLETE).toList();
        System.out.printf("%d trials, %d failed by lease: %s%n", trials.size(), failed.size(), failed);
        assertThat(failed).extracting(TrialRecord::number).containsExactlyInAnyOrderElementsOf(inFlight);
        for (TrialRecord f : failed) {
          assertThat(f.state()).isEqualTo(TrialState.FAILED);
          assertThat(f.reason().orElseThrow()).contains("lease expired");
          assertThat(ws.experiments().getRun(f.run()).status()).isEqualTo(dev.mlops.RunStatus.FAILED);
        }
        for (TrialRecord t : trials) {
          if (t.state() == TrialState.COMPLETE) {
            RunInfo run = ws.experiments().getRun(t.run());
            assertThat(run.latestMetrics().get(Study.VALUE_METRIC)).isEqualTo(t.value().orElseThrow());
          }
        }
        TrialRecord best = view.bestTrial().orElseThrow();
        for (ChildJvm w : live) {
          w.send("CHECK");
          assertThat(await(w, "BEST ")).isEqualTo("BEST " + best.number() + " " + best.value().orElseThrow());
          assertThat(w.waitFor(1, TimeUnit.MINUTES)).isZero();
        }
      }
    } finally {
      for (ChildJvm w : workers) {
        w.close();
      }
    }
  }
}
