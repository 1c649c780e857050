package dev.mlops.benchmarks.monitor;

import dev.mlops.drift.PredictionMonitor;
import dev.mlops.drift.Windowing;
import dev.mlops.micrometer.PredictionMonitorMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * {@code PredictionMonitor.record} (20 numeric features) with the Micrometer binder attached to a
 * Prometheus registry that a background thread scrapes every 10 ms (far more often than a real
 * scraper), beside the same record without a binder and the floor of {@link MonitorRecordBenchmark},
 * all in one run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MonitorMetricsBenchmark {
  /** A monitor with the binder and a scraping thread, and a plain one. */
  @State(Scope.Benchmark)
  public static class Metered {
    PredictionMonitor plain;
    PredictionMonitor metered;
    PrometheusMeterRegistry prometheus;
    Thread scraper;
    final AtomicLong scrapes = new AtomicLong();
    volatile boolean stop;

    @Setup(Level.Trial)
    public void setUp(MonitorRecordBenchmark.Shared shared, MonitorRecordBenchmark.Rows rows) {
      plain = PredictionMonitor.builder(shared.monitor.baseline()).windowing(Windowing.manual()).build();
      metered = PredictionMonitor.builder(shared.monitor.baseline()).windowing(Windowing.manual()).build();
      for (int i = 0; i < 1_000; i++) {
        metered.record(rows.nextRow(), 0.5);
      }
      metered.closeWindow(); // so the gauges have a window to read
      prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      new PredictionMonitorMetrics(metered, Tags.of("model", "bench")).bindTo(prometheus);
      scraper = new Thread(() -> {
        while (!stop) {
          if (prometheus.scrape().isEmpty()) {
            throw new IllegalStateException("empty scrape");
          }
          scrapes.incrementAndGet();
          try {
            Thread.sleep(10);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "scraper");
      scraper.setDaemon(true);
      scraper.start();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
      stop = true;
      scraper.join();
      System.out.println("\nscrapes: " + scrapes.get());
    }
  }

  @Benchmark
  @Threads(1)
  public long[] floor(MonitorRecordBenchmark.Shared shared, MonitorRecordBenchmark.Rows rows) {
    return MonitorRecordBenchmark.floorOf(shared.edges, rows.nextRow(), rows.counts);
  }

  @Benchmark
  @Threads(1)
  public void record(Metered m, MonitorRecordBenchmark.Rows rows) {
    m.plain.record(rows.nextRow(), 0.5);
  }

  @Benchmark
  @Threads(1)
  public void recordWithBinderScraped(Metered m, MonitorRecordBenchmark.Rows rows) {
    m.metered.record(rows.nextRow(), 0.5);
  }

  @Benchmark
  @Threads(2)
  public void recordWithBinderScraped2Threads(Metered m, MonitorRecordBenchmark.Rows rows) {
    m.metered.record(rows.nextRow(), 0.5);
  }

}
