package dev.mlops.drift;

import static dev.mlops.drift.PredictionMonitorTest.PROFILE;
import static dev.mlops.drift.PredictionMonitorTest.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Count windows close at exactly their count: every report of {@code tumbling(n)} holds n records,
 * for one recording thread and for bursts from several, whatever the executor.
 */
class CountWindowTest {

  private static void burst(PredictionMonitor monitor, int threads, int perThread) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long seed = 100 + t;
      Thread w = new Thread(() -> {
        Random rnd = new Random(seed);
        double[][] rows = new double[64][];
        for (int i = 0; i < rows.length; i++) {
          rows[i] = row(rnd, 0);
        }
        int[] code = {1};
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        for (int i = 0; i < perThread; i++) {
          monitor.record(rows[i & 63], code, 0.25);
        }
      });
      w.start();
      workers.add(w);
    }
    start.countDown();
    for (Thread w : workers) {
      w.join();
    }
  }

  @Test
  void singleThreadTumblingWindowsHoldExactlyTheirCount() {
    List<DriftReport> reports = new ArrayList<>();
    PredictionMonitor monitor = PredictionMonitor.builder(PROFILE).windowing(Windowing.tumbling(1_000))
        .executor(Runnable::run).onWindow(reports::add).build();
    Random rnd = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      monitor.record(row(rnd, 0), new int[] {0}, 0);
    }
    assertThat(reports).hasSize(10);
    assertThat(reports).allSatisfy(r -> assertThat(r.records()).isEqualTo(1_000));
    assertThat(reports).allSatisfy(r -> assertThat(r.snapshot().predictions).isEqualTo(1_000));
    assertThat(monitor.snapshot().records()).isZero();
  }

  @Test
  void burstFromSeveralThreadsFillsEveryWindowExactly() throws Exception {
    ExecutorService closer = Executors.newSingleThreadExecutor();
    try {
      List<DriftReport> reports = new CopyOnWriteArrayList<>();
      PredictionMonitor monitor = PredictionMonitor.builder(PROFILE).windowing(Windowing.tumbling(1_000))
          .executor(closer).onWindow(reports::add).build();
      burst(monitor, 4, 2_500);
      closer.shutdown();
      assertThat(closer.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

      assertThat(reports).extracting(DriftReport::records).containsExactly(
          1_000L, 1_000L, 1_000L, 1_000L, 1_000L, 1_000L, 1_000L, 1_000L, 1_000L, 1_000L);
      assertThat(reports).allSatisfy(r -> {
        assertThat(r.snapshot().predictions).isEqualTo(1_000);
        assertThat(r.feature("device").orElseThrow().count()).isEqualTo(1_000);
      });
      assertThat(monitor.snapshot().records()).isZero();
    } finally {
      closer.shutdownNow();
    }
  }

  @Test
  void burstWithDirectExecutorAndManyWindowsLosesAndSplitsNothing() throws Exception {
    List<DriftReport> reports = new CopyOnWriteArrayList<>();
    PredictionMonitor monitor = PredictionMonitor.builder(PROFILE).windowing(Windowing.tumbling(37))
        .executor(Runnable::run).onWindow(reports::add).stripes(2).build();
    burst(monitor, 6, 3_700);
    assertThat(reports).hasSize(600);
    assertThat(reports).allSatisfy(r -> assertThat(r.records()).isEqualTo(37));
    assertThat(monitor.snapshot().records()).isZero();
  }

  @Test
  void slidingCountWindowsCoverExactlyTheirPanes() throws Exception {
    ExecutorService closer = Executors.newSingleThreadExecutor();
    try {
      List<DriftReport> reports = new CopyOnWriteArrayList<>();
      PredictionMonitor monitor = PredictionMonitor.builder(PROFILE).windowing(Windowing.sliding(3_000, 1_000))
          .executor(closer).onWindow(reports::add).build();
      burst(monitor, 3, 2_000);
      closer.shutdown();
      assertThat(closer.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      assertThat(reports).extracting(DriftReport::records)
          .containsExactly(1_000L, 2_000L, 3_000L, 3_000L, 3_000L, 3_000L);
    } finally {
      closer.shutdownNow();
    }
  }

  @Test
  void closeWindowCutsTheOpenWindowAndTheRestOfItsRangeFollows() {
    List<DriftReport> reports = new ArrayList<>();
    PredictionMonitor monitor = PredictionMonitor.builder(PROFILE).windowing(Windowing.tumbling(1_000))
        .executor(Runnable::run).onWindow(reports::add).build();
    Random rnd = new Random(3);
    for (int i = 0; i < 300; i++) {
      monitor.record(row(rnd, 0), new int[] {0}, 0);
    }
    assertThat(monitor.closeWindow().records()).isEqualTo(300);
    for (int i = 0; i < 2_000; i++) {
      monitor.record(row(rnd, 0), new int[] {0}, 0);
    }
    // Windows cover records [k * 1000, (k + 1) * 1000) in arrival order; the cut one is split.
    assertThat(reports).extracting(DriftReport::records).containsExactly(300L, 700L, 1_000L);
    assertThat(monitor.snapshot().records()).isEqualTo(300);
  }
}
