package dev.mlops.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.AuditEntry;
import dev.mlops.Digest;
import dev.mlops.MetricPoint;
import dev.mlops.Mlops;
import dev.mlops.ModelVersion;
import dev.mlops.RunId;
import dev.mlops.VerifyReport;
import dev.mlops.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety on {@code file:}: child JVMs register versions, move aliases, log metrics and write
 * artifacts in a loop on one store and are killed with SIGKILL at random moments. After every kill
 * the store opens, {@code verify()} passes, everything a child reported as committed is there,
 * nothing partial is visible and the temp leftovers are gone.
 */
class FsCrashIT {
  /** At least 30 kills per run, as the issue demands; two children die per round. */
  private static final int KILLS = 32;
  private static final String MODEL = "crash";

  @TempDir Path dir;

  private final Map<Integer, String> versions = new TreeMap<>();
  private final Map<String, List<Integer>> aliasMoves = new HashMap<>();
  private final Map<String, Long> metricSteps = new HashMap<>();
  private final Map<String, Long> artifacts = new HashMap<>();
  private final Set<String> blobsChecked = new HashSet<>();
  private int metricLines;
  private int midWriteKills;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void writersKilledAtRandomMomentsLoseNothingTheyReported() throws Exception {
    long seed = Long.getLong("mlops.crash.seed", System.nanoTime());
    System.out.println("FsCrashIT seed " + seed + " (rerun with -Dmlops.crash.seed=" + seed + ")");
    Random random = new Random(seed);
    Path root = dir.resolve("store");
    Path stderr = dir.resolve("children.err");
    int kills = 0;
    int worker = 0;
    while (kills < KILLS) {
      List<ChildJvm> children = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          children.add(ChildJvm.start("96m", stderr, "crash", root.toString(), Integer.toString(++worker),
              Long.toString(random.nextLong())));
        }
        for (ChildJvm c : children) {
          c.await("READY", 60, TimeUnit.SECONDS);
        }
        for (ChildJvm c : children) {
          Thread.sleep(50 + random.nextInt(900));
          c.kill();
          kills++;
        }
        for (ChildJvm c : children) {
          record(c.drain());
        }
      } finally {
        for (ChildJvm c : children) {
          c.close();
        }
      }
      countLeftovers(root);
      checkStore(root, stderr);
    }
    assertThat(kills).isGreaterThanOrEqualTo(30);
    assertThat(versions).as("versions reported committed").hasSizeGreaterThan(KILLS);
    assertThat(aliasMoves.values().stream().mapToInt(List::size).sum()).as("alias moves reported").isPositive();
    assertThat(metricLines).as("metric flushes reported (needs experiments in mlops-core)").isPositive();
    assertThat(artifacts).as("large artifacts reported").isNotEmpty();
    System.out.println("FsCrashIT: " + kills + " kills, " + versions.size() + " versions, " + metricLines
        + " metric flushes, " + artifacts.size() + " artifacts, " + midWriteKills + " kills left temp files");
  }

  private void record(List<String> lines) {
    for (String line : lines) {
      String[] f = line.split(" ");
      switch (f[0]) {
        case "VERSION" -> {
          String previous = versions.put(Integer.parseInt(f[1]), f[2]);
          assertThat(previous).as("version %s reported twice", f[1]).isNull();
        }
        case "ALIAS" -> aliasMoves.computeIfAbsent(f[1], a -> new ArrayList<>()).add(Integer.parseInt(f[2]));
        case "METRIC" -> {
          metricSteps.merge(f[1], Long.parseLong(f[3]), Math::max);
          metricLines++;
        }
        case "ARTIFACT" -> artifacts.put(f[1], Long.parseLong(f[2]));
        default -> {
          // RUN, READY, NOMETRICS
        }
      }
    }
  }

  private void checkStore(Path root, Path stderr) throws IOException {
    try (FsObjectStore store = FsObjectStore.builder().root(root).build()) {
      // every writer is dead, so opening cleaned every temp file they left
      try (Stream<Path> temp = Files.list(store.temp())) {
        assertThat(temp.toList()).as("temp files after open").isEmpty();
      }
      try (Workspace ws = Mlops.open(URI.create("file:" + root), store)) {
        if (versions.isEmpty()) {
          return;
        }
        VerifyReport report = ws.registry().verify(MODEL);
        assertThat(report.ok()).as("verify: %s (children's stderr in %s)", report, stderr).isTrue();

        List<ModelVersion> stored = ws.registry().versions(MODEL);
        for (int i = 0; i < stored.size(); i++) {
          assertThat(stored.get(i).version()).as("versions are 1..n without gaps").isEqualTo(i + 1);
        }
        for (Map.Entry<Integer, String> v : versions.entrySet()) {
          assertThat(stored.size()).as("reported version %d is stored", v.getKey()).isGreaterThanOrEqualTo(v.getKey());
          assertThat(stored.get(v.getKey() - 1).artifacts().get("model.bin").digest().hex())
              .as("artifact of version %d", v.getKey()).isEqualTo(v.getValue());
        }

        Map<String, List<Integer>> aliasHistory = new HashMap<>();
        for (AuditEntry e : ws.registry().history(MODEL)) {
          if (e.type().equals("SET_ALIAS")) {
            aliasHistory.computeIfAbsent(e.details().get("alias"), a -> new ArrayList<>())
                .add(Integer.parseInt(e.details().get("version")));
          }
        }
        for (Map.Entry<String, List<Integer>> moves : aliasMoves.entrySet()) {
          List<Integer> logged = aliasHistory.getOrDefault(moves.getKey(), List.of());
          // the child may have committed one more move than it lived to report
          assertThat(logged.size()).as("moves of %s", moves.getKey())
              .isBetween(moves.getValue().size(), moves.getValue().size() + 1);
          assertThat(logged.subList(0, moves.getValue().size())).isEqualTo(moves.getValue());
          int current = ws.registry().resolve(MODEL + "@" + moves.getKey()).version();
          assertThat(current).isEqualTo(logged.get(logged.size() - 1));
        }

        for (Map.Entry<String, Long> m : metricSteps.entrySet()) {
          List<MetricPoint> points = ws.experiments().metricHistory(RunId.of(m.getKey()), "loss");
          Set<Long> steps = new HashSet<>();
          points.forEach(p -> steps.add(p.step()));
          for (long s = 0; s < m.getValue(); s++) {
            assertThat(steps).as("flushed metric step %d of run %s", s, m.getKey()).contains(s);
          }
        }

        for (Map.Entry<String, Long> a : artifacts.entrySet()) {
          assertThat(ws.artifacts().find(Digest.parse(a.getKey()))).as("artifact %s", a.getKey()).isPresent();
        }
        // nothing partial: every stored blob reads back whole and matches its digest
        List<String> blobs = store.listAll("artifacts/sha256/").filter(k -> !blobsChecked.contains(k)).toList();
        for (String key : blobs) {
          String[] parts = key.split("/");
          if (parts.length != 4 || parts[2].length() != 2 || parts[3].length() != 62) {
            continue;
          }
          try (InputStream in = ws.artifacts().open(Digest.parse(parts[2] + parts[3]))) {
            in.transferTo(OutputStream.nullOutputStream());
          }
          blobsChecked.add(key);
        }
      }
    }
  }

  /** Counts the temp files a kill left, before the next open cleans them (diagnostics only). */
  private void countLeftovers(Path root) throws IOException {
    Path tmp = root.resolve(TempArea.DIR_NAME);
    if (Files.isDirectory(tmp)) {
      try (Stream<Path> s = Files.list(tmp)) {
        if (s.findAny().isPresent()) {
          midWriteKills++;
        }
      }
    }
  }
}
