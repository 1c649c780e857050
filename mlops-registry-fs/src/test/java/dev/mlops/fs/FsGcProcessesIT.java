package dev.mlops.fs;

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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage collection in a loop while 4 writer JVMs ({@link GcWriterWorker}) upload and register on
 * one {@code file:} store and are killed with {@code kill -9} at random (and replaced). After every
 * pass, every artifact of every registered version must still be stored; at the end, once the
 * writers are gone and the grace period has passed, the store must hold exactly the referenced
 * blobs. Runs 20 s; {@code -Dmlops.it.gcSeconds=N} runs longer.
 */
class FsGcProcessesIT {
  private static final Duration GRACE = Duration.ofSeconds(2);
  /** Referenced artifacts the writers must have made before the run stops. */
  private static final int MIN_REFERENCED = 20;

  private static Process spawn(String uri, int id, long seed, Path stderr) throws Exception {
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        GcWriterWorker.class.getName(), uri, Integer.toString(id), Long.toString(seed));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile())).start();
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    assertThat(r.readLine()).as("worker %d started; stderr in %s", id, stderr).isEqualTo("READY");
    return p;
  }

  private static Set<Digest> referenced(String uri) {
    Set<Digest> out = new HashSet<>();
    try (Workspace fresh = Mlops.open(uri, WorkspaceOptions.builder().actor("checker").readOnly(true).build())) {
      for (String m : fresh.registry().models()) {
        for (ModelVersion v : fresh.registry().versions(m)) {
          v.artifacts().values().forEach(a -> out.add(a.digest()));
        }
      }
    }
    return out;
  }

  /** Blobs as the store lists them (through the backend, not the raw directory layout). */
  private static Set<Digest> stored(Path root) {
    Set<Digest> out = new HashSet<>();
    try (FsObjectStore store = FsObjectStore.builder().root(root).build()) {
      String prefix = "artifacts/sha256/";
      store.listAll(prefix).map(k -> k.substring(prefix.length())).filter(k -> k.length() == 65)
          .forEach(k -> out.add(Digest.parse(k.substring(0, 2) + k.substring(3))));
    }
    return out;
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void gcNeverDeletesAReferencedArtifactWhileWritersAreKilledAndDeletesEveryOldOrphan(@TempDir Path dir) throws Exception {
    Path root = dir.resolve("store");
    String uri = "file:" + root;
    try (Workspace init = Mlops.open(uri)) {
      init.registry().models(); // creates the store
    }
    long seconds = Long.getLong("mlops.it.gcSeconds", 20);
    Random rnd = new Random(15);
    Process[] workers = new Process[4];
    int spawned = 0;
    for (int i = 0; i < workers.length; i++) {
      workers[i] = spawn(uri, i, spawned++, dir.resolve("worker-" + i + ".err"));
    }
    int passes = 0;
    int kills = 0;
    long deletedDuring = 0;
    try (Workspace gcWs = Mlops.open(uri, WorkspaceOptions.builder().actor("gc").refreshInterval(Duration.ofMillis(1)).build())) {
      GarbageCollector gc = GarbageCollector.builder(gcWs).gracePeriod(GRACE).build();
      long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
      long nextKill = System.nanoTime() + Duration.ofMillis(1500).toNanos();
      int referencedSoFar = 0;
      // the time, and on a slow machine also until the writers have made enough referenced
      // artifacts for the final check to mean something (the test's timeout bounds it)
      while (System.nanoTime() < end || referencedSoFar <= MIN_REFERENCED) {
        long t0 = System.nanoTime();
        GcReport r = gc.run(false);
        passes++;
        System.out.printf("GC IT pass %d: %s in %d ms%n", passes, r, (System.nanoTime() - t0) / 1_000_000);
        deletedDuring += r.deleted().size();
        Set<Digest> refs = referenced(uri);
        referencedSoFar = refs.size();
        Set<Digest> missing = new HashSet<>(refs);
        missing.removeAll(stored(root));
        assertThat(missing).as("referenced artifacts deleted after pass %d", passes).isEmpty();
        if (System.nanoTime() > nextKill) {
          int victim = rnd.nextInt(workers.length);
          workers[victim].destroyForcibly().waitFor(); // SIGKILL
          kills++;
          workers[victim] = spawn(uri, victim, spawned++, dir.resolve("worker-" + victim + ".err"));
          nextKill = System.nanoTime() + Duration.ofMillis(1000 + rnd.nextInt(2000)).toNanos();
        }
        Thread.sleep(200);
      }
    } finally {
      for (Process p : workers) {
        p.destroyForcibly().waitFor();
      }
    }
    // writers gone: one pass sees every orphan, a pass after the grace period deletes them all
    try (Workspace gcWs = Mlops.open(uri, WorkspaceOptions.builder().actor("gc").build())) {
      GarbageCollector gc = GarbageCollector.builder(gcWs).gracePeriod(GRACE).build();
      gc.run(false);
      Thread.sleep(GRACE.toMillis() + 200);
      GcReport last = gc.run(false);
      Set<Digest> refs = referenced(uri);
      assertThat(stored(root)).as("after the grace period, exactly the referenced blobs remain").isEqualTo(refs);
      assertThat(refs).hasSizeGreaterThan(MIN_REFERENCED);
      assertThat(deletedDuring + last.deleted().size()).as("orphans deleted").isPositive();
      System.out.printf("GC IT: %d passes, %d kills, %d referenced, %d deleted while writing, %d at the end%n",
          passes, kills, refs.size(), deletedDuring, last.deleted().size());
    }
  }
}
