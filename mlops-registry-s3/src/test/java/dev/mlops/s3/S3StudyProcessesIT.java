package dev.mlops.s3;

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
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four JVMs work one study of 200 trials on an {@code s3:} store (the S3 test server); two are killed (kill -9) inside
 * a trial and replaced. Every trial number is used once, every completed trial's value is stored on
 * its run, the killed workers' trials (and only they) fail after their lease, and every process sees the same best trial.
 */
class S3StudyProcessesIT {
  /** As many as the file: test; a worker reads each stored event once, and ended trials come back in segments. */
  private static final int TOTAL = Integer.getInteger("mlops.it.studyTrials", 200);
  private static final int WORKERS = 4;
  private static final long LEASE_MILLIS = 3000;
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

  /** A child JVM running {@link dev.mlops.tuning.StudyProcessWorker}. */
  private static final class Worker {
    final Process process;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Worker(String uri, Path cpFile, Path stderr) throws IOException {
      List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
          "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "@" + cpFile,
          dev.mlops.tuning.StudyProcessWorker.class.getName(), uri, "shared", Integer.toString(TOTAL), Long.toString(LEASE_MILLIS));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
      pb.environment().putAll(server.childEnvironment());
      process = pb.start();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            lines.add(line);
          }
        } catch (IOException e) {
          // killed mid-line
        }
      });
      reader.setDaemon(true);
      reader.start();
    }

    String await(String prefix) throws InterruptedException {
      while (true) {
        String line = lines.poll(3, TimeUnit.MINUTES);
        if (line == null) {
          throw new AssertionError("worker " + process.pid() + " printed no " + prefix);
        }
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    }

    void send(String line) throws IOException {
      OutputStream in = process.getOutputStream();
      in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    }
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void workersSharingAStudyThroughTheStoreSurviveAKill() throws Exception {
    String prefix = server.newPrefix("study");
    String root = server.uri(prefix).toString();
    Path cpFile = S3TestServer.classpathArgFile(dir);
    Path stderr = dir.resolve("workers.err");
    List<Worker> workers = new ArrayList<>();
    try {
      for (int i = 0; i < WORKERS; i++) {
        workers.add(new Worker(root, cpFile, stderr));
      }
      for (Worker w : workers) {
        w.await("READY");
      }
      // kill two workers, each inside a trial (after its first report), and replace each
      List<Integer> inFlight = new ArrayList<>();
      for (int k = 0; k < 2; k++) {
        Worker victim = workers.get(k);
        for (int i = 0; i < 2 + 3 * k; i++) {
          victim.await("TRIAL ");
        }
        inFlight.add(Integer.parseInt(victim.await("IN ").substring(3)));
        victim.process.destroyForcibly();
        victim.process.waitFor(30, TimeUnit.SECONDS);
        workers.add(new Worker(root, cpFile, stderr));
      }
      List<Worker> live = workers.subList(2, workers.size());
      for (Worker w : live) {
        w.await("LOOPED");
      }

      try (S3Client client = server.newClient();
          Workspace ws = Mlops.open(server.uri(prefix), server.storeBuilder(client, prefix).build())) {
        ObjectStore store = server.storeBuilder(client, prefix).build();
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
        for (Worker w : live) {
          w.send("CHECK");
          assertThat(w.await("BEST ")).isEqualTo("BEST " + best.number() + " " + best.value().orElseThrow());
          assertThat(w.process.waitFor(1, TimeUnit.MINUTES)).isTrue();
          assertThat(w.process.exitValue()).isZero();
        }
      }
    } finally {
      for (Worker w : workers) {
        w.process.destroyForcibly();
      }
    }
  }
}
