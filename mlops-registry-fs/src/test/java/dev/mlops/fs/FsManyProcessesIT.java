package dev.mlops.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.AuditEntry;
import dev.mlops.Mlops;
import dev.mlops.ModelVersion;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Several JVMs writing one {@code file:} store at once: no duplicate versions, no lost alias update. */
class FsManyProcessesIT {
  private static final int PROCESSES = 4;

  @TempDir Path dir;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void fourProcessesRegisteringAHundredVersionsEachGetExactlyOneToFourHundred() throws Exception {
    Path root = dir.resolve("store");
    List<String> reported = new ArrayList<>();
    List<ChildJvm> children = new ArrayList<>();
    try {
      for (int i = 0; i < PROCESSES; i++) {
        children.add(ChildJvm.start("96m", dir.resolve("register.err"), "register", root.toString(), "shared", "100"));
      }
      for (ChildJvm c : children) {
        c.await("READY", 60, TimeUnit.SECONDS);
      }
      for (ChildJvm c : children) {
        c.send("GO");
      }
      for (ChildJvm c : children) {
        assertThat(c.waitFor(3, TimeUnit.MINUTES)).as("exit code; stderr in %s", dir.resolve("register.err")).isZero();
        List<String> lines = c.drain();
        assertThat(lines).last().isEqualTo("DONE");
        lines.stream().filter(l -> l.startsWith("VERSION ")).forEach(l -> reported.add(l.substring(8)));
      }
    } finally {
      for (ChildJvm c : children) {
        c.close();
      }
    }
    List<Integer> numbers = reported.stream().map(Integer::parseInt).sorted().toList();
    assertThat(numbers).isEqualTo(IntStream.rangeClosed(1, PROCESSES * 100).boxed().toList());

    try (Workspace ws = Mlops.open("file:" + root)) {
      List<ModelVersion> versions = ws.registry().versions("shared");
      assertThat(versions).extracting(ModelVersion::version)
          .isEqualTo(IntStream.rangeClosed(1, PROCESSES * 100).boxed().toList());
      assertThat(ws.registry().verify("shared").ok()).isTrue();
      // each version was registered by exactly one of the processes
      assertThat(versions.stream().map(ModelVersion::description).distinct().count()).isEqualTo(PROCESSES);
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void racingConditionalAliasMovesLoseNoUpdate() throws Exception {
    Path root = dir.resolve("store");
    int versions = 5;
    try (Workspace ws = Mlops.open("file:" + root)) {
      for (int i = 1; i <= versions; i++) {
        ws.registry().register("raced", Registration.builder().build());
        ws.registry().approve("raced", i, "alice", "");
      }
      ws.registry().setAlias("raced", "prod", 1);
    }
    List<int[]> moved = new ArrayList<>();
    int conflicts = 0;
    List<ChildJvm> children = new ArrayList<>();
    try {
      for (int i = 0; i < PROCESSES; i++) {
        children.add(ChildJvm.start("96m", dir.resolve("alias.err"), "alias", root.toString(), "raced", "prod", "50",
            Integer.toString(versions), Integer.toString(1000 + i)));
      }
      for (ChildJvm c : children) {
        c.await("READY", 60, TimeUnit.SECONDS);
      }
      for (ChildJvm c : children) {
        c.send("GO");
      }
      for (ChildJvm c : children) {
        assertThat(c.waitFor(3, TimeUnit.MINUTES)).as("exit code; stderr in %s", dir.resolve("alias.err")).isZero();
        for (String line : c.drain()) {
          String[] f = line.split(" ");
          if (f[0].equals("MOVED")) {
            moved.add(new int[] {Integer.parseInt(f[1]), Integer.parseInt(f[2])});
          } else if (f[0].equals("CONFLICT")) {
            conflicts++;
          }
        }
      }
    } finally {
      for (ChildJvm c : children) {
        c.close();
      }
    }
    assertThat(moved.size() + conflicts).isEqualTo(PROCESSES * 50);
    assertThat(moved).as("successful moves").isNotEmpty();

    try (Workspace ws = Mlops.open("file:" + root)) {
      List<AuditEntry> aliasLog = ws.registry().history("raced").stream()
          .filter(e -> e.type().equals("SET_ALIAS") && "prod".equals(e.details().get("alias")))
          .toList();
      // the first entry is the initial setAlias(1); every later one is a reported move, and only those
      List<String> logged = aliasLog.subList(1, aliasLog.size()).stream()
          .map(e -> e.details().get("previous") + "->" + e.details().get("version")).sorted().toList();
      List<String> reported = moved.stream().map(m -> m[0] + "->" + m[1]).sorted().toList();
      assertThat(logged).isEqualTo(reported);
      // each move started from where the previous one left the alias: no update was lost
      for (int i = 1; i < aliasLog.size(); i++) {
        assertThat(aliasLog.get(i).details().get("previous")).as("entry %d", aliasLog.get(i).seq())
            .isEqualTo(aliasLog.get(i - 1).details().get("version"));
      }
      assertThat(Integer.toString(ws.registry().resolve("raced@prod").version()))
          .isEqualTo(aliasLog.get(aliasLog.size() - 1).details().get("version"));
      assertThat(ws.registry().verify("raced").ok()).isTrue();
    }
    System.out.println("FsManyProcessesIT: " + moved.size() + " alias moves won, " + conflicts + " lost races");
  }
}
