package dev.mlops.benchmarks.pipeline;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.fs.FsObjectStore;
import dev.mlops.pipeline.Pipeline;
import dev.mlops.pipeline.Pipelines;
import dev.mlops.spi.ForwardingObjectStore;
import dev.mlops.spi.ListPage;
import dev.mlops.spi.ObjectStore;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A timed local run (not JMH) of what {@link PipelineBenchmark#fsEmptyStep} writes: executions of
 * the same 20-step chain on a {@code file:} store wrapped in a decorator that times every create,
 * get and list, grouped by the kind of key (run ids, numbers and hashes replaced). Prints the time
 * per step, the floor (a create into an existing directory, right after), and per kind of key how
 * many calls a step makes and their p50/p90, and what the creates' latencies add up to per step
 * (more than the step's time where they overlap).
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.mlops.benchmarks.pipeline.FsStepWrites [executions]}
 * (default 10).
 *
 * <p>Not thread-safe; a program, run from {@link #main}.
 */
public final class FsStepWrites {
  private static final Map<String, ConcurrentLinkedQueue<Long>> TIMES = new ConcurrentHashMap<>();
  private static volatile boolean timing;

  private FsStepWrites() {}

  private static String kind(String op, String key) {
    return op + " " + key.replaceAll("[0-9a-f]{29}", "<run>").replaceAll("e\\d{8}T\\d{6}[^/]*", "<execution>")
        .replaceAll("\\d{6,}", "<n>");
  }

  private static void record(String kind, long t0) {
    if (timing) {
      TIMES.computeIfAbsent(kind, k -> new ConcurrentLinkedQueue<>()).add(System.nanoTime() - t0);
    }
  }

  /** Times every create, get and list; leaves the store open on close (the caller owns it). */
  private static final class Timed extends ForwardingObjectStore {
    Timed(ObjectStore delegate) {
      super(delegate);
    }

    @Override
    public Optional<byte[]> get(String key) {
      long t = System.nanoTime();
      try {
        return super.get(key);
      } finally {
        record(kind("get", key), t);
      }
    }

    @Override
    public void create(String key, byte[] bytes) {
      long t = System.nanoTime();
      try {
        super.create(key, bytes);
      } finally {
        record(kind("create", key), t);
      }
    }

    @Override
    public ListPage list(String prefix, String startAfter, int limit) {
      long t = System.nanoTime();
      try {
        return super.list(prefix, startAfter, limit);
      } finally {
        record(kind("list", prefix), t);
      }
    }

    @Override
    public void close() {
      // the caller closes the file: store
    }
  }

  /**
   * @param args optional: the number of timed executions
   * @throws Exception if the disk fails
   */
  public static void main(String[] args) throws Exception {
    int executions = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Path dir = Files.createTempDirectory("mlops-step-writes");
    try (FsObjectStore store = FsObjectStore.builder().root(dir).build();
        Workspace ws = Mlops.open(URI.create("file:" + dir), new Timed(store));
        Pipelines pipelines = Pipelines.on(ws)) {
      Pipeline chain = PipelineBenchmark.chain("empty", false);
      for (int i = 0; i < 3; i++) {
        pipelines.run(chain, Map.of());
      }
      long[] perStep = new long[executions];
      timing = true;
      for (int i = 0; i < executions; i++) {
        long t = System.nanoTime();
        pipelines.run(chain, Map.of());
        perStep[i] = (System.nanoTime() - t) / PipelineBenchmark.STEPS;
      }
      timing = false;
      long[] floor = new long[200];
      byte[] small = "{\"v\":1,\"type\":\"claimed\",\"step\":\"s1\"}".getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < floor.length; i++) {
        long t = System.nanoTime();
        store.create("floor/" + i, small);
        floor[i] = System.nanoTime() - t;
      }
      Arrays.sort(perStep);
      Arrays.sort(floor);
      System.out.printf("per step p50 %d us over %d executions; floor p50 %d us%n", perStep[executions / 2] / 1000,
          executions, floor[floor.length / 2] / 1000);
      double steps = executions * (double) PipelineBenchmark.STEPS;
      Map<String, long[]> sorted = new TreeMap<>();
      TIMES.forEach((k, q) -> sorted.put(k, q.stream().mapToLong(Long::longValue).sorted().toArray()));
      double sum = 0;
      for (Map.Entry<String, long[]> e : sorted.entrySet()) {
        long[] v = e.getValue();
        if (e.getKey().startsWith("create")) {
          sum += Arrays.stream(v).sum() / steps;
        }
        System.out.printf("%-72s %5.2f per step  p50 %6d us  p90 %6d us%n", e.getKey(), v.length / steps,
            v[v.length / 2] / 1000, v[v.length * 9 / 10] / 1000);
      }
      System.out.printf("creates' latencies added up: %.0f us per step%n", sum / 1000);
    }
  }
}
