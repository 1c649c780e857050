package dev.mlops.benchmarks.monitor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;

/**
 * A load-tolerant companion to {@link MonitorRecordBenchmark} for a machine shared with other
 * builds: the same floor / {@code record} / {@code recordChecked} calls on the same data, timed by
 * each thread's CPU time ({@link ThreadMXBean#getCurrentThreadCpuTime()}) instead of wall time, so
 * time spent descheduled by other processes' load is not counted (cache and memory-bandwidth
 * interference still is). One variant per JVM, so the JIT sees only that variant's code, as in a
 * JMH fork; run the variants alternately from a script and compare medians.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.mlops.benchmarks.monitor.MonitorRecordCpuTime
 * floor|record|recordChecked|mixed|mixedChecked [threads] [batches]} ({@code mixed*}: the calls of
 * {@link MonitorRecordMixedBenchmark}); prints the median, minimum and maximum CPU ns
 * per call over the batches (1M calls each, after 2 s of warm-up), per thread.
 *
 * <p>Not thread-safe (a command-line program).
 */
public final class MonitorRecordCpuTime {
  private static final int BATCH = 1_000_000;

  private MonitorRecordCpuTime() {}

  /**
   * @param args variant, threads (default 1), measured batches (default 15)
   * @throws Exception if a thread fails
   */
  public static void main(String[] args) throws Exception {
    String variant = args.length > 0 ? args[0] : "record";
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int batches = args.length > 2 ? Integer.parseInt(args[2]) : 15;
    MonitorRecordBenchmark.Shared shared = new MonitorRecordBenchmark.Shared();
    shared.setUp();
    MonitorRecordMixedBenchmark.Shared mixed = new MonitorRecordMixedBenchmark.Shared();
    if (variant.startsWith("mixed")) {
      mixed.setUp();
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    double[][] perThread = new double[threads][];
    CyclicBarrier barrier = new CyclicBarrier(threads);
    Thread[] workers = new Thread[threads];
    Throwable[] failure = new Throwable[1];
    for (int t = 0; t < threads; t++) {
      int me = t;
      workers[t] = new Thread(() -> {
        try {
          MonitorRecordBenchmark.Rows rows = new MonitorRecordBenchmark.Rows();
          rows.setUp();
          MonitorRecordMixedBenchmark.Rows mixedRows = new MonitorRecordMixedBenchmark.Rows();
          mixedRows.setUp();
          long sink = 0;
          long warmUntil = System.nanoTime() + 2_000_000_000L;
          while (System.nanoTime() < warmUntil) {
            sink += run(variant, shared, rows, mixed, mixedRows, 100_000);
          }
          double[] ns = new double[batches];
          for (int b = 0; b < batches; b++) {
            barrier.await();
            long start = mx.getCurrentThreadCpuTime();
            sink += run(variant, shared, rows, mixed, mixedRows, BATCH);
            ns[b] = (double) (mx.getCurrentThreadCpuTime() - start) / BATCH;
          }
          perThread[me] = ns;
          if (sink == 42) {
            System.out.print("");
          }
        } catch (Throwable e) {
          failure[0] = e;
        }
      });
      workers[t].start();
    }
    for (Thread w : workers) {
      w.join();
    }
    if (failure[0] != null) {
      throw new IllegalStateException("a worker failed", failure[0]);
    }
    double[] all = Arrays.stream(perThread).flatMapToDouble(Arrays::stream).sorted().toArray();
    System.out.printf(Locale.ROOT, "%s threads=%d batches=%d cpu-ns/op median %.1f min %.1f max %.1f%n", variant,
        threads, batches, all[all.length / 2], all[0], all[all.length - 1]);
  }

  private static long run(String variant, MonitorRecordBenchmark.Shared shared, MonitorRecordBenchmark.Rows rows,
      MonitorRecordMixedBenchmark.Shared mixed, MonitorRecordMixedBenchmark.Rows mixedRows, int calls) {
    long sink = 0;
    switch (variant) {
      case "floor" -> {
        for (int i = 0; i < calls; i++) {
          sink += MonitorRecordBenchmark.floorOf(shared.edges, rows.nextRow(), rows.counts)[0];
        }
      }
      case "record" -> {
        for (int i = 0; i < calls; i++) {
          shared.monitor.record(rows.nextRow(), 0.5);
        }
      }
      case "recordChecked" -> {
        for (int i = 0; i < calls; i++) {
          shared.checked.record(rows.nextRow(), 0.5);
        }
      }
      case "mixed" -> {
        for (int i = 0; i < calls; i++) {
          int r = mixedRows.next++ & (MonitorRecordMixedBenchmark.ROWS - 1);
          mixed.plain.record(mixedRows.rows[r], mixedRows.codes[r], 0.5);
        }
      }
      case "mixedChecked" -> {
        for (int i = 0; i < calls; i++) {
          int r = mixedRows.next++ & (MonitorRecordMixedBenchmark.ROWS - 1);
          mixed.checked.record(mixedRows.rows[r], mixedRows.codes[r], 0.5);
        }
      }
      default -> throw new IllegalArgumentException("variant must be floor, record, recordChecked, mixed or mixedChecked, got " + variant);
    }
    return sink;
  }
}
