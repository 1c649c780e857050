package dev.mlops.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.pipeline.trigger.StoreRecordingLauncher;
import dev.mlops.pipeline.trigger.TriggerFleetWorker;
import dev.mlops.pipeline.trigger.TriggerOutcome;
import dev.mlops.pipeline.trigger.TriggerRecord;
import dev.mlops.pipeline.trigger.Triggers;
import dev.mlops.spi.ObjectStore;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four serving JVMs on one {@code file:} store see the same drift alarm window at the same moment
 * (released together by a start barrier file): exactly one execution starts, the other three
 * record that the window was already claimed (DUPLICATE) or that they lost the race for it
 * (LOST_RACE). Repeated for several windows ({@code -Dmlops.it.triggerWindows}, default 5).
 */
class FsTriggerFleetIT {
  private static final int WORKERS = 4;
  private static final int WINDOWS = Integer.getInteger("mlops.it.triggerWindows", 5);

  @TempDir
  Path dir;

  /** A child JVM running {@link TriggerFleetWorker}. */
  private static final class Worker {
    final Process process;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Worker(Path root, Path barrier, String instance, Path stderr) throws IOException {
      List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
          "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
          TriggerFleetWorker.class.getName(), root.toUri().toString(), "fraud", instance, Integer.toString(WINDOWS),
          barrier.toString());
      process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile())).start();
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
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void fourJvmsSeeingTheSameAlarmStartExactlyOneExecutionPerWindow() throws Exception {
    Path root = Files.createDirectories(dir.resolve("store"));
    Path barrier = Files.createDirectories(dir.resolve("barrier"));
    Path stderr = dir.resolve("workers.err");
    List<Worker> workers = new ArrayList<>();
    try (ObjectStore store = new FsObjectStoreProvider().open(root.toUri())) {
      for (int i = 0; i < WORKERS; i++) {
        workers.add(new Worker(root, barrier, "jvm-" + i, stderr));
      }
      StoreRecordingLauncher launcher = new StoreRecordingLauncher(store, "fraud");
      int lostRaces = 0;
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
        System.out.printf("window %d: %s%n", k, outcomes);
        assertThat(outcomes).filteredOn(o -> o == TriggerOutcome.FIRED).hasSize(1);
        assertThat(outcomes).filteredOn(o -> o != TriggerOutcome.FIRED)
            .hasSize(WORKERS - 1)
            .allMatch(o -> o == TriggerOutcome.DUPLICATE || o == TriggerOutcome.LOST_RACE);
        lostRaces += (int) outcomes.stream().filter(o -> o == TriggerOutcome.LOST_RACE).count();
        assertThat(launcher.started()).as("executions after window " + k).hasSize(k + 1);
      }
      for (Worker w : workers) {
        assertThat(w.process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(w.process.exitValue()).as(Files.readString(stderr)).isZero();
      }

      Triggers triggers = Triggers.builder(store).build();
      List<TriggerRecord> history = triggers.history("fraud");
      assertThat(history).hasSize(WORKERS * WINDOWS);
      assertThat(history).filteredOn(r -> r.outcome() == TriggerOutcome.FIRED).hasSize(WINDOWS)
          .extracting(TriggerRecord::executionId).doesNotHaveDuplicates();
      assertThat(history.stream().map(TriggerRecord::event).distinct()).hasSize(WINDOWS);
      assertThat(triggers.verify("fraud").ok()).isTrue();
      System.out.printf("%d windows x %d JVMs: %d executions, %d lost races, the rest duplicates%n", WINDOWS, WORKERS,
          launcher.started().size(), lostRaces);
    } finally {
      for (Worker w : workers) {
        w.process.destroyForcibly();
      }
    }
  }
}
