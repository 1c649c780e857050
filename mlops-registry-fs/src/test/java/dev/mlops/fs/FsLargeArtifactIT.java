package dev.mlops.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A 2 GiB artifact written and read back by a child JVM limited to a 128 MiB heap. */
class FsLargeArtifactIT {
  private static final long SIZE = 2L << 30;

  @TempDir Path dir;

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void twoGibibytesRoundTripInA128MibHeap() throws Exception {
    long seed = 20_260_101L;
    Path err = dir.resolve("large.err");
    // the expected digest, computed independently while the child works
    CompletableFuture<String> expectedDigest = CompletableFuture.supplyAsync(() -> GeneratedStream.sha256(seed, SIZE));
    List<String> lines;
    try (ChildJvm child = ChildJvm.start("128m", err, "large", dir.resolve("store").toString(),
        Long.toString(SIZE), Long.toString(seed))) {
      assertThat(child.waitFor(8, TimeUnit.MINUTES)).as("exit code; stderr in %s", err).isZero();
      lines = child.drain();
    }
    String expected = expectedDigest.get(5, TimeUnit.MINUTES);
    assertThat(lines.get(0)).isEqualTo("PUT " + expected + " " + SIZE);
    assertThat(lines.get(1)).startsWith("READ " + expected + " " + SIZE + " maxHeap ");
    long maxHeap = Long.parseLong(lines.get(1).substring(lines.get(1).lastIndexOf(' ') + 1));
    assertThat(maxHeap).isLessThanOrEqualTo(128L << 20);
    assertThat(lines.get(2)).isEqualTo("DONE");
  }

  @AfterEach
  void removeTheGibibytes() throws IOException {
    PropertyTempDirs.deleteTree(dir.resolve("store"));
  }
}
