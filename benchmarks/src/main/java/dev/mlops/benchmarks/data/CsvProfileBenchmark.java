package dev.mlops.benchmarks.data;

import dev.mlops.data.DataProfiler;
import dev.mlops.data.DatasetStatistics;
import dev.mlops.data.Records;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * CSV profiling throughput against the parser alone, on a 200,000-row × 20-column UTF-8 file (the
 * same column mix as {@link DataProfileBenchmark}, about 30 MB) in the page cache.
 * {@code parseOnly} reads every record with Commons CSV and touches every cell (its length);
 * {@code profile} is {@code DataProfiler.profile(Records.csv(file))}: the same parse, plus UTF-8
 * validation per cell, type inference per cell, and the statistics.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar CsvProfileBenchmark -f 1 -wi 2 -i 5}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CsvProfileBenchmark {
  static final int ROWS = 200_000;

  private Path file;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    file = Files.createTempFile("mlops-csv-bench", ".csv");
    SplittableRandom rnd = new SplittableRandom(2026);
    String[][] categories = new String[4][];
    for (int k = 0; k < 4; k++) {
      categories[k] = new String[8 + 14 * k];
      for (int j = 0; j < categories[k].length; j++) {
        categories[k][j] = "cat-" + k + "-" + j;
      }
    }
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int c = 0; c < DataProfileBenchmark.COLUMNS; c++) {
        w.write((c > 0 ? "," : "") + "c" + c);
      }
      w.write('\n');
      for (int r = 0; r < ROWS; r++) {
        Object[] row = DataProfileBenchmark.row(rnd, categories);
        for (int c = 0; c < row.length; c++) {
          if (c > 0) {
            w.write(',');
          }
          if (row[c] != null) {
            w.write(row[c].toString());
          }
        }
        w.write('\n');
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    Files.deleteIfExists(file);
  }

  @Benchmark
  public long parseOnly() throws IOException {
    long total = 0;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        CSVParser parser = CSVParser.builder().setReader(reader).setFormat(CSVFormat.RFC4180).get()) {
      for (CSVRecord record : parser) {
        for (int i = 0; i < record.size(); i++) {
          total += record.get(i).length();
        }
      }
    }
    return total;
  }

  @Benchmark
  public DatasetStatistics profile() {
    return DataProfiler.create().profile(Records.csv(file));
  }
}
