package dev.mlops.data;

import java.nio.file.Path;

/**
 * Child JVM of {@link CsvSmallHeapIT}: profiles a CSV file, suggests constraints, verifies the
 * file against them and writes the statistics' JSON, printing one line. Not thread-safe (a main).
 */
public final class SmallHeapWorker {
  private SmallHeapWorker() {}

  /**
   * @param args the CSV file
   */
  public static void main(String[] args) {
    Path csv = Path.of(args[0]);
    DatasetStatistics s = DataProfiler.create().profile(Records.csv(csv));
    int json = s.toJson().length;
    ValidationReport r = DataValidator.verify(Records.csv(csv), ConstraintSuggester.suggest(s), s);
    System.out.println("rows=" + s.rows() + " json=" + json + " passed=" + r.passed() + " violations=" + r.violations());
  }
}
