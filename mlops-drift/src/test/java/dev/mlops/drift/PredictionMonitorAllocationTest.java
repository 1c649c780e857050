package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hot path must not allocate: measured with the JVM's per-thread allocation counter. */
class PredictionMonitorAllocationTest {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private static long allocatedBytes() {
    return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  @Test
  void recordAndRecordOutcomeAllocateNothing() {
    assertThat(THREADS.isThreadAllocatedMemorySupported()).isTrue();
    THREADS.setThreadAllocatedMemoryEnabled(true);
    PredictionMonitor monitor = PredictionMonitor.builder(PredictionMonitorTest.PROFILE)
        .windowing(Windowing.manual()).outcomes(QualityMetric.ACCURACY, 4_096).build();
    Random rnd = new Random(1);
    int n = 4_096;
    double[][] rows = new double[n][];
    for (int i = 0; i < n; i++) {
      rows[i] = PredictionMonitorTest.row(rnd, 0);
      if (i % 17 == 0) {
        rows[i][1] = Double.NaN;
      }
      if (i % 31 == 0) {
        rows[i][2] = Double.POSITIVE_INFINITY;
      }
    }
    int[][] codes = {{0}, {1}, {2}, {-1}, {9}};

    run(monitor, rows, codes, 200_000); // warm up: interpreter, then compiled code
    long overhead = allocatedBytes();
    overhead = allocatedBytes() - overhead;
    long before = allocatedBytes();
    run(monitor, rows, codes, 500_000);
    long allocated = allocatedBytes() - before - overhead;

    // 500k record calls + 500k recordOutcome calls; a single boxed value per call would be 8 MB.
    assertThat(allocated).as("bytes allocated by 1M hot-path calls").isLessThan(1_024);
  }

  @Test
  void recordIntoCountWindowsAllocatesNothingBetweenWindowEnds() {
    THREADS.setThreadAllocatedMemoryEnabled(true);
    PredictionMonitor monitor = PredictionMonitor.builder(PredictionMonitorTest.PROFILE)
        .windowing(Windowing.tumbling(1L << 40)).build();
    Random rnd = new Random(2);
    double[][] rows = new double[1_024][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = PredictionMonitorTest.row(rnd, 0);
    }
    int[] code = {1};
    for (int i = 0; i < 200_000; i++) {
      monitor.record(rows[i & 1_023], code, 0.5);
    }
    long overhead = allocatedBytes();
    overhead = allocatedBytes() - overhead;
    long before = allocatedBytes();
    for (int i = 0; i < 500_000; i++) {
      monitor.record(rows[i & 1_023], code, 0.5);
    }
    long allocated = allocatedBytes() - before - overhead;
    assertThat(allocated).as("bytes allocated by 500k record calls into a count window").isLessThan(1_024);
  }

  private static void run(PredictionMonitor monitor, double[][] rows, int[][] codes, int calls) {
    for (int i = 0; i < calls; i++) {
      double[] row = rows[i & (rows.length - 1)];
      monitor.record(i, row, codes[i % codes.length], i & 1);
      monitor.recordOutcome(i - 100, (i & 3) == 0 ? 0 : 1);
      if ((i & 7) == 0) {
        monitor.record(row, codes[0], 0.5);
      }
    }
  }
}
