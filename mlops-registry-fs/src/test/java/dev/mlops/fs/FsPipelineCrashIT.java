package dev.mlops.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.core.MemObjectStore;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.pipeline.ExecutionResult;
import dev.mlops.pipeline.ExecutionStatus;
import dev.mlops.pipeline.Pipeline;
import dev.mlops.pipeline.PipelineProcessWorker;
import dev.mlops.pipeline.Pipelines;
import dev.mlops.pipeline.StepResult;
import dev.mlops.spi.ObjectStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 20-step pipeline whose steps each commit an artifact, driven by child JVMs that are killed
 * with {@code kill -9} at random moments (at least 20 kills; {@code -Dmlops.pipeline.crash.kills=N}
 * for more) and each time resumed by a new process. For every execution: each step's outputs are
 * committed exactly once (counted in the raw log), the final outputs equal those of an
 * uninterrupted run, and {@code verify()} is clean.
 */
class FsPipelineCrashIT {
  private static final long LEASE_MILLIS = 500;
  private static final long STEP_MILLIS = 60;
  private static final int KILLS = Integer.getInteger("mlops.pipeline.crash.kills", 20);

  @TempDir
  Path dir;

  /** A child JVM running {@link PipelineProcessWorker}. */
  private static final class Worker {
    final Process process;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Worker(Path root, Path stderr, String... args) throws IOException {
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp",
          System.getProperty("java.class.path"), PipelineProcessWorker.class.getName(), root.toUri().toString()));
      cmd.addAll(List.of(args));
      cmd.add(Long.toString(LEASE_MILLIS));
      cmd.add(Long.toString(STEP_MILLIS));
      process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile())).start();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            lines.add(line);
          }
        } catch (IOException e) {
          // killed mid-line
        } finally {
          lines.add("EOF");
        }
      });
      reader.setDaemon(true);
      reader.start();
    }

    String await(String... prefixes) throws InterruptedException {
      while (true) {
        String line = lines.poll(2, TimeUnit.MINUTES);
        if (line == null) {
          throw new AssertionError("worker " + process.pid() + " printed none of " + List.of(prefixes));
        }
        for (String p : prefixes) {
          if (line.startsWith(p)) {
            return line;
          }
        }
      }
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void killedAndResumedExecutionsCommitEachStepOnceWithTheUninterruptedOutputs() throws Exception {
    Path root = dir.resolve("store");
    Files.createDirectories(root);
    Path stderr = dir.resolve("workers.err");
    Random random = new Random(Long.getLong("mlops.pipeline.crash.seed", 11));
    int kills = 0;
    int round = 0;
    long t0 = System.nanoTime();
    List<String> executions = new ArrayList<>();
    while (kills < KILLS) {
      round++;
      Worker w = new Worker(root, stderr, "start", Integer.toString(round));
      String id = w.await("STARTED ").substring("STARTED ".length());
      executions.add(id);
      w.await("READY");
      while (true) {
        // a random moment while the worker drives the execution (or starts up)
        Thread.sleep(random.nextInt(700));
        if (!w.process.isAlive()) {
          break;
        }
        w.process.destroyForcibly(); // SIGKILL
        w.process.waitFor(30, TimeUnit.SECONDS);
        kills++;
        w = new Worker(root, stderr, "resume", id);
        String line = w.await("READY", "FINISHED", "EOF");
        if (!line.equals("READY")) {
          // FINISHED: the kill came after the execution's 'finished' entry; this worker exits
          // without printing DONE, so wait for it rather than expect DONE from it below
          assertThat(w.process.waitFor(1, TimeUnit.MINUTES)).isTrue();
          break;
        }
        if (kills >= KILLS && round > 0) {
          break; // enough kills: let this one finish
        }
      }
      if (w.process.isAlive()) {
        String done = w.await("DONE ", "EOF");
        assertThat(done).as(() -> "the worker's last line; workers' stderr:\n" + readQuietly(stderr))
            .isEqualTo("DONE SUCCEEDED");
        assertThat(w.process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(w.process.exitValue()).isZero();
      }
    }
    System.out.printf("%d kills over %d executions in %.1f s%n", kills, executions.size(), (System.nanoTime() - t0) / 1e9);
    assertThat(kills).isGreaterThanOrEqualTo(KILLS);

    ObjectStore store = new FsObjectStoreProvider().open(root.toUri());
    try (Workspace ws = Mlops.open(root.toUri(), store); Pipelines view = Pipelines.on(ws)) {
      for (int i = 0; i < executions.size(); i++) {
        String id = executions.get(i);
        ExecutionResult r = view.status("crash20", id);
        assertThat(r.status()).as(id).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(view.verify("crash20", id).ok()).as(view.verify("crash20", id).toString()).isTrue();
        assertThat(commitsPerStep(store, id)).as("commits per step of " + id)
            .isEqualTo(expectedOnce());
        System.out.printf("execution %s: %d log entries, %d step claims taken over after a lease expired%n", id,
            store.listAll("pipelines/crash20/executions/" + id + "/log/").count(), takeovers(store, id));
        Map<String, String> outputs = outputs(r);
        assertThat(outputs).isEqualTo(uninterrupted(r.parameters().get("round")));
        for (String digest : outputs.values()) {
          assertThat(ws.artifacts().find(dev.mlops.Digest.parse(digest))).isPresent();
        }
      }
      assertThat(view.runningExecutions("crash20")).isZero();
    }
  }

  private static String readQuietly(Path file) {
    try {
      String all = Files.readString(file);
      return all.length() > 20_000 ? all.substring(all.length() - 20_000) : all;
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private static Map<String, Integer> expectedOnce() {
    Map<String, Integer> m = new TreeMap<>();
    for (int i = 0; i < PipelineProcessWorker.STEPS; i++) {
      m.put(PipelineProcessWorker.name(i), 1);
    }
    return m;
  }

  /** Counts 'succeeded' entries per step in the raw stored log, without the fold. */
  private static Map<String, Integer> commitsPerStep(ObjectStore store, String id) {
    Map<String, Integer> m = new TreeMap<>();
    String prefix = "pipelines/crash20/executions/" + id + "/log/";
    store.listAll(prefix).forEach(k -> {
      HashChainedLog.Entry e = HashChainedLog.parse(k, store.get(k).orElseThrow());
      if (e.body().path("type").asText().equals("succeeded")) {
        m.merge(e.body().path("step").asText(), 1, Integer::sum);
      }
    });
    return m;
  }

  private static long takeovers(ObjectStore store, String id) {
    return store.listAll("pipelines/crash20/executions/" + id + "/log/")
        .map(k -> HashChainedLog.parse(k, store.get(k).orElseThrow()))
        .filter(e -> e.body().has("takeover")).count();
  }

  private static Map<String, String> outputs(ExecutionResult r) {
    Map<String, String> m = new TreeMap<>();
    for (StepResult s : r.steps().values()) {
      m.put(s.step(), s.output("out").value());
    }
    return m;
  }

  /** The same round run without interruption, in this JVM, on a fresh mem: store. */
  private static Map<String, String> uninterrupted(String round) {
    try (Workspace ws = Mlops.open(URI.create("mem:reference"), new MemObjectStore()); Pipelines p = Pipelines.on(ws)) {
      Pipeline pipeline = PipelineProcessWorker.pipeline(0);
      ExecutionResult r = p.run(pipeline, Map.of("round", round));
      assertThat(r.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      return outputs(r);
    }
  }
}
