package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory is bounded whatever the row count and the cell length: a child JVM with a 48 MB heap
 * profiles a CSV file (400,000 rows by default, {@code -Dmlops.data.smallHeapRows=5000000} for the
 * outside check's 5M rows) of mixed columns and a sparse column of distinct 1 MB texts (one every
 * 4,000 rows among the first 400,000, the rest missing), suggests
 * constraints, verifies the file against them and writes its statistics.json.
 */
class CsvSmallHeapIT {
  @TempDir
  Path dir;

  @Test
  void profilesAndVerifiesInASmallHeap() throws Exception {
    int rows = Integer.getInteger("mlops.data.smallHeapRows", 400_000);
    Path csv = dir.resolve("big.csv");
    SplittableRandom r = new SplittableRandom(7);
    String[] cities = {"Faro", "Porto", "Lisbon", "Braga", "Évora"};
    try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      w.write("id,age,income,city,flag,note,blob,ts\n");
      for (int i = 0; i < rows; i++) {
        w.write(i + "," + (18 + r.nextInt(70)) + "," + (r.nextInt(50) == 0 ? "NA" : Double.toString(r.nextDouble() * 1e5))
            + "," + cities[r.nextInt(5)] + "," + r.nextBoolean() + ",");
        w.write("n" + r.nextInt(1_000_000) + "," + (i % 4000 == 0 && i < 400_000 ? i + "y".repeat(1 << 20) : ""));
        w.write("," + java.time.Instant.ofEpochSecond(1_700_000_000L + i) + "\n");
      }
    }
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx48m",
        "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), SmallHeapWorker.class.getName(), csv.toString());
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("child finished").isTrue();
    assertThat(p.exitValue()).as("exit code; stderr: %s", Files.readString(err)).isZero();
    assertThat(Files.readString(out)).startsWith("rows=" + rows + " ").contains("passed=true violations=[]");
  }
}
