package dev.mlops.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.CorruptDataException;
import dev.mlops.MetricPoint;
import dev.mlops.Run;
import dev.mlops.RunStatus;
import dev.mlops.StorageException;
import dev.mlops.spi.ForwardingObjectStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RunMetricsTest {

  /** A clock that moves forward one millisecond per reading. */
  static final class TickingClock extends Clock {
    private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

    @Override public ZoneId getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(ZoneId zone) { return this; }
    @Override public long millis() { return millis.incrementAndGet(); }
    @Override public Instant instant() { return Instant.ofEpochMilli(millis()); }
  }

  /** The real mem: store whose metric-segment creates fail while {@code failures} is positive. */
  static final class FlakyStore extends ForwardingObjectStore {
    final MemObjectStore d;
    final AtomicInteger failures = new AtomicInteger();
    final AtomicInteger attempts = new AtomicInteger();

    FlakyStore() {
      this(new MemObjectStore());
    }

    private FlakyStore(MemObjectStore d) {
      super(d);
      this.d = d;
    }

    @Override public void create(String key, byte[] bytes) {
      if (key.contains("/metrics/")) {
        attempts.incrementAndGet();
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          throw new StorageException("injected failure creating " + key, null, true);
        }
      }
      super.create(key, bytes);
    }
  }

  private static MetricBuffer.Settings settings(int chunk, int maxPending, int attempts) {
    // a long flush interval keeps the timer out of the way of tests that count attempts
    return new MetricBuffer.Settings(chunk, maxPending, Duration.ofHours(1), attempts, Duration.ofMillis(1));
  }

  @Test
  void valuesRoundTripExactlyIncludingNanInfinityAndExtremes() {
    double[] values = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MAX_VALUE,
        -Double.MAX_VALUE, Double.MIN_VALUE, -0.0, 0.0, 1e308, 1e-308, 0.1 + 0.2,
        Double.longBitsToDouble(0x7ff8000000000123L)};
    MemObjectStore store = new MemObjectStore();
    try (CoreExperiments ex = new CoreExperiments(store, new TickingClock(), "t", settings(5, 4, 3))) {
      Run run = ex.startRun("e");
      for (int i = 0; i < values.length; i++) {
        run.logMetric("v", values[i], i);
      }
      run.logMetric("steps", 1.0, Long.MIN_VALUE);
      run.logMetric("steps", 2.0, Long.MAX_VALUE);
      List<MetricPoint> h = ex.metricHistory(run.id(), "v");
      assertThat(h).hasSize(values.length);
      for (int i = 0; i < values.length; i++) {
        assertThat(Double.doubleToRawLongBits(h.get(i).value())).isEqualTo(Double.doubleToRawLongBits(values[i]));
        assertThat(h.get(i).step()).isEqualTo(i);
      }
      assertThat(ex.metricHistory(run.id(), "steps")).extracting(MetricPoint::step)
          .containsExactly(Long.MIN_VALUE, Long.MAX_VALUE);
      run.end(RunStatus.FINISHED);
      assertThat(Double.doubleToRawLongBits(ex.getRun(run.id()).latestMetrics().get("v")))
          .isEqualTo(0x7ff8000000000123L); // the NaN payload survives the END entry
      assertThat(ex.getRun(run.id()).latestMetrics()).containsEntry("steps", 2.0);
    }
  }

  @Property(tries = 50)
  void anySeriesRoundTripsBitForBit(@ForAll @Size(max = 300) List<Double> values, @ForAll long stepBase) {
    MemObjectStore store = new MemObjectStore();
    try (CoreExperiments ex = new CoreExperiments(store, new TickingClock(), "t", settings(64, 4, 3))) {
      Run run = ex.startRun("p");
      for (int i = 0; i < values.size(); i++) {
        run.logMetric("m", values.get(i), stepBase + i);
      }
      List<MetricPoint> h = new ArrayList<>(ex.metricHistory(run.id(), "m"));
      h.sort((a, b) -> Long.compare(a.timestampMillis(), b.timestampMillis())); // logging order
      assertThat(h).hasSize(values.size());
      for (int i = 0; i < values.size(); i++) {
        assertThat(Double.doubleToRawLongBits(h.get(i).value())).isEqualTo(Double.doubleToRawLongBits(values.get(i)));
        assertThat(h.get(i).step()).isEqualTo(stepBase + i);
      }
    }
  }

  @Test
  void historyIsOrderedByStepThenTimeAndLatestIsTheHighestStep() {
    MemObjectStore store = new MemObjectStore();
    try (CoreExperiments ex = new CoreExperiments(store, new TickingClock(), "t", settings(3, 4, 3))) {
      Run run = ex.startRun("e");
      run.logMetric("loss", 5.0, 10);
      run.logMetric("loss", 1.0, 2);
      run.logMetric("loss", 2.0, 10); // same step, later: wins
      run.logMetric("loss", 9.0, 3);
      run.logMetric("acc", 0.5, 0);
      assertThat(ex.metricHistory(run.id(), "loss")).extracting(MetricPoint::value).containsExactly(1.0, 9.0, 5.0, 2.0);
      assertThat(run.info().latestMetrics()).containsEntry("loss", 2.0).containsEntry("acc", 0.5);
      assertThat(ex.metricHistory(run.id(), "absent")).isEmpty();
    }
  }

  @Test
  void aMillionPointsBecomeFewSegments() {
    MemObjectStore store = new MemObjectStore();
    try (CoreWorkspace ws = CoreWorkspace.builder(store).build()) {
      Run run = ws.experiments().startRun("big");
      for (int i = 0; i < 1_000_000; i++) {
        run.logMetric((i & 1) == 0 ? "loss" : "acc", i * 0.5, i);
      }
      run.end(RunStatus.FINISHED);
      long segments = store.listAll("runs/" + run.id() + "/metrics/").count();
      assertThat(segments).isGreaterThanOrEqualTo(100).isLessThan(1_000);
      List<MetricPoint> loss = ws.experiments().metricHistory(run.id(), "loss");
      assertThat(loss).hasSize(500_000);
      for (int i = 0; i < loss.size(); i++) {
        if (loss.get(i).step() != 2L * i || loss.get(i).value() != i) {
          throw new AssertionError("point " + i + " is " + loss.get(i));
        }
      }
      assertThat(ws.experiments().getRun(run.id()).latestMetrics())
          .containsEntry("loss", 499_999.0).containsEntry("acc", 499_999.5);
    }
  }

  @Test
  void pointsLoggedFromManyThreadsAreAllStored() throws Exception {
    MemObjectStore store = new MemObjectStore();
    int threads = 4;
    int perThread = 10_000;
    try (CoreExperiments ex = new CoreExperiments(store, Clock.systemUTC(), "t", settings(1_000, 2, 3))) {
      Run run = ex.startRun("e");
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          String key = "k" + t;
          done.add(pool.submit(() -> {
            for (int i = 0; i < perThread; i++) {
              run.logMetric(key, i, i);
              run.logMetric("shared", i, i);
            }
          }));
        }
        for (Future<?> f : done) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      run.flush();
      for (int t = 0; t < threads; t++) {
        List<MetricPoint> h = ex.metricHistory(run.id(), "k" + t);
        assertThat(h).hasSize(perThread);
        for (int i = 0; i < perThread; i++) {
          if (h.get(i).step() != i || h.get(i).value() != i) {
            throw new AssertionError("k" + t + " point " + i + " is " + h.get(i));
          }
        }
      }
      assertThat(ex.metricHistory(run.id(), "shared")).hasSize(threads * perThread);
    }
  }

  @Test
  void aFailingWriterIsRetriedThenSurfacedOnFlushAndNothingIsLost() {
    FlakyStore store = new FlakyStore();
    try (CoreExperiments ex = new CoreExperiments(store, new TickingClock(), "t", settings(10, 100, 3))) {
      Run run = ex.startRun("e");
      store.failures.set(2); // fewer than the attempts: retried silently
      for (int i = 0; i < 25; i++) {
        run.logMetric("m", i, i);
      }
      run.flush();
      assertThat(ex.metricHistory(run.id(), "m")).hasSize(25);

      store.failures.set(6); // as many as the attempts, twice: reported
      for (int i = 25; i < 30; i++) {
        run.logMetric("m", i, i);
      }
      assertThatThrownBy(run::flush).isInstanceOf(StorageException.class)
          .hasMessageContaining("kept").rootCause()
          .hasMessageStartingWith("injected failure creating runs/" + run.id() + "/metrics/");
      assertThatThrownBy(() -> run.end(RunStatus.FINISHED)).isInstanceOf(StorageException.class); // fails again...
      assertThat(ex.getRun(run.id()).status()).isEqualTo(RunStatus.RUNNING);

      store.failures.set(0); // ...until storage recovers
      run.end(RunStatus.FINISHED);
      assertThat(ex.metricHistory(run.id(), "m")).extracting(MetricPoint::step)
          .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 30).boxed().toList());
      assertThat(ex.getRun(run.id()).latestMetrics()).containsEntry("m", 29.0);
    }
  }

  @Test
  void loggingBlocksWhenTheWriterFallsBehindAndFailsWhenItCannotCatchUp() {
    FlakyStore store = new FlakyStore();
    try (CoreExperiments ex = new CoreExperiments(store, new TickingClock(), "t", settings(10, 2, 2))) {
      Run run = ex.startRun("e");
      store.failures.set(Integer.MAX_VALUE);
      int logged = 0;
      StorageException refused = null;
      for (int i = 0; i < 1_000 && refused == null; i++) {
        try {
          run.logMetric("m", i, i);
          logged++;
        } catch (StorageException e) {
          refused = e;
        }
      }
      // the current chunk plus at most maxPending sealed chunks are held: memory is bounded
      assertThat(refused).isNotNull().hasMessageContaining("not logged");
      assertThat(logged).isEqualTo(10 * (2 + 1));
      store.failures.set(0);
      run.logMetric("m", 30, 30);
      run.end(RunStatus.FINISHED);
      assertThat(ex.metricHistory(run.id(), "m")).hasSize(31);
    }
  }

  @Test
  void aCorruptSegmentIsNamedWhenRead() {
    MemObjectStore store = new MemObjectStore();
    try (CoreExperiments ex = new CoreExperiments(store, new TickingClock(), "t", settings(10, 4, 3))) {
      Run run = ex.startRun("e");
      run.logMetric("m", 1.0, 1);
      run.flush();
      String key = store.listAll("runs/" + run.id() + "/metrics/").findFirst().orElseThrow();
      byte[] bytes = store.get(key).orElseThrow();
      bytes[bytes.length - 10] ^= 1;
      store.delete(key);
      store.create(key, bytes);
      assertThatThrownBy(() -> ex.metricHistory(run.id(), "m"))
          .isInstanceOf(CorruptDataException.class).hasMessageContaining(key).hasMessageContaining("checksum");
    }
  }

  @Test
  void segmentFormatRejectsWhatItDoesNotKnow() {
    byte[] ok = MetricSegments.encode(List.of("a", "b"), new int[] {1, 0}, new long[] {1, 2}, new long[] {3, 4},
        new long[] {5, 6}, 2);
    MetricSegments.Segment s = MetricSegments.decode("k", ok);
    assertThat(s.keys()).containsExactly("b", "a"); // only used keys, in order of first use
    assertThat(s.steps()).containsExactly(3, 4);

    byte[] future = ok.clone();
    future[5] = 2; // format version 2
    assertThatThrownBy(() -> MetricSegments.decode("k", future)).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining("format version 2");
    assertThatThrownBy(() -> MetricSegments.decode("k", java.util.Arrays.copyOf(ok, ok.length - 3)))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("'k'");
    assertThatThrownBy(() -> MetricSegments.decode("k", new byte[0])).isInstanceOf(CorruptDataException.class);
  }

  @Test
  void slowLoggingIsNotStoredAsOneObjectPerPoint() throws Exception {
    MemObjectStore store = new MemObjectStore();
    MetricBuffer.Settings tickEvery5ms = new MetricBuffer.Settings(10_000, 4, Duration.ofMillis(5), 3, Duration.ofMillis(1));
    try (CoreExperiments ex = new CoreExperiments(store, new TickingClock(), "t", tickEvery5ms)) {
      Run run = ex.startRun("e");
      int points = 60;
      for (int i = 0; i < points; i++) {
        run.logMetric("slow", i, i);
        Thread.sleep(5); // about one timer tick per point
      }
      run.flush();
      assertThat(ex.metricHistory(run.id(), "slow")).hasSize(points);
      assertThat(store.listAll("runs/" + run.id() + "/metrics/").count()).isLessThan(points / 5);
    }
  }

  @Test
  void theTimerStoresAPartChunkWithoutAFlush() throws Exception {
    MemObjectStore store = new MemObjectStore();
    MetricBuffer.Settings quick = new MetricBuffer.Settings(10_000, 4, Duration.ofMillis(50), 3, Duration.ofMillis(1));
    try (CoreExperiments ex = new CoreExperiments(store, new TickingClock(), "t", quick)) {
      Run run = ex.startRun("e");
      run.logMetric("m", 1.0, 1);
      String prefix = "runs/" + run.id() + "/metrics/";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (store.listAll(prefix).findAny().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(store.listAll(prefix).count()).isEqualTo(1);
    }
  }
}
