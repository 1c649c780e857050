package dev.mlops.benchmarks.pipeline;

import java.util.Arrays;
import java.util.Locale;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The samples of {@link PipelineBenchmark#fsStepVsFloor} in one iteration: the time per step of
 * each execution and the time of each floor create, in nanoseconds. At the end of an iteration it
 * prints their p50s and ratio and hands them to {@link StepFloorRatio}, which reports them as JMH
 * results.
 *
 * <p>One benchmark thread records; {@link #last} is read by the profiler on the runner's thread
 * after the iteration ended.
 */
@State(Scope.Benchmark)
public class SameSeconds {
  /** An iteration's p50 per step and p50 of the floor, in nanoseconds, with the sample counts. */
  record Summary(long stepP50, int steps, long floorP50, int floors) {
    double ratio() {
      return (double) stepP50 / floorP50;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "step p50 %d us (%d executions), floor p50 %d us (%d creates): %.2fx",
          stepP50 / 1000, steps, floorP50 / 1000, floors, ratio());
    }
  }

  private static volatile Summary last;

  private long[] steps = new long[256];
  private int stepCount;
  private long[] floors = new long[4096];
  private int floorCount;

  void step(long nanos) {
    if (stepCount == steps.length) {
      steps = Arrays.copyOf(steps, stepCount * 2);
    }
    steps[stepCount++] = nanos;
  }

  void floor(long nanos) {
    if (floorCount == floors.length) {
      floors = Arrays.copyOf(floors, floorCount * 2);
    }
    floors[floorCount++] = nanos;
  }

  /** Starts an iteration with no samples. */
  @Setup(Level.Iteration)
  public void reset() {
    stepCount = 0;
    floorCount = 0;
  }

  /** Prints the iteration's summary and keeps it for the profiler. */
  @TearDown(Level.Iteration)
  public void summarise() {
    if (stepCount == 0 || floorCount == 0) {
      last = null;
      return;
    }
    Summary s = new Summary(median(steps, stepCount), stepCount, median(floors, floorCount), floorCount);
    System.out.println("[same seconds] " + s);
    last = s;
  }

  /** The summary of the iteration that ended last, once; null if there is none. */
  static Summary take() {
    Summary s = last;
    last = null;
    return s;
  }

  static long median(long[] samples, int count) {
    long[] sorted = Arrays.copyOf(samples, count);
    Arrays.sort(sorted);
    return sorted[count / 2];
  }
}
