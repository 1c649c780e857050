package dev.mlops.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.pipeline.ExecutionStatus;
import dev.mlops.pipeline.Pipelines;
import dev.mlops.pipeline.trigger.FleetChecks;
import dev.mlops.pipeline.trigger.TriggerFleetWorker;
import dev.mlops.pipeline.trigger.TriggerOutcome;
import dev.mlops.pipeline.trigger.TriggerRecord;
import dev.mlops.pipeline.trigger.Triggers;
import dev.mlops.spi.ObjectStore;
import dev.mlops.testkit.SharedStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four serving JVMs on one {@code file:} store see the same drift alarm window at the same moment
 * (released together by a start barrier file) and launch the real pipeline through the engine
 * ({@code Pipelines.launcher}): exactly one execution starts and completes, the other three
 * record that the window was already claimed (DUPLICATE) or that they lost the race for it
 * (LOST_RACE). Repeated for several windows ({@code -Dmlops.it.triggerWindows}, default 5);
 * {@code -Dmlops.it.fleetJvms} sets the number of JVMs (default 4), {@code -Dmlops.it.triggerPolicy=defaults}
 * runs them with {@code TriggerPolicy.defaults()} instead of the tuned policy (see {@link TriggerFleetWorker}).
 * A second test skews the JVMs' clocks and buckets their alarms ({@code -Dmlops.it.fleetSkewMillis}).
 */
class FsTriggerFleetIT {
  private static final int WORKERS = Integer.getInteger("mlops.it.fleetJvms", 4);
  private static final int WINDOWS = Integer.getInteger("mlops.it.triggerWindows", 5);
  /** {@code tuned} (a cap of 1000: only the claim de-duplicates) or {@code defaults} (TriggerPolicy.defaults()). */
  private static final String POLICY = System.getProperty("mlops.it.triggerPolicy", "tuned");

  @TempDir
  Path dir;

  /** Skew spread of the second test: the workers' clocks run from -1.5 s to +1.5 s off the system clock. */
  private static final long SKEW_SPREAD_MILLIS = Long.getLong("mlops.it.fleetSkewMillis", 3_000);
  /** The alarms' tolerance in the second test; 0 shows the bound (two executions per alarm). */
  private static final long TOLERANCE_MILLIS = Long.getLong("mlops.it.fleetToleranceMillis", SKEW_SPREAD_MILLIS);

  /** A child JVM running {@link TriggerFleetWorker}; skew and tolerance null for unskewed time windows. */
  private static ChildJvm worker(Path root, Path barrier, String instance, Path stderr, int windows, Long skewMillis,
      Long toleranceMillis) throws IOException {
    List<String> args = new ArrayList<>(List.of(root.toUri().toString(), "fraud", instance, Integer.toString(windows),
        barrier.toString(), POLICY));
    if (skewMillis != null) {
      args.add(Long.toString(skewMillis));
      args.add(Long.toString(toleranceMillis));
    }
    return ChildJvm.start(TriggerFleetWorker.class, "128m", stderr, args.toArray(String[]::new));
  }

  private static String await(ChildJvm w, String prefix) throws InterruptedException {
    return w.awaitPrefix(prefix, 2, TimeUnit.MINUTES);
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void fourJvmsSeeingTheSameAlarmStartExactlyOneExecutionPerWindow() throws Exception {
    fleet(WINDOWS, false);
  }

  /**
   * The same fleet with skewed clocks ({@code -Dmlops.it.fleetSkewMillis}, default a 3 s spread)
   * and count-window alarms bucketed by the hour with a tolerance of the spread: each alarm's ends
   * straddle the hour boundary across the fleet, and still exactly one execution starts.
   */
  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void jvmsWithSkewedClocksWhoseAlarmsStraddleABucketBoundaryStartExactlyOneExecutionPerAlarm() throws Exception {
    fleet(Math.min(WINDOWS, 3), true);
  }

  private void fleet(int windows, boolean skewed) throws Exception {
    Path root = Files.createDirectories(dir.resolve("store"));
    Path barrier = Files.createDirectories(dir.resolve("barrier"));
    Path stderr = dir.resolve("workers.err");
    List<ChildJvm> workers = new ArrayList<>();
    long t0 = System.nanoTime();
    try (ObjectStore store = new FsObjectStoreProvider().open(root.toUri());
        Workspace ws = Mlops.open(root.toUri(), SharedStore.of(store));
        Pipelines pipelines = Pipelines.on(ws)) {
      for (int i = 0; i < WORKERS; i++) {
        Long skew = skewed ? -SKEW_SPREAD_MILLIS / 2 + i * SKEW_SPREAD_MILLIS / Math.max(1, WORKERS - 1) : null;
        workers.add(worker(root, barrier, "jvm-" + i, stderr, windows, skew, skewed ? TOLERANCE_MILLIS : null));
      }
      int lostRaces = 0;
      for (int k = 0; k < windows; k++) {
        for (ChildJvm w : workers) {
          assertThat(await(w, "READY ")).isEqualTo("READY " + k);
        }
        Files.createFile(barrier.resolve("go-" + k));
        List<TriggerOutcome> outcomes = new ArrayList<>();
        for (ChildJvm w : workers) {
          String line = await(w, "RESULT ");
          assertThat(line).startsWith("RESULT " + k + " ");
          outcomes.add(TriggerOutcome.valueOf(line.substring(("RESULT " + k + " ").length())));
        }
        System.out.printf("window %d at %d ms: %s%n", k, (System.nanoTime() - t0) / 1_000_000, outcomes);
        assertThat(outcomes).filteredOn(o -> o == TriggerOutcome.FIRED).hasSize(1);
        assertThat(outcomes).filteredOn(o -> o != TriggerOutcome.FIRED)
            .hasSize(WORKERS - 1)
            .allMatch(o -> o == TriggerOutcome.DUPLICATE || o == TriggerOutcome.LOST_RACE);
        lostRaces += (int) outcomes.stream().filter(o -> o == TriggerOutcome.LOST_RACE).count();
        // the worker that fired drove its execution to the end before printing its RESULT
        List<String> executions = pipelines.executions("fraud");
        assertThat(executions).as("executions after window " + k).hasSize(k + 1);
        assertThat(executions).allSatisfy(id ->
            assertThat(pipelines.status("fraud", id).status()).isEqualTo(ExecutionStatus.SUCCEEDED));
      }
      for (ChildJvm w : workers) {
        assertThat(w.waitFor(1, TimeUnit.MINUTES)).as(Files.readString(stderr)).isZero();
      }

      Triggers triggers = Triggers.builder(store).build();
      List<TriggerRecord> history = triggers.history("fraud");
      assertThat(history).hasSize(WORKERS * windows);
      assertThat(history).filteredOn(r -> r.outcome() == TriggerOutcome.FIRED).hasSize(windows)
          .extracting(TriggerRecord::executionId).doesNotHaveDuplicates();
      if (!skewed) {
        assertThat(history.stream().map(TriggerRecord::event).distinct()).hasSize(windows);
      }
      assertThat(triggers.verify("fraud").ok()).isTrue();
      FleetChecks.eachFiringStartedOneCompletedExecution(ws, pipelines, history, windows);
      System.out.printf("%d windows x %d JVMs: %d executions, %d lost races, the rest duplicates; %d ms%n", windows,
          WORKERS, pipelines.executions("fraud").size(), lostRaces, (System.nanoTime() - t0) / 1_000_000);
    } finally {
      for (ChildJvm w : workers) {
        w.close();
      }
    }
  }
}
