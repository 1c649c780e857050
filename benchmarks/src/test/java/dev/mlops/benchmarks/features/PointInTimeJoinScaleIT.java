package dev.mlops.benchmarks.features;

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
 * Runs the training-set point-in-time join in a child JVM limited to {@code -Xmx1g}, on a
 * {@code file:} store, and checks every output row against the closed-form oracle of
 * {@link PointInTimeJoinScale}. Scale: 100,000 entity rows against 1,000,000 feature rows by
 * default, one tenth of the 1M x 10M, which was run by hand (see benchmarks/RESULTS.md);
 * set {@code -Dmlops.features.scaleEntityRows=... -Dmlops.features.scaleFeatureRows=...} to change it.
 * The data is 10x the rows one sort run holds in memory, so both the spilling and the merge are
 * exercised; the heap limit makes any whole-set materialization fail with OutOfMemoryError.
 */
class PointInTimeJoinScaleIT {

  @Test
  void joinsAtScaleWithinAOneGibHeap(@TempDir Path dir) throws IOException, InterruptedException {
    String entityRows = System.getProperty("mlops.features.scaleEntityRows", "100000");
    String featureRows = System.getProperty("mlops.features.scaleFeatureRows", "1000000");
    Path log = dir.resolve("child.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-Xmx1g", "-Djava.io.tmpdir=" + dir, "-cp",
        System.getProperty("java.class.path"), PointInTimeJoinScale.class.getName(),
        dir.resolve("data").toString(), entityRows, featureRows)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      boolean finished = child.waitFor(10, TimeUnit.MINUTES);
      assertThat(finished).as("the child finished within 10 minutes").isTrue();
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(child.exitValue()).as(output).isZero();
      assertThat(output).contains("entityRows=" + entityRows, "mismatches=0", "maxHeapMiB=1024")
          .doesNotContain("OutOfMemoryError");
      List<String> summary = output.lines().filter(l -> l.startsWith("entityRows=")).toList();
      assertThat(summary).hasSize(1);
      System.out.println("[PointInTimeJoinScaleIT] " + summary.get(0));
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
