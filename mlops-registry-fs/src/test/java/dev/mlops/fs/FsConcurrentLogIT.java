package dev.mlops.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.ModelVersion;
import dev.mlops.Registration;
import dev.mlops.VerifyReport;
import dev.mlops.Workspace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight writer JVMs append to one model's log (1,200 registrations, approvals and alias moves)
 * while two reader JVMs open cold workspaces and verify the log over and over. A directory
 * listing taken while entries are being created may miss one; that must never surface as
 * corruption: no writer's command refused, no reader's read failed, no verify unclean.
 */
class FsConcurrentLogIT {
  private static final int WRITERS = 8;
  private static final int PER_WRITER = 150;
  private static final int READERS = 2;

  @TempDir Path dir;

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void writersAndVerifyingReadersSeeNoFalseCorruption() throws Exception {
    Path root = dir.resolve("store");
    try (Workspace ws = Mlops.open("file:" + root)) {
      ws.registry().register("busy", Registration.builder().build());
      ws.registry().approve("busy", 1, "alice", "");
      ws.registry().setAlias("busy", "prod", 1);
    }
    List<ChildJvm> writers = new ArrayList<>();
    List<ChildJvm> readers = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<Integer> versions = new ArrayList<>();
    int moved = 0;
    int lost = 0;
    int checked = 0;
    try {
      for (int i = 0; i < WRITERS; i++) {
        writers.add(ChildJvm.start("96m", dir.resolve("writer.err"), "churn", root.toString(), "busy",
            Integer.toString(PER_WRITER), Integer.toString(i)));
      }
      for (int i = 0; i < READERS; i++) {
        readers.add(ChildJvm.start("96m", dir.resolve("reader.err"), "audit", root.toString(), "busy", "40"));
      }
      for (ChildJvm c : writers) {
        c.await("READY", 60, TimeUnit.SECONDS);
      }
      for (ChildJvm c : readers) {
        c.await("READY", 60, TimeUnit.SECONDS);
      }
      for (ChildJvm c : writers) {
        c.send("GO");
      }
      for (ChildJvm c : readers) {
        c.send("GO");
      }
      for (ChildJvm c : writers) {
        assertThat(c.waitFor(6, TimeUnit.MINUTES)).as("writer exit; stderr in %s", dir.resolve("writer.err")).isZero();
        for (String line : c.drain()) {
          if (line.startsWith("VERSION ")) {
            versions.add(Integer.parseInt(line.substring(8)));
          } else if (line.startsWith("MOVED ")) {
            moved++;
          } else if (line.startsWith("LOST ")) {
            lost++;
          } else if (line.startsWith("REFUSED")) {
            problems.add(line);
          }
        }
      }
      for (ChildJvm c : readers) {
        assertThat(c.waitFor(6, TimeUnit.MINUTES)).as("reader exit; stderr in %s", dir.resolve("reader.err")).isZero();
        for (String line : c.drain()) {
          if (line.startsWith("CHECKED ")) {
            checked++;
          } else if (line.startsWith("FALSE")) {
            problems.add(line);
          }
        }
      }
    } finally {
      for (ChildJvm c : writers) {
        c.close();
      }
      for (ChildJvm c : readers) {
        c.close();
      }
    }
    System.out.println("FsConcurrentLogIT: " + versions.size() + " registrations, " + moved + " moves, " + lost
        + " lost races, " + checked + " clean cold verifies, " + problems.size() + " problems");
    assertThat(problems).as("false corruption reports and refused commands").isEmpty();
    assertThat(checked).isEqualTo(READERS * 40);
    assertThat(versions).hasSize(WRITERS * PER_WRITER);
    assertThat(versions.stream().sorted().toList())
        .isEqualTo(IntStream.rangeClosed(2, WRITERS * PER_WRITER + 1).boxed().toList());
    try (Workspace ws = Mlops.open("file:" + root)) {
      assertThat(ws.registry().versions("busy")).extracting(ModelVersion::version)
          .isEqualTo(IntStream.rangeClosed(1, WRITERS * PER_WRITER + 1).boxed().toList());
      VerifyReport report = ws.registry().verify("busy");
      assertThat(report.ok()).as("%s", report).isTrue();
    }
  }
}
