package dev.mlops.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wide map steps in a small heap, in a child JVM ({@link WideFanOutWorker}) with {@code -Xmx96m}
 * that exits on an {@code OutOfMemoryError}: two maps of 2,000 items each (scale with
 * {@code -Dmlops.it.wideItems}), the second queued behind the first on two threads, all data in the
 * child's heap ({@code mem:}). A guard: the driver's per-step state (claims, folded log, queued
 * attempts) must stay proportional to the width. 5,000 + 5,000 items also fit in 96 MB (run once
 * by hand, 50 s).
 */
class PipelineWideFanOutHeapIT {
  private static final int ITEMS = Integer.getInteger("mlops.it.wideItems", 2_000);

  @TempDir Path dir;

  @Test
  void twoWideMapsRunInABoundedHeap() throws IOException, InterruptedException {
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx96m", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), WideFanOutWorker.class.getName(), Integer.toString(ITEMS))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the worker finished").isTrue();
    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("exit code; stderr: %s", Files.readString(err, StandardCharsets.UTF_8)).isZero();
    assertThat(lines).contains("DONE SUCCEEDED " + ITEMS);
  }
}
