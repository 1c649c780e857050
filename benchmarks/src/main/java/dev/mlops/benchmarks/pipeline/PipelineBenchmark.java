package dev.mlops.benchmarks.pipeline;

import dev.mlops.Mlops;
import dev.mlops.Run;
import dev.mlops.RunId;
import dev.mlops.Workspace;
import dev.mlops.core.MemObjectStore;
import dev.mlops.fs.FsObjectStore;
import dev.mlops.pipeline.ExecutionResult;
import dev.mlops.pipeline.ExecutionStatus;
import dev.mlops.pipeline.Pipeline;
import dev.mlops.pipeline.Pipelines;
import dev.mlops.pipeline.Step;
import dev.mlops.spi.ObjectStore;
import dev.mlops.testkit.SharedStore;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Orchestration overhead of {@code mlops-pipeline}: an execution of a chain of 20 empty,
 * uncached steps, reported per step (each step: its result and the claim on the next step
 * appended to the execution's hash-chained log as one entry, and an experiment run with its tags,
 * under an id reserved for it, started deferred and stored with its end as one entry; plus the
 * execution's start with the first claim, its run id reservation and its finish, shared by the
 * 20), on {@code mem:} and on {@code file:}
 * with real fsyncs; beside it the
 * durable create floor on the same {@code file:} store (one create-if-absent of a small
 * object) and the cost of a step's experiment run alone; the per-step cost of an execution whose
 * 20 steps are all cache hits on {@code file:};
 * and one execution of a 1,000-wide map step on {@code mem:} in a 256 MiB heap.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 10, time = 2) // 20 s: with less the JIT still compiles the engine (RESULTS.md, "Session 10")
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx256m")
public class PipelineBenchmark {
  static final int STEPS = 20;

  static Pipeline chain(String name, boolean cached) {
    Pipeline.Builder b = Pipeline.builder(name);
    for (int i = 0; i < STEPS; i++) {
      Step.Builder s = Step.task("s" + i, ctx -> ctx.output("v", "x")).parameters("v");
      if (i > 0) {
        s.reads("s" + (i - 1) + ".v");
      }
      if (!cached) {
        s.noCache();
      }
      b.step(s);
    }
    return b.build();
  }

  /** A fresh mem: workspace per iteration, so the store does not grow without bound. */
  @State(Scope.Benchmark)
  public static class Mem {
    Workspace ws;
    Pipelines pipelines;
    final Pipeline empty = chain("empty", false);

    @Setup(Level.Iteration)
    public void open() {
      ws = Mlops.open(URI.create("mem:bench"), new MemObjectStore());
      pipelines = Pipelines.on(ws);
    }

    @TearDown(Level.Iteration)
    public void close() {
      pipelines.close();
      ws.close();
    }
  }

  /** A file: store in a temp directory; the cached chain has run once before measuring. */
  @State(Scope.Benchmark)
  public static class Fs {
    Path dir;
    FsObjectStore store;
    Workspace ws;
    Pipelines pipelines;
    final Pipeline empty = chain("empty", false);
    final Pipeline cached = chain("cached", true);
    final byte[] small = "{\"v\":1,\"type\":\"claimed\",\"step\":\"s1\"}".getBytes(StandardCharsets.UTF_8);
    long n;

