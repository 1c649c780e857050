package dev.mlops.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Digest;
import dev.mlops.Mlops;
import dev.mlops.ModelVersion;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;
import dev.mlops.governance.GarbageCollector;
import dev.mlops.governance.GcReport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The {@code s3:} version of {@code FsGcProcessesIT}: garbage collection in a loop while 4 writer
 * JVMs ({@link S3GcWriterWorker}) upload and register on one {@code s3:} store (the S3 test server)
 * and are killed with {@code kill -9} at random (and replaced). After every pass, every artifact of
 * every registered version must still be stored; at the end, once the writers are gone and the
 * grace period has passed, the store must hold exactly the referenced blobs. The loop runs 10 s and at least 4 passes,
 * with writers paced to about 4 uploads a second each (a pass on S3 costs a request per unreferenced
 * blob, so unpaced writers outgrow the collector on a loaded machine);
 * {@code -Dmlops.it.gcSeconds=N} runs longer.
 */
class S3GcProcessesIT {
  private static final Duration GRACE = Duration.ofSeconds(2);
  /** Passes while the writers run, however slow the machine: the first only starts the clocks. */
  private static final int MIN_PASSES = 4;
  /** Referenced artifacts the writers must have made before the run stops. */
  private static final int MIN_REFERENCED = 20;
  /** Each writer pauses this long after each upload: a GC pass on S3 costs a request per blob. */
  private static final long WRITER_PAUSE_MS = Long.getLong("mlops.it.gcWriterPauseMs", 250);
  private static S3TestServer server;

  @BeforeAll
  static void start() {
    server = S3TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Starts a writer without waiting for it (a JVM with the AWS SDK takes seconds to start here). */
  private static Process spawn(String uri, Path cpFile, int id, long seed, Path stderr) throws Exception {
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "@" + cpFile,
        S3GcWriterWorker.class.getName(), uri, Integer.toString(id), Long.toString(seed), Long.toString(WRITER_PAUSE_MS));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
    pb.environment().putAll(server.childEnvironment());
    return pb.start();
  }

  private static void awaitReady(Process p, int id, Path stderr) throws Exception {
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    assertThat(r.readLine()).as("worker %d started; stderr in %s", id, stderr).isEqualTo("READY");
  }

  private static Set<Digest> referenced(Workspace fresh) {
    Set<Digest> out = new HashSet<>();
    for (String m : fresh.registry().models()) {
      for (ModelVersion v : fresh.registry().versions(m)) {
        v.artifacts().values().forEach(a -> out.add(a.digest()));
      }
    }
    return out;
  }

  /** A new read-only workspace: nothing cached from earlier checks. */
  private static Set<Digest> referenced(S3Client client, String prefix) {
    try (Workspace fresh = Mlops.open(server.uri(prefix), server.storeBuilder(client, prefix).build(),
        WorkspaceOptions.builder().actor("checker").readOnly(true).build())) {
      return referenced(fresh);
    }
  }

  /** Blobs as the store lists them. */
  private static Set<Digest> stored(S3Client client, String prefix) {
    Set<Digest> out = new HashSet<>();
    try (S3ObjectStore store = server.storeBuilder(client, prefix).build()) {
      String blobs = "artifacts/sha256/";
      store.listAll(blobs).map(k -> k.substring(blobs.length())).filter(k -> k.length() == 65)
          .forEach(k -> out.add(Digest.parse(k.substring(0, 2) + k.substring(3))));
    }
    return out;
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void gcNeverDeletesAReferencedArtifactWhileWritersAreKilledAndDeletesEveryOldOrphan(@TempDir Path dir) throws Exception {
    String prefix = server.newPrefix("gc");
    String uri = server.uri(prefix).toString();
    Path cpFile = S3TestServer.classpathArgFile(dir);
    long seconds = Long.getLong("mlops.it.gcSeconds", 10);
    Random rnd = new Random(15);
    Process[] workers = new Process[4];
    int spawned = 0;
    int passes = 0;
    int kills = 0;
    long deletedDuring = 0;
    long started = System.nanoTime();
    try (S3Client client = server.newClient()) {
      try {
        for (int i = 0; i < workers.length; i++) {
          workers[i] = spawn(uri, cpFile, i, spawned++, dir.resolve("worker-" + i + ".err"));
        }
        for (int i = 0; i < workers.length; i++) {
          awaitReady(workers[i], i, dir.resolve("worker-" + i + ".err"));
        }
        try (Workspace gcWs = Mlops.open(server.uri(prefix), server.storeBuilder(client, prefix).build(),
            WorkspaceOptions.builder().actor("gc").refreshInterval(Duration.ofMillis(1)).build())) {
          GarbageCollector gc = GarbageCollector.builder(gcWs).gracePeriod(GRACE).build();
          long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
          long nextKill = System.nanoTime() + Duration.ofMillis(1500).toNanos();
          int referencedSoFar = 0;
          // at least the time and the passes; on a slow machine also until the writers have made
          // enough referenced artifacts for the final check to mean something (the @Timeout bounds it)
          while (System.nanoTime() < end || passes < MIN_PASSES || referencedSoFar <= MIN_REFERENCED) {
            long t0 = System.nanoTime();
            GcReport r = gc.run(false);
            passes++;
            System.out.printf("S3 GC IT pass %d: %s in %d ms%n", passes, r, (System.nanoTime() - t0) / 1_000_000);
            deletedDuring += r.deleted().size();
            Set<Digest> refsNow = referenced(client, prefix);
            referencedSoFar = refsNow.size();
            Set<Digest> missing = new HashSet<>(refsNow);
            missing.removeAll(stored(client, prefix));
            assertThat(missing).as("referenced artifacts deleted after pass %d", passes).isEmpty();
            if (System.nanoTime() > nextKill) {
              int victim = rnd.nextInt(workers.length);
              workers[victim].destroyForcibly().waitFor(); // SIGKILL
              kills++;
              workers[victim] = spawn(uri, cpFile, victim, spawned++, dir.resolve("worker-" + victim + ".err"));
              nextKill = System.nanoTime() + Duration.ofMillis(1000 + rnd.nextInt(2000)).toNanos();
            }
            Thread.sleep(100);
          }
        }
      } finally {
        for (Process p : workers) {
          if (p != null) {
            p.destroyForcibly().waitFor();
          }
        }
      }
      // writers gone: one pass sees every orphan, a pass after the grace period deletes them all
      try (Workspace gcWs = Mlops.open(server.uri(prefix), server.storeBuilder(client, prefix).build(),
          WorkspaceOptions.builder().actor("gc").build())) {
        GarbageCollector gc = GarbageCollector.builder(gcWs).gracePeriod(GRACE).build();
        gc.run(false);
        Thread.sleep(GRACE.toMillis() + 200);
        GcReport last = gc.run(false);
        Set<Digest> refs = referenced(client, prefix);
        assertThat(stored(client, prefix)).as("after the grace period, exactly the referenced blobs remain").isEqualTo(refs);
        assertThat(refs).hasSizeGreaterThan(MIN_REFERENCED);
        assertThat(passes).as("passes while the writers ran (one only starts the clocks)").isGreaterThanOrEqualTo(MIN_PASSES);
        assertThat(deletedDuring + last.deleted().size()).as("orphans deleted").isPositive();
        System.out.printf("S3 GC IT: %d passes, %d kills, %d referenced, %d deleted while writing, %d at the end, %d s%n",
            passes, kills, refs.size(), deletedDuring, last.deleted().size(), (System.nanoTime() - started) / 1_000_000_000);
      }
    }
  }
}
