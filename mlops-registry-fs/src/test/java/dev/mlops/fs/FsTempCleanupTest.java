package dev.mlops.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsTempCleanupTest {
  @TempDir Path dir;

  @Test
  void openDeletesTempFilesOfDeadProcessesAndKeepsThoseOfLiveOnes() throws Exception {
    Path root = dir.resolve("store");
    Path tmp;
    Path mine;
    try (FsObjectStore store = FsObjectStore.builder().root(root).build()) {
      tmp = store.temp();
      mine = store.temp().resolve(nameOfThisProcessWithSuffix("live"));
    }
    String host = hostPart(mine);
    Process dead = new ProcessBuilder("true").start();
    dead.waitFor();
    long deadPid = dead.pid();
    ProcessHandle alive = ProcessHandle.current().parent().orElseThrow();
    long aliveStart = alive.info().startInstant().orElseThrow().toEpochMilli();

    Path ofDead = Files.writeString(tmp.resolve(host + "~" + deadPid + "~" + 123456789L + "~1.tmp"), "partial");
    Path ofReusedPid = Files.writeString(tmp.resolve(host + "~" + alive.pid() + "~" + (aliveStart - 3_600_000) + "~2.tmp"), "partial");
    Path ofLiveProcess = Files.writeString(tmp.resolve(host + "~" + alive.pid() + "~" + aliveStart + "~3.tmp"), "writing");
    Files.writeString(mine, "writing");

    try (FsObjectStore store = FsObjectStore.builder().root(root).build()) {
      assertThat(names(tmp)).containsExactlyInAnyOrder(name(ofLiveProcess), name(mine));
      assertThat(Files.exists(ofDead)).isFalse();
      assertThat(Files.exists(ofReusedPid)).isFalse();
      assertThat(store.listAll("").toList()).isEmpty();
    }
  }

  @Test
  void tempFilesFromOtherHostsGoOnlyWhenStale() throws IOException {
    Instant now = Instant.parse("2026-01-01T12:00:00Z");
    Path root = dir.resolve("store");
    try (FsObjectStore store = FsObjectStore.builder().root(root).build()) {
      Path fresh = Files.writeString(store.temp().resolve("other-host~12~34~5.tmp"), "x");
      Path stale = Files.writeString(store.temp().resolve("other-host~12~34~6.tmp"), "x");
      Path foreign = Files.writeString(store.temp().resolve("something-else"), "x");
      Files.setLastModifiedTime(fresh, FileTime.from(now.minus(Duration.ofMinutes(30))));
      Files.setLastModifiedTime(stale, FileTime.from(now.minus(Duration.ofMinutes(90))));
      Files.setLastModifiedTime(foreign, FileTime.from(now.minus(Duration.ofMinutes(90))));
    }
    try (FsObjectStore store = FsObjectStore.builder().root(root)
        .clock(Clock.fixed(now, ZoneOffset.UTC)).staleTempAge(Duration.ofHours(1)).build()) {
      assertThat(names(store.temp())).containsExactly("other-host~12~34~5.tmp");
      assertThat(store.cleanTempFiles()).isZero();
    }
  }

  private static String nameOfThisProcessWithSuffix(String s) {
    return new TempArea(Path.of("x"), Duration.ofHours(1)).newPath().getFileName().toString()
        .replace(".tmp", s + ".tmp");
  }

  private static String hostPart(Path p) {
    return name(p).substring(0, name(p).indexOf('~'));
  }

  private static String name(Path p) {
    return p.getFileName().toString();
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(FsTempCleanupTest::name).toList();
    }
  }
}