    @Setup(Level.Trial)
    public void open() throws IOException {
      dir = Files.createTempDirectory("mlops-pipeline-bench");
      store = FsObjectStore.builder().root(dir).build();
      ws = Mlops.open(URI.create("file:" + dir), SharedStore.of(store));
      pipelines = Pipelines.on(ws);
      ExecutionResult first = pipelines.run(cached, Map.of());
      if (first.status() != ExecutionStatus.SUCCEEDED) {
        throw new IllegalStateException(first.reason());
      }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      pipelines.close();
      ws.close();
      store.close();
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** A 1,000-wide map over items, each item an uncached empty step. */
  @State(Scope.Benchmark)
  public static class FanOut {
    final Pipeline wide = Pipeline.builder("wide")
        .step(Step.map("score", IntStream.range(0, 1000).mapToObj(i -> "item-" + i).toList(),
            ctx -> ctx.output("v", ctx.item().orElseThrow())).parameters("v").noCache())
        .build();
  }

  private static ExecutionResult check(ExecutionResult r) {
    if (r.status() != ExecutionStatus.SUCCEEDED) {
      throw new IllegalStateException(r.reason());
    }
    return r;
  }

  @Benchmark
  @OperationsPerInvocation(STEPS)
  public ExecutionResult memEmptyStep(Mem s) {
    return check(s.pipelines.run(s.empty, Map.of()));
  }

  @Benchmark
  @OperationsPerInvocation(STEPS)
  public ExecutionResult fsEmptyStep(Fs s) {
    return check(s.pipelines.run(s.empty, Map.of()));
  }

  /**
   * What the experiment run of one step costs on its own: start a run with the four tags a step
   * run carries (in its START entry, as the engine does), end it.
   */
  @Benchmark
  public RunId fsStepRunAlone(Fs s) {
    return stepRun(s.ws);
  }

  /** {@link #fsStepRunAlone} on mem:. */
  @Benchmark
  public RunId memStepRunAlone(Mem s) {
    return stepRun(s.ws);
  }

  private static RunId stepRun(Workspace ws) {
    Run run = ws.experiments().startRun("pipeline.alone", "s1", Map.of(), Map.of("pipeline", "alone",
        "pipeline.execution", "e1", "pipeline.step", "s1", "pipeline.attempt", "1"));
    run.close();
    return run.id();
  }

  /** The floor: one durable create-if-absent of a small object on the same file: store. */
  @Benchmark
  public long fsDurableCreateFloor(Fs s) {
    s.store.create("floor/" + (s.n++), s.small);
    return s.n;
  }

  /**
   * {@link #fsEmptyStep} and {@link #fsDurableCreateFloor} timed in the same seconds: each
   * invocation runs one execution of the 20-step chain and then 20 floor creates on the same
   * store, and records the execution's time per step and each create's time in {@link SameSeconds}.
   * The primary score is their sum per step and means little; the target is checked by the
   * secondary results of the {@link StepFloorRatio} profiler (run with
   * {@code -prof dev.mlops.benchmarks.pipeline.StepFloorRatio}): per measurement iteration, the
   * p50 per step, the p50 of the floor and their ratio. Each iteration also prints them.
   */
  @Benchmark
  @OperationsPerInvocation(STEPS)
  public ExecutionResult fsStepVsFloor(Fs s, SameSeconds t) {
    long t0 = System.nanoTime();
    ExecutionResult r = check(s.pipelines.run(s.empty, Map.of()));
    t.step((System.nanoTime() - t0) / STEPS);
    for (int i = 0; i < STEPS; i++) {
      long t1 = System.nanoTime();
      s.store.create("floor/" + (s.n++), s.small);
      t.floor(System.nanoTime() - t1);
    }
    return r;
  }

  /** Per step, an execution whose 20 steps are all served from the cache. */
  @Benchmark
  @OperationsPerInvocation(STEPS)
  public ExecutionResult fsCacheHitStep(Fs s) {
    ExecutionResult r = check(s.pipelines.run(s.cached, Map.of()));
    if (!r.step("s19").cacheHit()) {
      throw new IllegalStateException("expected a cache hit");
    }
    return r;
  }

  /** One execution of a 1,000-wide map step on mem:, in a 256 MiB heap. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2)
  @Measurement(iterations = 5)
  public ExecutionResult memFanOut1000(FanOut f) {
    try (Workspace ws = Mlops.open(URI.create("mem:fan"), new MemObjectStore()); Pipelines p = Pipelines.on(ws)) {
      ExecutionResult r = check(p.run(f.wide, Map.of()));
      List<String> v = r.step("score").output("v").list();
      if (v.size() != 1000) {
        throw new IllegalStateException("expected 1000 items, got " + v.size());
      }
      return r;
    }
  }
}
