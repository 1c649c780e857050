package dev.mlops.benchmarks.governance;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.Digest;
import dev.mlops.Mlops;
import dev.mlops.Registration;
import dev.mlops.RunId;
import dev.mlops.core.internal.LineageMarks;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;
import dev.mlops.fs.FsObjectStore;
import dev.mlops.governance.LineageIndex;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code LineageIndex.usesOf(dataset)} on a {@code file:} store with 10,000 model versions (100
 * models x 100, registered through the registry, each with one of 1,000 datasets and a training
 * run) and 100,000 runs (each logged one of the 1,000 datasets as input; runs are present as their
 * lineage-index markers, which is all the query reads, written with {@code LineageMarks.runInput}
 * as {@code logInput} does, without the run logs, to keep the build sane). So a query finds 100
 * runs and 10 versions, with aliases, in one listing of 110 keys. Warm: the store was read once.
 * The store is built once into {@code -Dmlops.bench.lineageStore} (default
 * {@code target/lineage-store}) and reused. Target: at most 10 ms.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar governance.LineageQueryBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class LineageQueryBenchmark {
  static final int MODELS = 100;
  static final int VERSIONS_PER_MODEL = 100;
  static final int DATASETS = 1_000;
  static final int RUNS = 100_000;

  private Workspace ws;
  private LineageIndex index;
  private Digest[] datasets;
  private int next;

  static Digest dataset(int i) {
    return Digest.of(("dataset-" + i).getBytes(StandardCharsets.UTF_8));
  }

  @Setup(Level.Trial)
  public void setup() throws Exception {
    Path root = Path.of(System.getProperty("mlops.bench.lineageStore", "target/lineage-store")).toAbsolutePath();
    datasets = new Digest[DATASETS];
    for (int i = 0; i < DATASETS; i++) {
      datasets[i] = dataset(i);
    }
    if (!Files.exists(root.resolve("BUILT"))) {
      build(root);
      Files.createDirectories(root);
      Files.writeString(root.resolve("BUILT"), "10000 versions, 100000 runs\n");
      Files.writeString(root.resolve("BUILT-2"), "trained markers\n");
    }
    if (!Files.exists(root.resolve("BUILT-2"))) { // a store built before the trained/derived markers
      FsObjectStore store = FsObjectStore.builder().root(root).build();
      for (int i = 0; i < MODELS * VERSIONS_PER_MODEL; i++) {
        LineageMarks.runInput(store, RunId.of("r" + i), dataset(i % DATASETS));
      }
      store.close();
      Files.writeString(root.resolve("BUILT-2"), "trained markers\n");
    }
    ws = Mlops.open(URI.create("file:" + root), FsObjectStore.builder().root(root).build(),
        WorkspaceOptions.builder().actor("bench").build());
    index = LineageIndex.of(ws);
    for (int i = 0; i < 50; i++) {
      index.usesOf(datasets[i]); // warm caches and JIT a little; JMH warms the rest
    }
  }

  private static void build(Path root) throws Exception {
    FsObjectStore store = FsObjectStore.builder().root(root).build();
    try (Workspace ws = Mlops.open(URI.create("file:" + root), store,
        WorkspaceOptions.builder().actor("builder").aliasesRequireApproval(false).build())) {
      ArtifactRef w = ws.artifacts().put(new byte[] {1}, ArtifactSpec.of("application/octet-stream"));
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> work = new ArrayList<>();
      for (int m = 0; m < MODELS; m++) {
        int model = m;
        work.add(pool.submit(() -> {
          for (int v = 0; v < VERSIONS_PER_MODEL; v++) {
            int i = model * VERSIONS_PER_MODEL + v;
            ws.registry().register("model-" + model, Registration.builder().artifact("m", w).dataset(dataset(i % DATASETS))
                .build());
            // version i is trained by run r<i>
            mark(store, "lineage/run/r" + i + "/model-" + model + "/" + (v + 1));
          }
          ws.registry().setAlias("model-" + model, "production", VERSIONS_PER_MODEL);
        }));
      }
      for (Future<?> f : work) {
        f.get();
      }
      work.clear();
      // the runs' inputs after the versions, as LineageMarks.runInput does on logInput: runs that
      // trained a version get a trained/ marker too (one listing of lineage/run/<run>/ each)
      for (int r = 0; r < RUNS; r += 1_000) {
        int from = r;
        work.add(pool.submit(() -> {
          for (int i = from; i < from + 1_000; i++) {
            LineageMarks.runInput(store, RunId.of("r" + i), dataset(i % DATASETS));
          }
        }));
      }
      for (Future<?> f : work) {
        f.get();
      }
      pool.shutdown();
    }
  }

  private static void mark(FsObjectStore store, String key) {
    try {
      store.create(key, new byte[0]);
    } catch (AlreadyExistsException e) {
      // rebuilt after an interrupted build
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    ws.close();
  }

  /** @return everything that used one dataset */
  @Benchmark
  public LineageIndex.DatasetUsage usesOfDataset() {
    return index.usesOf(datasets[next++ % DATASETS]);
  }
}
