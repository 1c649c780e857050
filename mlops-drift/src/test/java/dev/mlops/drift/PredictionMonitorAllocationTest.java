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
        .windowing(Windowing.manual()).outcomes(QualityMetric.ACCURACY, 4_096)
        .check(WindowCheckTest.fixed("always-drift", CheckVerdict.DRIFT)).build(); // checks never touch record
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

  @Test
  void recordingByNameAndFromAnOnlineVectorAllocatesNothing() {
    THREADS.setThreadAllocatedMemoryEnabled(true);
    PredictionMonitor monitor = PredictionMonitor.builder(PredictionMonitorTest.PROFILE)
        .windowing(Windowing.manual()).build();
    MonitorInput in = monitor.newInput();
    int age = in.slot("age");
    int device = in.slot("device");
    VectorBinding binding = monitor.bind(java.util.List.of(dev.mlops.features.FeatureRef.parse("v:income"),
        dev.mlops.features.FeatureRef.parse("v:score"), dev.mlops.features.FeatureRef.parse("v:device")));
    dev.mlops.features.OnlineVector vector = new dev.mlops.features.OnlineVector(3);
    vector.layout(1, new int[] {0, 0, 0}, new int[] {0, 1, 2});
    vector.setRow(0, new Object[] {52_000.0, 0.25, "web"}, dev.mlops.features.FeatureStatus.PRESENT,
        dev.mlops.features.FeatureStatus.NOT_FOUND, 5);
    Runnable calls = () -> {
      for (int i = 0; i < 100_000; i++) {
        in.set(age, 40 + (i & 15)).setCategory(device, "ios").set("score", 0.5).record(0.5);
        in.set(vector, binding).set("age", 30).record(0.25);
      }
    };
    calls.run(); // warm up
    calls.run();
    long overhead = allocatedBytes();
    overhead = allocatedBytes() - overhead;
    long before = allocatedBytes();
    calls.run();
    long allocated = allocatedBytes() - before - overhead;
    assertThat(allocated).as("bytes allocated by 200k records through MonitorInput").isLessThan(1_024);
  }

  @Test
  void recordWithDataQualityRulesAllocatesNothing() {
    THREADS.setThreadAllocatedMemoryEnabled(true);
    PredictionMonitor monitor = PredictionMonitor.builder(PredictionMonitorTest.PROFILE)
        .windowing(Windowing.manual()).dataQuality(DataQualityMonitorTest.RULES).build();
    MonitorInput in = monitor.newInput();
    java.util.Map<String, Object> row = new java.util.HashMap<>(java.util.Map.of(
        "age", 41.0, "income", 50_000.0, "device", "ios", "extra", "x"));
    double[] values = new double[3];
    int[] code = new int[1];
    Object wrongType = 2.5;
    Object web = "web";
    Runnable calls = () -> {
      for (int i = 0; i < 100_000; i++) {
        DataQualityMonitorTest.plant(i, values, code);
        monitor.record(values, code, 0.5);
        in.put(row).put("score", i & 1).setCategory("device", (i & 7) == 0 ? wrongType : web).record(0.5);
      }
    };
    calls.run(); // warm up
    calls.run();
    long overhead = allocatedBytes();
    overhead = allocatedBytes() - overhead;
    long before = allocatedBytes();
    calls.run();
    long allocated = allocatedBytes() - before - overhead;
    assertThat(allocated).as("bytes allocated by 200k records with data-quality checks").isLessThan(1_024);
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
