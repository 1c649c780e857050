package dev.mlops.benchmarks.ui;

import dev.mlops.Mlops;
import dev.mlops.RunQuery;
import dev.mlops.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fills a {@code file:} store with N ended runs in experiment {@code big} through the public API
 * (each: params {@code lr}, {@code depth}; tag {@code team}; metrics {@code accuracy} and
 * {@code loss}; ended FINISHED), from several threads, so that the run search index is written
 * the way training jobs write it. Resumable: it counts the runs already there and adds the rest.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.mlops.benchmarks.ui.RunStoreFiller <dir> [runs] [threads] [repair]}
 * ({@code repair}: then {@code Experiments.repairIndex()}, which indexes a store written before
 * the run search index existed)
 */
public final class RunStoreFiller {
  private RunStoreFiller() {}

  /**
   * @param args directory, number of runs (default 100,000), threads (default 4), "repair"
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    fill(dir, runs, threads);
    if (args.length > 3 && args[3].equals("repair")) {
      try (Workspace ws = Mlops.open("file:" + dir.toAbsolutePath())) {
        long t0 = System.nanoTime();
        int markers = ws.experiments().repairIndex();
        System.out.printf(Locale.ROOT, "repairIndex: %d markers re-created, run search index backfilled, %.1f s%n",
            markers, (System.nanoTime() - t0) / 1e9);
      }
    }
  }

  /** Adds runs until the store at {@code dir} holds {@code runs} of them in experiment {@code big}. */
  static void fill(Path dir, int runs, int threads) throws Exception {
    Files.createDirectories(dir);
    try (Workspace ws = Mlops.open("file:" + dir.toAbsolutePath())) {
      int have = countRuns(dir);
      if (have >= runs) {
        return;
      }
      long t0 = System.nanoTime();
      AtomicInteger next = new AtomicInteger(have);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          for (int n = next.getAndIncrement(); n < runs; n = next.getAndIncrement()) {
            int i = n;
            try (var r = ws.experiments().startRun("big", "run-" + i,
                Map.of("lr", Double.toString((i % 100) / 1000.0), "depth", Integer.toString(i % 10)),
                Map.of("team", i % 3 == 0 ? "a" : "b"))) {
              r.logMetric("accuracy", (i * 7919L % runs) / (double) runs, 1);
              r.logMetric("loss", 1 - (i * 7919L % runs) / (double) runs, 1);
            }
            if (i % 5000 == 0) {
              System.out.printf(Locale.ROOT, "%,d runs, %.0f s%n", i, (System.nanoTime() - t0) / 1e9);
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      pool.shutdown();
      System.out.printf(Locale.ROOT, "filled %s with %,d runs in %.1f s%n", dir, runs - have,
          (System.nanoTime() - t0) / 1e9);
      ws.experiments().search(RunQuery.builder().experiment("big").orderByMetric("accuracy", true).build());
    }
  }

  private static int countRuns(Path dir) throws java.io.IOException {
    // the file: layout (a directory per key segment, suffixed '+'), read directly: a listing
    // through the store pages 1,000 keys at a time and re-reads the directory for each page
    Path markers = dir.resolve("experiments+/runs+/big+");
    if (!Files.isDirectory(markers)) {
      return 0;
    }
    try (var s = Files.list(markers)) {
      return (int) s.count();
    }
  }
}
