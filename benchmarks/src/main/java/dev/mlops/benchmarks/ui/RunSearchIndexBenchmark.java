package dev.mlops.benchmarks.ui;

import dev.mlops.Mlops;
import dev.mlops.RunPage;
import dev.mlops.RunQuery;
import dev.mlops.Workspace;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A runs page sorted or filtered by a metric on a {@code file:} store with 100,000 ended runs in
 * one experiment (filled once by {@link RunStoreFiller} if the directory holds fewer): the
 * {@code Experiments.search} calls the UI's {@code /runs?experiment=big&sort=metric.accuracy&order=desc}
 * and a filtered page make.
 *
 * <ul>
 *   <li>{@code Warm}: one workspace answers query after query (the second and later queries of a
 *       process: the run search index is in memory, and each query lists the experiment's
 *       markers and what is new in the index, then reads the page's 50 runs).
 *   <li>{@code FirstQuery}: a new workspace per query, in the same JVM (JIT and the OS page cache
 *       warm): the first query of a process, which reads the index's segments.
 * </ul>
 *
 * <p>{@code java -Xmx2g -jar benchmarks/target/benchmarks.jar 'ui.RunSearchIndexBenchmark' -f 1 -wi 2 -i 5 -p dir=/tmp/mlops-runs-100k}
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RunSearchIndexBenchmark {
  static final RunQuery SORTED = RunQuery.builder().experiment("big").orderByMetric("accuracy", true).pageSize(50)
      .build();
  static final RunQuery FILTERED = RunQuery.builder().experiment("big").metric("accuracy", RunQuery.Op.GE, 0.5)
      .tag("team", "a").param("depth", RunQuery.Op.LT, "5").pageSize(50).build();

  /** Where the store is; filled to {@code runs} runs at setup. */
  @State(Scope.Benchmark)
  public static class Store {
    @Param("/tmp/mlops-runs-100k")
    public String dir;
    @Param("100000")
    public int runs;

    @Setup(Level.Trial)
    public void fill() throws Exception {
      RunStoreFiller.fill(Path.of(dir), runs, 4);
    }
  }

  /** One workspace for the whole trial, warmed by one query of each kind. */
  @State(Scope.Benchmark)
  public static class Warm {
    Workspace ws;

    @Setup(Level.Trial)
    public void open(Store store) {
      ws = Mlops.open("file:" + Path.of(store.dir).toAbsolutePath());
      check(ws.experiments().search(SORTED));
      check(ws.experiments().search(FILTERED));
    }

    @TearDown(Level.Trial)
    public void close() {
      ws.close();
    }
  }

  /** A new workspace before each query. */
  @State(Scope.Thread)
  public static class Fresh {
    Workspace ws;

    @Setup(Level.Invocation)
    public void open(Store store) {
      ws = Mlops.open("file:" + Path.of(store.dir).toAbsolutePath());
    }

    @TearDown(Level.Invocation)
    public void close() {
      ws.close();
    }
  }

  static RunPage check(RunPage page) {
    if (page.runs().size() != 50) {
      throw new IllegalStateException("expected a full page of 50 runs, got " + page.runs().size());
    }
    return page;
  }

  /** @return the first page by accuracy, best first, from a warm workspace */
  @Benchmark
  public RunPage sortedWarm(Warm w) {
    return check(w.ws.experiments().search(SORTED));
  }

  /** @return the first page of a three-condition filter, from a warm workspace */
  @Benchmark
  public RunPage filteredWarm(Warm w) {
    return check(w.ws.experiments().search(FILTERED));
  }

  /** @return the first page by accuracy, from a workspace opened just before */
  @Benchmark
  public RunPage sortedFirstQuery(Fresh f) {
    return check(f.ws.experiments().search(SORTED));
  }

  /** @return the first filtered page, from a workspace opened just before */
  @Benchmark
  public RunPage filteredFirstQuery(Fresh f) {
    return check(f.ws.experiments().search(FILTERED));
  }
}
