package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mlops.CorruptDataException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PredictionMonitorTest {
  static final List<String> NUMERIC = List.of("age", "income", "score");
  static final CategoricalFeature DEVICE = CategoricalFeature.of("device", "ios", "android", "web");
  static final BaselineProfile PROFILE = fit(20_000, 1);

  static BaselineProfile fit(int rows, long seed) {
    Random rnd = new Random(seed);
    BaselineProfile.Fitter fitter = BaselineProfile.fitter(NUMERIC, List.of(DEVICE)).bins(16);
    for (int i = 0; i < rows; i++) {
      fitter.add(row(rnd, 0), new int[] {device(rnd, false)});
    }
    return fitter.build();
  }

  static double[] row(Random rnd, double ageShift) {
    return new double[] {40 + 10 * (rnd.nextGaussian() + ageShift), 50_000 + 15_000 * rnd.nextGaussian(), rnd.nextDouble()};
  }

  static int device(Random rnd, boolean shifted) {
    double u = rnd.nextDouble();
    return shifted ? (u < 0.2 ? 0 : u < 0.4 ? 1 : 2) : (u < 0.5 ? 0 : u < 0.8 ? 1 : 2);
  }

  static PredictionMonitor.Builder manual() {
    return PredictionMonitor.builder(PROFILE).windowing(Windowing.manual()).executor(Runnable::run);
  }

  @Test
  void detectsTheShiftedFeatureOnly() {
    PredictionMonitor monitor = manual().build();
    Random rnd = new Random(2);
    for (int i = 0; i < 5_000; i++) {
      monitor.record(row(rnd, 1.0), new int[] {device(rnd, false)}, 0.3);
    }
    DriftReport report = monitor.closeWindow();

    assertThat(report.records()).isEqualTo(5_000);
    assertThat(report.feature("age").orElseThrow().verdict()).isEqualTo(DriftVerdict.DRIFT);
    assertThat(report.feature("income").orElseThrow().verdict()).isEqualTo(DriftVerdict.NO_DRIFT);
    assertThat(report.feature("score").orElseThrow().verdict()).isEqualTo(DriftVerdict.NO_DRIFT);
    assertThat(report.feature("device").orElseThrow().verdict()).isEqualTo(DriftVerdict.NO_DRIFT);
    assertThat(report.evaluatedFeatures()).isEqualTo(4);
    assertThat(report.driftedShare()).isEqualTo(0.25);
    assertThat(report.datasetDrift()).isFalse();
    assertThat(report.predictionMean().getAsDouble()).isCloseTo(0.3, within(1e-12));
    assertThat(report.toText()).contains("age").contains("DRIFT").contains("no dataset drift");
  }

  @Test
  void datasetVerdictFollowsTheShareOfDriftedFeatures() {
    PredictionMonitor monitor = manual().datasetDriftShare(0.5).build();
    Random rnd = new Random(3);
    for (int i = 0; i < 5_000; i++) {
      monitor.record(row(rnd, 1.0), new int[] {device(rnd, true)}, 1);
    }
    DriftReport report = monitor.closeWindow();
    assertThat(report.feature("device").orElseThrow().verdict()).isEqualTo(DriftVerdict.DRIFT);
    assertThat(report.driftedFeatures()).isEqualTo(2);
    assertThat(report.datasetDrift()).isTrue();
    assertThat(report.alarm()).isTrue();
  }

  @Test
  void monitorStatisticsEqualTheStandaloneTestOnTheSameValues() {
    for (DriftTest test : List.of(DriftTest.POPULATION_STABILITY_INDEX, DriftTest.KOLMOGOROV_SMIRNOV,
        DriftTest.JENSEN_SHANNON, DriftTest.HELLINGER, DriftTest.WASSERSTEIN, DriftTest.CHI_SQUARE)) {
      PredictionMonitor monitor = manual().numericThreshold(DriftThreshold.defaultFor(test)).build();
      Random rnd = new Random(4);
      double[] ages = new double[3_000];
      for (int i = 0; i < ages.length; i++) {
        double[] r = row(rnd, 0.3);
        ages[i] = r[0];
        monitor.record(r, new int[] {0}, 0);
      }
      DriftTestResult inMonitor = monitor.closeWindow().feature("age").orElseThrow().result().orElseThrow();
      DriftTestResult standalone = test.compare(PROFILE.findNumeric("age").orElseThrow(), ages);
      assertThat(inMonitor.statistic()).as("%s", test).isCloseTo(standalone.statistic(), within(1e-9));
    }
  }

  @Test
  void defaultThresholdsRarelyAlarmOnUnshiftedWindowsOfTheMinimumSize() {
    // The baseline's KLL sketch compacts at random, so bin edges differ between runs: the bounds
    // below are set so that a correct implementation fails less than once in ~1000 runs.
    for (DriftTest test : List.of(DriftTest.POPULATION_STABILITY_INDEX, DriftTest.KOLMOGOROV_SMIRNOV,
        DriftTest.JENSEN_SHANNON, DriftTest.HELLINGER, DriftTest.WASSERSTEIN, DriftTest.CHI_SQUARE)) {
      PredictionMonitor monitor = manual().numericThreshold(DriftThreshold.defaultFor(test)).build();
      Random rnd = new Random(12);
      int numericAlarms = 0;
      int datasetAlarms = 0;
      for (int w = 0; w < 20; w++) {
        for (int i = 0; i < 1_000; i++) {
          monitor.record(row(rnd, 0), new int[] {device(rnd, false)}, 0);
        }
        DriftReport r = monitor.closeWindow();
        datasetAlarms += r.datasetDrift() ? 1 : 0;
        numericAlarms += (int) r.features().stream()
            .filter(f -> !f.categorical() && f.verdict() == DriftVerdict.DRIFT).count();
      }
      // 60 numeric feature-windows. Significance tests alarm at about their 5% level (chi-square on
      // sketched bins measured at 6.5%: mean 4, at most 10 in 40 trials); PSI, Jensen-Shannon and Hellinger stay far below their thresholds; the normalized
      // Wasserstein's noise at 1000 values reaches ~0.07, close to its 0.1 threshold.
      int allowed = test.hasPValue() ? 13 : test == DriftTest.WASSERSTEIN ? 4 : 0;
      assertThat(numericAlarms).as("%s numeric false alarms", test).isLessThanOrEqualTo(allowed);
      // A dataset alarm needs 2 of the 4 features at once.
      assertThat(datasetAlarms).as("%s dataset false alarms", test).isLessThanOrEqualTo(4);
    }
  }

  @Test
  void nanInfinityAndBadCodesAreCountedNeverThrown() {
    PredictionMonitor monitor = manual().minSamples(1).build();
    monitor.record(new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}, new int[] {-1}, Double.NaN);
    monitor.record(new double[] {41, Double.NaN, 0.5}, new int[] {7}, Double.POSITIVE_INFINITY);
    monitor.record(new double[] {39, 50_000, 0.5}, new int[] {1}, 0.5);
    DriftReport report = monitor.closeWindow();

    FeatureDrift age = report.feature("age").orElseThrow();
    assertThat(age.count()).isEqualTo(2);
    assertThat(age.missing()).isEqualTo(1);
    FeatureDrift income = report.feature("income").orElseThrow();
    assertThat(income.missing()).isEqualTo(1);
    assertThat(income.invalid()).isEqualTo(1);
    assertThat(report.feature("score").orElseThrow().invalid()).isEqualTo(1);
    FeatureDrift device = report.feature("device").orElseThrow();
    assertThat(device.missing()).isEqualTo(1);
    assertThat(device.invalid()).as("unknown code").isEqualTo(1);
    assertThat(device.count()).as("unknown code counts in the other bucket").isEqualTo(2);
    assertThat(report.invalidPredictions()).isEqualTo(2);
    assertThat(report.records()).isEqualTo(3);
  }

  @Test
  void risingMissingRateIsDrift() {
    PredictionMonitor monitor = manual().build();
    Random rnd = new Random(5);
    for (int i = 0; i < 2_000; i++) {
      double[] r = row(rnd, 0);
      if (i % 2 == 0) {
        r[1] = Double.NaN;
      }
      monitor.record(r, new int[] {device(rnd, false)}, 0);
    }
    FeatureDrift income = monitor.closeWindow().feature("income").orElseThrow();
    assertThat(income.missingRate()).isCloseTo(0.5, within(1e-12));
    assertThat(income.missingRateDrift()).isTrue();
    assertThat(income.verdict()).isEqualTo(DriftVerdict.DRIFT);
  }

  @Test
  void tooFewValuesIsInsufficientData() {
    PredictionMonitor monitor = manual().minSamples(100).build();
    monitor.record(new double[] {1, 2, 3}, new int[] {0}, 0);
    DriftReport report = monitor.closeWindow();
    assertThat(report.features()).allSatisfy(f -> assertThat(f.verdict()).isEqualTo(DriftVerdict.INSUFFICIENT_DATA));
    assertThat(report.evaluatedFeatures()).isZero();
    assertThat(report.datasetDrift()).isFalse();
  }

  @Test
  void wrongFeatureCountNamesExpectedAndActual() {
    PredictionMonitor monitor = manual().build();
    assertThatThrownBy(() -> monitor.record(new double[2], new int[1], 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("expected 3 numeric features, got 2");
    assertThatThrownBy(() -> monitor.record(new double[3], new int[0], 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("expected 1 categorical features, got 0");
    assertThatThrownBy(() -> monitor.record(new double[3], 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("categorical");
    assertThatThrownBy(() -> monitor.record(1L, new double[3], new int[1], 0))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("outcomes");
  }

  @Test
  void builderRejectsBadSettingsNamingThem() {
    PredictionMonitor.Builder b = PredictionMonitor.builder(PROFILE);
    assertThatThrownBy(() -> b.threshold("nope", DriftThreshold.defaultFor(DriftTest.HELLINGER)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope").hasMessageContaining("age");
    assertThatThrownBy(() -> b.threshold("device", DriftThreshold.defaultFor(DriftTest.KOLMOGOROV_SMIRNOV)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("device");
    assertThatThrownBy(() -> b.stripes(3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3");
    assertThatThrownBy(() -> b.datasetDriftShare(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.outcomes(QualityMetric.ACCURACY, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Windowing.sliding(1000, 300))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("300").hasMessageContaining("1000");
    assertThatThrownBy(() -> b.conceptDriftDetector(() -> Ddm.builder().build()).build())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void perFeatureThresholdOverridesTheDefault() {
    PredictionMonitor monitor = manual()
        .threshold("age", new DriftThreshold(DriftTest.KOLMOGOROV_SMIRNOV, 0.01, 0.05)).build();
    Random rnd = new Random(6);
    for (int i = 0; i < 2_000; i++) {
      monitor.record(row(rnd, 0), new int[] {0}, 0);
    }
    DriftReport r = monitor.closeWindow();
    assertThat(r.feature("age").orElseThrow().threshold().test()).isEqualTo(DriftTest.KOLMOGOROV_SMIRNOV);
    assertThat(r.feature("age").orElseThrow().result().orElseThrow().pValue()).isPresent();
    assertThat(r.feature("income").orElseThrow().threshold().test()).isEqualTo(DriftTest.POPULATION_STABILITY_INDEX);
  }

  @Test
  void tumblingCountWindowsCloseThemselvesAndLoseNothing() {
    List<DriftReport> reports = new CopyOnWriteArrayList<>();
    PredictionMonitor monitor = PredictionMonitor.builder(PROFILE).windowing(Windowing.tumbling(1_000))
        .executor(Runnable::run).onWindow(reports::add).build();
    Random rnd = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      monitor.record(row(rnd, 0), new int[] {0}, 0);
    }
    assertThat(reports).hasSize(10);
    long counted = reports.stream().mapToLong(DriftReport::records).sum() + monitor.snapshot().records();
    assertThat(counted).isEqualTo(10_000);
    assertThat(reports).allSatisfy(r -> assertThat(r.records()).isEqualTo(1_000L));
    assertThat(monitor.lastReport()).contains(reports.get(reports.size() - 1));
  }

  @Test
  void timeWindowsAlignToTheClockAndCloseWhenDue() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:30Z"));
    List<DriftReport> reports = new ArrayList<>();
    PredictionMonitor monitor = PredictionMonitor.builder(PROFILE).windowing(Windowing.tumbling(Duration.ofMinutes(1)))
        .clock(clock).executor(Runnable::run).onWindow(reports::add).build();
    Random rnd = new Random(8);
    for (int i = 0; i < 500; i++) {
      monitor.record(row(rnd, 0), new int[] {0}, 0);
    }
    assertThat(reports).isEmpty();
    assertThat(monitor.closeWindowIfDue()).isEmpty();
    clock.now = Instant.parse("2026-01-01T10:01:05Z");
    for (int i = 0; i < 64; i++) {
      monitor.record(row(rnd, 0), new int[] {0}, 0);
    }
    assertThat(reports).hasSize(1);
    DriftReport first = reports.get(0);
    assertThat(first.start()).isEqualTo(Instant.parse("2026-01-01T10:00:00Z"));
    assertThat(first.end()).isEqualTo(Instant.parse("2026-01-01T10:01:00Z"));
    assertThat(first.records()).isBetween(500L, 564L);

    clock.now = Instant.parse("2026-01-01T10:05:00Z"); // no traffic: a scheduler closes it
    DriftReport second = monitor.closeWindowIfDue().orElseThrow();
    assertThat(second.start()).isEqualTo(Instant.parse("2026-01-01T10:01:00Z"));
    assertThat(first.records() + second.records()).isEqualTo(564);
    assertThat(monitor.snapshot().start()).isEqualTo(Instant.parse("2026-01-01T10:05:00Z"));
  }

  @Test
  void slidingWindowsCoverTheLatestPanes() {
    PredictionMonitor monitor = PredictionMonitor.builder(PROFILE).windowing(Windowing.sliding(3_000, 1_000))
        .executor(Runnable::run).build();
    Random rnd = new Random(9);
    List<Long> sizes = new ArrayList<>();
    for (int pane = 0; pane < 5; pane++) {
      for (int i = 0; i < 1_000; i++) {
        monitor.record(row(rnd, 0), new int[] {0}, 0);
      }
      // the pane closed itself at its 1000th record (direct executor)
      sizes.add(monitor.lastReport().orElseThrow().records());
    }
    assertThat(sizes).containsExactly(1_000L, 2_000L, 3_000L, 3_000L, 3_000L);
  }

  @Test
  void concurrentRecordingAndClosingCountsEveryRecordOnce() throws InterruptedException {
    List<DriftReport> reports = new CopyOnWriteArrayList<>();
    PredictionMonitor monitor = manual().onWindow(reports::add).stripes(2).build();
    int threads = 4;
    int perThread = 50_000;
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      long seed = t;
      new Thread(() -> {
        Random rnd = new Random(seed);
        double[] r = new double[3];
        int[] c = new int[1];
        for (int i = 0; i < perThread; i++) {
          r[0] = 40 + 10 * rnd.nextGaussian();
          r[1] = i % 10 == 0 ? Double.NaN : 50_000;
          r[2] = 0.5;
          c[0] = i % 3;
          monitor.record(r, c, 1);
        }
        done.countDown();
      }).start();
    }
    while (done.getCount() > 0) {
      monitor.closeWindow();
      Thread.sleep(1);
    }
    monitor.closeWindow();
    long records = reports.stream().mapToLong(DriftReport::records).sum();
    long missingIncome = reports.stream().mapToLong(r -> r.feature("income").orElseThrow().missing()).sum();
    long devices = reports.stream().mapToLong(r -> r.feature("device").orElseThrow().count()).sum();
    assertThat(records).isEqualTo((long) threads * perThread);
    assertThat(missingIncome).isEqualTo((long) threads * perThread / 10);
    assertThat(devices).isEqualTo((long) threads * perThread);
  }

  @Test
  void fleetSnapshotsMergeIntoTheSingleInstanceResult() {
    PredictionMonitor single = manual().build();
    PredictionMonitor a = manual().build();
    PredictionMonitor b = manual().build();
    Random rnd = new Random(10);
    for (int i = 0; i < 6_000; i++) {
      double[] r = row(rnd, i < 3_000 ? 0 : 0.6);
      if (i % 50 == 0) {
        r[2] = Double.NaN;
      }
      int[] c = {device(rnd, i % 2 == 0)};
      single.record(r, c, i % 2);
      (i % 3 == 0 ? a : b).record(r, c, i % 2);
    }
    WindowSnapshot fromA = WindowSnapshot.fromBytes(a.closeWindow().snapshot().toBytes());
    WindowSnapshot fromB = WindowSnapshot.fromBytes(b.closeWindow().snapshot().toBytes());
    WindowSnapshot merged = fromA.merge(fromB);
    DriftReport fleet = single.evaluate(merged);
    DriftReport one = single.closeWindow();

    WindowSnapshot s = one.snapshot();
    assertThat(merged.binCounts).isEqualTo(s.binCounts);
    assertThat(merged.missing).isEqualTo(s.missing);
    assertThat(merged.infinite).isEqualTo(s.infinite);
    assertThat(merged.categorical).isEqualTo(s.categorical);
    assertThat(merged.records()).isEqualTo(s.records());
    for (int i = 0; i < s.binSums.length; i++) {
      assertThat(merged.binSums[i]).isCloseTo(s.binSums[i], within(1e-6 * Math.max(1, Math.abs(s.binSums[i]))));
    }
    assertThat(fleet.datasetDrift()).isEqualTo(one.datasetDrift());
    for (FeatureDrift f : one.features()) {
      FeatureDrift g = fleet.feature(f.name()).orElseThrow();
      assertThat(g.verdict()).isEqualTo(f.verdict());
      assertThat(g.count()).isEqualTo(f.count());
      assertThat(g.result().orElseThrow().statistic())
          .isCloseTo(f.result().orElseThrow().statistic(), within(1e-9));
    }
  }

  @Test
  void snapshotsFromAnotherBaselineOrDamagedBytesAreRejected() {
    PredictionMonitor mine = manual().build();
    PredictionMonitor other = PredictionMonitor.builder(fit(1_000, 77)).windowing(Windowing.manual()).build();
    WindowSnapshot theirs = other.closeWindow().snapshot();
    assertThatThrownBy(() -> mine.evaluate(theirs)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("different baseline");
    assertThatThrownBy(() -> mine.closeWindow().snapshot().merge(theirs)).isInstanceOf(IllegalArgumentException.class);

    byte[] bytes = mine.closeWindow().snapshot().toBytes();
    byte[] damaged = bytes.clone();
    damaged[20] ^= 1;
    assertThatThrownBy(() -> WindowSnapshot.fromBytes(damaged)).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining("CRC-32");
    byte[] future = bytes.clone();
    future[5] = 4;
    assertThatThrownBy(() -> WindowSnapshot.fromBytes(future)).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining("format version 4");
    assertThatThrownBy(() -> WindowSnapshot.fromBytes(Arrays.copyOf(bytes, 8))).isInstanceOf(CorruptDataException.class);
  }

  @Test
  void lateLabelsFeedAccuracyAndCountEvictionsAndUnmatched() {
    PredictionMonitor monitor = manual().stripes(1).outcomes(QualityMetric.ACCURACY, 1_000).build();
    for (long id = 0; id < 2_000; id++) {
      monitor.record(id, new double[] {40, 50_000, 0.5}, new int[] {0}, id % 2);
    }
    assertThat(monitor.recordOutcome(0, 0)).as("evicted").isFalse();
    assertThat(monitor.recordOutcome(123_456, 1)).as("never recorded").isFalse();
    int correct = 0;
    for (long id = 1_000; id < 2_000; id++) {
      boolean right = id % 10 != 0;
      correct += right ? 1 : 0;
      assertThat(monitor.recordOutcome(id, right ? id % 2 : 1 - id % 2)).isTrue();
    }
    assertThat(monitor.recordOutcome(1_500, 0)).as("already labelled").isFalse();
    assertThat(monitor.recordOutcome(1_999, Double.NaN)).isFalse();

    QualitySummary q = monitor.closeWindow().quality().orElseThrow();
    assertThat(q.outcomes()).isEqualTo(1_000);
    assertThat(q.value().getAsDouble()).isCloseTo(correct / 1000.0, within(1e-12));
    assertThat(q.evicted()).isEqualTo(1_000);
    assertThat(q.unmatched()).isEqualTo(4);
    assertThat(monitor.quality().evicted()).isEqualTo(1_000);
  }

  @Test
  void meanAbsoluteErrorForRegression() {
    PredictionMonitor monitor = manual().outcomes(QualityMetric.MEAN_ABSOLUTE_ERROR, 100).build();
    monitor.record(1L, new double[] {40, 50_000, 0.5}, new int[] {0}, 3.0);
    monitor.record(2L, new double[] {40, 50_000, 0.5}, new int[] {0}, 5.0);
    monitor.recordOutcome(1L, 4.0);
    monitor.recordOutcome(2L, 2.0);
    assertThat(monitor.closeWindow().quality().orElseThrow().value().getAsDouble()).isCloseTo(2.0, within(1e-12));
  }

  @Test
  void conceptDriftOnTheErrorStreamRaisesAnAlert() {
    List<DriftReport> alerts = new ArrayList<>();
    PredictionMonitor monitor = manual().outcomes(QualityMetric.ACCURACY, 10_000).onAlert(alerts::add).build();
    Random rnd = new Random(11);
    for (long id = 0; id < 6_000; id++) {
      monitor.record(id, new double[] {40, 50_000, 0.5}, new int[] {0}, 1);
      double errorRate = id < 3_000 ? 0.1 : 0.5;
      monitor.recordOutcome(id, rnd.nextDouble() < errorRate ? 0 : 1);
    }
    DriftReport report = monitor.closeWindow();
    assertThat(report.quality().orElseThrow().conceptDrifts()).isPositive();
    assertThat(report.alarm()).isTrue();
    assertThat(alerts).containsExactly(report);
  }

  @Test
  void aFailingListenerDoesNotStopTheOthers() {
    AtomicLong calls = new AtomicLong();
    PredictionMonitor monitor = manual()
        .onWindow(r -> {
          throw new IllegalStateException("listener bug (expected by the test)");
        })
        .onWindow(r -> calls.incrementAndGet()).build();
    Thread.UncaughtExceptionHandler previous = Thread.currentThread().getUncaughtExceptionHandler();
    List<Throwable> surfaced = new ArrayList<>();
    Thread.currentThread().setUncaughtExceptionHandler((t, e) -> surfaced.add(e));
    try {
      monitor.closeWindow();
    } finally {
      Thread.currentThread().setUncaughtExceptionHandler(previous);
    }
    assertThat(calls).hasValue(1);
    assertThat(surfaced).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("listener bug"));
  }

  static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
