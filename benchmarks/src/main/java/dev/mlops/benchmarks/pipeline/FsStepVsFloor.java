package dev.mlops.benchmarks.pipeline;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.fs.FsObjectStore;
import dev.mlops.pipeline.Pipeline;
import dev.mlops.pipeline.Pipelines;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A timed local run (not JMH) of {@link PipelineBenchmark#fsEmptyStep} against its floor with the
 * two measured in the same seconds: round after round, one execution of the 20-step chain and then
 * 20 creates of a small object into an existing directory of another {@code file:} store on the
 * same disk (the {@link PipelineBenchmark#fsDurableCreateFloor} create). JMH runs the two
 * benchmarks minutes apart, and this disk's floor moves by 2x between runs; here both see the
 * same disk. Prints p50 per step, p50 of the floor and their ratio, and the median of the
 * per-round ratios.
 *
 * <p>Also prints the process's CPU time (all threads, user and system) per step and per floor
 * create: on the benchmark machine a step's CPU time is about its wall time, most of it system
 * time in {@code fsync} (benchmarks/RESULTS.md, "Session 9").
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.mlops.benchmarks.pipeline.FsStepVsFloor [rounds [warm-up]]}
 * (default 40 rounds after 400 warm-up executions of the chain, about 15 s: after 100 the JIT
 * compiler was still compiling during the rounds and took CPU time from the step on the two
 * cores; benchmarks/RESULTS.md, "Session 10").
 *
 * <p>Not thread-safe; a program, run from {@link #main}.
 */
public final class FsStepVsFloor {
  private FsStepVsFloor() {}

  /**
   * @param args optional: the number of rounds
   * @throws Exception if the disk fails
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 400;
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long stepCpu = 0;
    long floorCpu = 0;
    Path dir = Files.createTempDirectory("mlops-step-vs-floor");
    byte[] small = "{\"v\":1,\"type\":\"claimed\",\"step\":\"s1\"}".getBytes(StandardCharsets.UTF_8);
    try (Workspace ws = Mlops.open(dir.resolve("ws").toUri().toString());
        Pipelines pipelines = Pipelines.on(ws);
        FsObjectStore floorStore = FsObjectStore.builder().root(dir.resolve("floor")).build()) {
      Pipeline chain = PipelineBenchmark.chain("empty", false);
      int steps = PipelineBenchmark.STEPS;
      long[] perStep = new long[rounds];
      long[] floor = new long[rounds * steps];
      double[] ratio = new double[rounds];
      int f = 0;
      for (int r = -warmUp; r < rounds; r++) {
        long c0 = os.getProcessCpuTime();
        long t = System.nanoTime();
        pipelines.run(chain, Map.of());
        long step = (System.nanoTime() - t) / steps;
        long c1 = os.getProcessCpuTime();
        long[] round = new long[steps];
        for (int i = 0; i < steps; i++) {
          long t2 = System.nanoTime();
          floorStore.create("floor/" + (f++), small);
          round[i] = System.nanoTime() - t2;
        }
        long c2 = os.getProcessCpuTime();
        if (r >= 0) {
          stepCpu += c1 - c0;
          floorCpu += c2 - c1;
          perStep[r] = step;
          System.arraycopy(round, 0, floor, r * steps, steps);
          Arrays.sort(round);
          ratio[r] = (double) step / round[steps / 2];
        }
      }
      Arrays.sort(perStep);
      Arrays.sort(floor);
      Arrays.sort(ratio);
      long p50 = perStep[rounds / 2];
      long floorP50 = floor[floor.length / 2];
      System.out.printf("per step p50 %d us, floor p50 %d us: %.2fx; median of the %d rounds' ratios %.2fx%n",
          p50 / 1000, floorP50 / 1000, (double) p50 / floorP50, rounds, ratio[rounds / 2]);
      System.out.printf("process CPU time: %d us per step, %d us per floor create%n",
          stepCpu / ((long) rounds * steps) / 1000, floorCpu / ((long) rounds * steps) / 1000);
    }
  }
}
