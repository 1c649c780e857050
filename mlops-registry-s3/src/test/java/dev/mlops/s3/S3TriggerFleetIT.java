package dev.mlops.s3;

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
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Four serving JVMs on one {@code s3:} store (the S3 test server) see the same drift alarm window
 * at the same moment, released together by a start barrier file, and launch the real pipeline
 * through the engine ({@code Pipelines.launcher}): exactly one execution starts and completes, the
 * other three record DUPLICATE or LOST_RACE. Repeated for several windows
 * ({@code -Dmlops.it.triggerWindows}, default 3); {@code -Dmlops.it.fleetJvms} sets the number of
 * JVMs (default 4), {@code -Dmlops.it.triggerPolicy=defaults} runs them with
 * {@code TriggerPolicy.defaults()} instead of the tuned policy (see {@link TriggerFleetWorker}).
 */
class S3TriggerFleetIT {
  private static final int WORKERS = Integer.getInteger("mlops.it.fleetJvms", 4);
  private static final int WINDOWS = Integer.getInteger("mlops.it.triggerWindows", 3);
  /** {@code tuned} (a cap of 1000: only the claim de-duplicates) or {@code defaults} (TriggerPolicy.defaults()). */
  /**
   * With {@code -Dmlops.it.fleetSkewMillis=S} (S &gt; 0) the JVMs' clocks spread over S around the
   * system clock and their alarms are bucketed by the hour with tolerance S (see
   * {@link TriggerFleetWorker}); 0, the default, runs the unskewed time-window fleet.
   */
  private static final long SKEW_SPREAD_MILLIS = Long.getLong("mlops.it.fleetSkewMillis", 0);
  private static final String POLICY = System.getProperty("mlops.it.triggerPolicy", "tuned");
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

  /** A child JVM running {@link TriggerFleetWorker}. */
  private static final class Worker {
    final Process process;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Worker(String uri, Path cpFile, Path barrier, String instance, Path stderr, Long skewMillis) throws IOException {
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "@" + cpFile, TriggerFleetWorker.class.getName(),
          uri, "fraud", instance, Integer.toString(WINDOWS), barrier.toString(), POLICY));
      if (skewMillis != null) {
        cmd.add(Long.toString(skewMillis));
        cmd.add(Long.toString(SKEW_SPREAD_MILLIS));
      }
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
      pb.environment().putAll(server.childEnvironment());
      process = pb.start();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            lines.add(line);
          }
        } catch (IOException e) {
          // the process ended
        }
      });
      reader.setDaemon(true);
      reader.start();
    }

    String await(String prefix, Path stderr) throws InterruptedException, IOException {
      while (true) {
        String line = lines.poll(2, TimeUnit.MINUTES);
        if (line == null) {
          throw new AssertionError("worker " + process.pid() + " printed no " + prefix + "; stderr:\n"
              + Files.readString(stderr));
        }
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void fourJvmsSeeingTheSameAlarmStartExactlyOneExecutionPerWindow() throws Exception {
    String prefix = server.newPrefix("triggers");
    String uri = server.uri(prefix).toString();
    Path cpFile = S3TestServer.classpathArgFile(dir);
    Path barrier = Files.createDirectories(dir.resolve("barrier"));
    Path stderr = dir.resolve("workers.err");
    List<Worker> workers = new ArrayList<>();
    try (S3Client client = server.newClient(); ObjectStore store = server.storeBuilder(client, prefix).build();
        Workspace ws = Mlops.open(server.uri(prefix), SharedStore.of(store));
        Pipelines pipelines = Pipelines.on(ws)) {
      for (int i = 0; i < WORKERS; i++) {
        Long skew = SKEW_SPREAD_MILLIS > 0 ? -SKEW_SPREAD_MILLIS / 2 + i * SKEW_SPREAD_MILLIS / Math.max(1, WORKERS - 1) : null;
        workers.add(new Worker(uri, cpFile, barrier, "jvm-" + i, stderr, skew));
      }
      long t0 = System.nanoTime();
      for (int k = 0; k < WINDOWS; k++) {
        for (Worker w : workers) {
          assertThat(w.await("READY ", stderr)).isEqualTo("READY " + k);
        }
        Files.createFile(barrier.resolve("go-" + k));
        List<TriggerOutcome> outcomes = new ArrayList<>();
        for (Worker w : workers) {
          String line = w.await("RESULT ", stderr);
          assertThat(line).startsWith("RESULT " + k + " ");
          outcomes.add(TriggerOutcome.valueOf(line.substring(("RESULT " + k + " ").length())));
        }
        System.out.printf("window %d at %d ms: %s%n", k, (System.nanoTime() - t0) / 1_000_000, outcomes);
        assertThat(outcomes).filteredOn(o -> o == TriggerOutcome.FIRED).hasSize(1);
        assertThat(outcomes).filteredOn(o -> o != TriggerOutcome.FIRED).hasSize(WORKERS - 1)
            .allMatch(o -> o == TriggerOutcome.DUPLICATE || o == TriggerOutcome.LOST_RACE);
        // the worker that fired drove its execution to the end before printing its RESULT
        List<String> executions = pipelines.executions("fraud");
        assertThat(executions).as("executions after window " + k).hasSize(k + 1);
        assertThat(executions).allSatisfy(id ->
            assertThat(pipelines.status("fraud", id).status()).isEqualTo(ExecutionStatus.SUCCEEDED));
      }
      for (Worker w : workers) {
        assertThat(w.process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(w.process.exitValue()).as(Files.readString(stderr)).isZero();
      }
      Triggers triggers = Triggers.builder(store).build();
      List<TriggerRecord> history = triggers.history("fraud");
      assertThat(history).hasSize(WORKERS * WINDOWS);
      assertThat(history).filteredOn(r -> r.outcome() == TriggerOutcome.FIRED).hasSize(WINDOWS);
      assertThat(triggers.verify("fraud").ok()).isTrue();
      FleetChecks.eachFiringStartedOneCompletedExecution(ws, pipelines, history, WINDOWS);
      System.out.printf("%d windows x %d JVMs: %d executions; %d ms%n", WINDOWS, WORKERS,
          pipelines.executions("fraud").size(), (System.nanoTime() - t0) / 1_000_000);
    } finally {
      for (Worker w : workers) {
        w.process.destroyForcibly();
      }
    }
  }
}
