package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mlops.CorruptDataException;
import dev.mlops.features.FeatureRef;
import dev.mlops.features.FeatureStatus;
import dev.mlops.features.OnlineVector;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** Per-window data-quality counters of {@link PredictionMonitor}: exact counts, verdicts, snapshots. */
class DataQualityMonitorTest {
  /** age [18, 80], income [0, 200k], score [0, 1]; device in {ios, android}; completeness 0.9 / 0.95. */
  static final DataQualityRules RULES = DataQualityRules.builder()
      .range("age", 18, 80).range("income", 0, 200_000).range("score", 0, 1)
      .domain("device", "ios", "android")
      .completeness("income", 0.9).completeness("device", 0.95)
      .build();

  static PredictionMonitor.Builder monitor(DataQualityRules rules) {
    return PredictionMonitorTest.manual().dataQuality(rules);
  }

  /**
   * Row {@code i} of the planted-defect pattern; per 100 records (by {@code r = i % 100}): device
   * web (allowed by the baseline, not by the rules) for r &lt; 5, an unknown category for 5-7, code
   * 7 (names no category) for 8-9, missing for 10-13; age 10 for 20-29, 90 for 30-32, +Inf for 33,
   * NaN for 34; income NaN for 40-51; score -0.1 for r = 60.
   */
  static void plant(int i, double[] row, int[] code) {
    int r = i % 100;
    row[0] = r >= 20 && r < 30 ? 10 : r >= 30 && r < 33 ? 90 : r == 33 ? Double.POSITIVE_INFINITY
        : r == 34 ? Double.NaN : 40;
    row[1] = r >= 40 && r < 52 ? Double.NaN : 50_000;
    row[2] = r == 60 ? -0.1 : 0.5;
    code[0] = r < 5 ? 2 : r < 8 ? PredictionMonitor.UNKNOWN_CATEGORY : r < 10 ? 7 : r < 14 ? -1 : r % 2;
  }

  static void recordPlanted(PredictionMonitor m, int from, int to) {
    double[] row = new double[3];
    int[] code = new int[1];
    for (int i = from; i < to; i++) {
      plant(i, row, code);
      m.record(row, code, 0.5);
    }
  }

  @Test
  void countsEveryKindOfViolationExactlyAndAlarms() {
    List<DriftReport> alerts = new ArrayList<>();
    PredictionMonitor m = monitor(RULES).onAlert(alerts::add).build();
    recordPlanted(m, 0, 1_000);
    DriftReport report = m.closeWindow();

    DataQualitySummary dq = report.dataQuality().orElseThrow();
    assertThat(dq.counted()).isTrue();
    assertThat(dq.records()).isEqualTo(1_000);
    assertThat(dq.feature("age").orElseThrow()).isEqualTo(new FeatureQuality("age", false, 10, 0, 0, 140, 0, 0.99));
    assertThat(dq.feature("income").orElseThrow()).isEqualTo(new FeatureQuality("income", false, 120, 0, 0, 0, 0, 0.88));
    assertThat(dq.feature("score").orElseThrow()).isEqualTo(new FeatureQuality("score", false, 0, 0, 0, 10, 0, 1.0));
    assertThat(dq.feature("device").orElseThrow()).isEqualTo(new FeatureQuality("device", true, 40, 0, 20, 0, 80, 0.96));
    assertThat(dq.extraFeatures()).isZero();
    assertThat(dq.recordsWithExtraFeatures()).isZero();

    assertThat(report.checks()).extracting(CheckResult::name).containsExactly("data-quality-range",
        "data-quality-domain", "data-quality-type", "data-quality-completeness", "data-quality-features");
    CheckResult range = report.check("data-quality-range").orElseThrow();
    assertThat(range.verdict()).isEqualTo(CheckVerdict.DRIFT);
    assertThat(range.value("age out of range").orElseThrow()).isEqualTo(new CheckValue("age out of range", 0.14, 0, true));
    assertThat(range.value("income out of range").orElseThrow().breached()).isFalse();
    assertThat(range.value("score out of range").orElseThrow().value()).isEqualTo(0.01);
    assertThat(range.detail()).contains("age: 140 of 1000 records (14.00%) outside [18.0, 80.0]")
        .contains("score: 10 of 1000 records (1.00%) outside [0.0, 1.0]").doesNotContain("income");
    CheckResult domain = report.check("data-quality-domain").orElseThrow();
    assertThat(domain.verdict()).isEqualTo(CheckVerdict.DRIFT);
    assertThat(domain.value("device out of domain").orElseThrow().value()).isEqualTo(0.08);
    assertThat(domain.detail()).contains("device: 80 of 1000 records (8.00%) outside [android, ios]");
    CheckResult type = report.check("data-quality-type").orElseThrow();
    assertThat(type.verdict()).isEqualTo(CheckVerdict.DRIFT);
    assertThat(type.value("device type mismatches").orElseThrow().value()).isEqualTo(0.02);
    assertThat(type.value("age type mismatches").orElseThrow().breached()).isFalse();
    CheckResult completeness = report.check("data-quality-completeness").orElseThrow();
    assertThat(completeness.verdict()).isEqualTo(CheckVerdict.DRIFT);
    assertThat(completeness.values()).containsExactly(new CheckValue("income completeness", 0.88, 0.9, true),
        new CheckValue("device completeness", 0.96, 0.95, false));
    assertThat(completeness.detail()).contains("income: 120 of 1000 records missing, completeness 0.8800 below 0.9000");
    assertThat(report.check("data-quality-features").orElseThrow().verdict()).isEqualTo(CheckVerdict.OK);

    assertThat(report.alarm()).isTrue();
    assertThat(alerts).containsExactly(report);
    assertThat(report.toText()).contains("data-quality-range").contains("BREACHED").contains("data quality");
    // The drift counts are those of a monitor without rules: the checks only add counters.
    PredictionMonitor plain = PredictionMonitorTest.manual().build();
    recordPlanted(plain, 0, 1_000);
    WindowSnapshot p = plain.closeWindow().snapshot();
    assertThat(report.snapshot().binCounts).isEqualTo(p.binCounts);
    assertThat(report.snapshot().categorical).isEqualTo(p.categorical);
    assertThat(report.snapshot().missing).isEqualTo(p.missing);
    assertThat(report.snapshot().infinite).isEqualTo(p.infinite);
  }

  @Test
  void aToleratedShareOfViolationsDoesNotAlarm() {
    DataQualityRules lenient = RULES.toBuilder().maxViolationShare(0.1).completeness("income", 0.85).build();
    DriftReport report = monitor(lenient).build().closeWindow();
    assertThat(report.checks()).allMatch(c -> c.verdict() == CheckVerdict.NOT_EVALUATED); // empty window
    assertThat(report.alarm()).isFalse();

    PredictionMonitor m = monitor(lenient).build();
    recordPlanted(m, 0, 1_000);
    report = m.closeWindow();
    // age 14% > 10%: still breached; score 1%, device 8% and 2%: tolerated.
    assertThat(report.check("data-quality-range").orElseThrow().verdict()).isEqualTo(CheckVerdict.DRIFT);
    assertThat(report.check("data-quality-range").orElseThrow().value("score out of range").orElseThrow().breached())
        .isFalse();
    assertThat(report.check("data-quality-domain").orElseThrow().verdict()).isEqualTo(CheckVerdict.OK);
    assertThat(report.check("data-quality-type").orElseThrow().verdict()).isEqualTo(CheckVerdict.OK);
    assertThat(report.check("data-quality-completeness").orElseThrow().verdict()).isEqualTo(CheckVerdict.OK);
  }

  @Test
  void cleanDataReportsNothing() {
    DataQualityRules rules = DataQualityRules.fromBaseline(PredictionMonitorTest.PROFILE, 0.0);
    PredictionMonitor m = monitor(rules).build();
    Random rnd = new Random(5);
    MonitorInput in = m.newInput();
    for (int i = 0; i < 4_000; i++) {
      double[] row = PredictionMonitorTest.row(rnd, 0);
      for (int f = 0; f < row.length; f++) { // keep every value inside the baseline's observed range
        NumericFeatureProfile p = PredictionMonitorTest.PROFILE.numericFeatures().get(f);
        row[f] = Math.max(p.min(), Math.min(p.max(), row[f]));
      }
      int device = PredictionMonitorTest.device(rnd, false);
      if (i % 2 == 0) {
        m.record(row, new int[] {device}, 0.5);
      } else {
        in.set("age", row[0]).set("income", row[1]).put("score", row[2])
            .setCategory("device", PredictionMonitorTest.DEVICE.categories().get(device)).record(0.5);
      }
    }
    DriftReport report = m.closeWindow();
    assertThat(report.checks()).hasSize(5).allMatch(c -> c.verdict() == CheckVerdict.OK, "every check OK");
    assertThat(report.checks()).flatExtracting(CheckResult::values).noneMatch(CheckValue::breached);
    for (FeatureQuality f : report.dataQuality().orElseThrow().features()) {
      assertThat(f).isEqualTo(new FeatureQuality(f.name(), f.categorical(), 0, 0, 0, 0, 0, 1.0));
    }
    assertThat(report.alarm()).isFalse();
  }

  @Test
  void monitorInputCountsAbsentExtraAndMistypedFeatures() {
    PredictionMonitor m = monitor(RULES).build();
    MonitorInput in = m.newInput();
    Map<String, Object> clean = new HashMap<>(Map.of("age", 40, "income", 50_000L, "score", 0.5, "device", "ios"));
    for (int i = 0; i < 10; i++) {
      in.put(clean).record(0.5);
    }
    for (int i = 0; i < 5; i++) { // a numeric feature given as text: missing and a type mismatch
      in.put(clean).put("age", "forty").record(0.5);
    }
    for (int i = 0; i < 4; i++) { // score never set: absent (and missing)
      in.set("age", 40).set("income", 50_000).setCategory("device", "android").record(0.5);
    }
    Map<String, Object> extra = new LinkedHashMap<>(clean);
    extra.put("color", "red");
    extra.put("zip", 12345);
    for (int i = 0; i < 3; i++) { // two features the baseline does not know
      in.put(extra).record(0.5);
    }
    for (int i = 0; i < 2; i++) { // a category of the wrong type
      in.put(clean).setCategory("device", 3.5).record(0.5);
    }
    in.put(clean).setCategory("device", "blackberry").record(0.5); // right type, unknown category
    in.put(clean).put("device", null).put("score", null).record(0.5); // given as null: missing, not absent

    // From a feature-store vector: income and score not mapped (absent), one position unmapped (extra).
    VectorBinding binding = m.bind(List.of(FeatureRef.parse("txn:age"), FeatureRef.parse("txn:unmonitored"),
        FeatureRef.parse("user:device")));
    OnlineVector v = new OnlineVector(3);
    v.layout(2, new int[] {0, 0, 1}, new int[] {0, 1, 0});
    v.setRow(0, new Object[] {41.0, "x"}, FeatureStatus.PRESENT, FeatureStatus.NOT_FOUND, 10);
    v.setRow(1, new Object[] {"web"}, FeatureStatus.PRESENT, FeatureStatus.NOT_FOUND, 10);
    for (int i = 0; i < 2; i++) {
      in.set(v, binding).record(0.5);
    }

    DriftReport report = m.closeWindow();
    DataQualitySummary dq = report.dataQuality().orElseThrow();
    long records = 10 + 5 + 4 + 3 + 2 + 1 + 1 + 2;
    assertThat(dq.records()).isEqualTo(records);
    assertThat(dq.feature("age").orElseThrow()).isEqualTo(
        new FeatureQuality("age", false, 5, 0, 5, 0, 0, (records - 5.0) / records));
    assertThat(dq.feature("income").orElseThrow()).isEqualTo(
        new FeatureQuality("income", false, 2, 2, 0, 0, 0, (records - 2.0) / records));
    assertThat(dq.feature("score").orElseThrow()).isEqualTo(
        new FeatureQuality("score", false, 4 + 1 + 2, 4 + 2, 0, 0, 0, (records - 7.0) / records));
    // device: 2 wrong-type values; out of domain: blackberry and 2 x web; missing: the null.
    assertThat(dq.feature("device").orElseThrow()).isEqualTo(
        new FeatureQuality("device", true, 1, 0, 2, 0, 3, (records - 1.0) / records));
    assertThat(dq.extraFeatures()).isEqualTo(3 * 2 + 2 * 1);
    assertThat(dq.recordsWithExtraFeatures()).isEqualTo(5);
    CheckResult features = report.check("data-quality-features").orElseThrow();
    assertThat(features.verdict()).isEqualTo(CheckVerdict.DRIFT);
    assertThat(features.value("score absent").orElseThrow().value()).isCloseTo(6.0 / records, within(1e-15));
    assertThat(features.value("records with extra features").orElseThrow().value()).isCloseTo(5.0 / records, within(1e-15));
    assertThat(features.detail()).contains("5 of 28 records").contains("8 values of features the baseline does not know");
    assertThat(report.check("data-quality-type").orElseThrow().value("age type mismatches").orElseThrow().breached())
        .isTrue();
  }

  @Test
  void multiThreadedRecordingMergesExactly() throws InterruptedException {
    PredictionMonitor m = monitor(RULES).stripes(4).build();
    int threads = 4;
    int perThread = 25_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int from = t * perThread;
      Thread w = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        recordPlanted(m, from, from + perThread);
      });
      workers.add(w);
      w.start();
    }
    start.countDown();
    for (Thread w : workers) {
      w.join();
    }
    DataQualitySummary dq = m.closeWindow().dataQuality().orElseThrow();
    assertThat(dq.records()).isEqualTo(100_000);
    assertThat(dq.feature("age").orElseThrow().outOfRange()).isEqualTo(14_000);
    assertThat(dq.feature("age").orElseThrow().missing()).isEqualTo(1_000);
    assertThat(dq.feature("income").orElseThrow().missing()).isEqualTo(12_000);
    assertThat(dq.feature("score").orElseThrow().outOfRange()).isEqualTo(1_000);
    assertThat(dq.feature("device").orElseThrow().outOfDomain()).isEqualTo(8_000);
    assertThat(dq.feature("device").orElseThrow().typeMismatches()).isEqualTo(2_000);
    assertThat(dq.feature("device").orElseThrow().missing()).isEqualTo(4_000);
  }

  @Test
  void countWindowsCarryTheirOwnCounts() {
    List<DriftReport> reports = new ArrayList<>();
    PredictionMonitor m = PredictionMonitor.builder(PredictionMonitorTest.PROFILE).windowing(Windowing.tumbling(500))
        .executor(Runnable::run).dataQuality(RULES).onWindow(reports::add).build();
    recordPlanted(m, 0, 1_000);
    assertThat(reports).hasSize(2);
    for (DriftReport r : reports) {
      assertThat(r.dataQuality().orElseThrow().feature("age").orElseThrow().outOfRange()).isEqualTo(70);
    }
  }

  @Test
  void snapshotsRoundTripAndMergeAcrossAFleet() {
    PredictionMonitor single = monitor(RULES).build();
    PredictionMonitor a = monitor(RULES).build();
    PredictionMonitor b = monitor(RULES).build();
    double[] row = new double[3];
    int[] code = new int[1];
    for (int i = 0; i < 3_000; i++) {
      plant(i * 7, row, code);
      single.record(row, code, 0.5);
      (i % 3 == 0 ? a : b).record(row, code, 0.5);
    }
    WindowSnapshot fromA = WindowSnapshot.fromBytes(a.closeWindow().snapshot().toBytes());
    WindowSnapshot fromB = WindowSnapshot.fromBytes(b.closeWindow().snapshot().toBytes());
    WindowSnapshot merged = fromA.merge(fromB);
    DriftReport one = single.closeWindow();
    DriftReport fleet = single.evaluate(merged);
    assertThat(merged.quality).isEqualTo(one.snapshot().quality);
    assertThat(fleet.dataQuality()).isEqualTo(one.dataQuality());
    assertThat(fleet.checks()).isEqualTo(one.checks());
    assertThat(one.dataQuality().orElseThrow().feature("age").orElseThrow().outOfRange()).isPositive();
    assertThat(WindowSnapshot.fromBytes(one.snapshot().toBytes()).toBytes()).isEqualTo(one.snapshot().toBytes());

    // Without rules, or under other rules: merged counts would be incomplete or meaningless.
    PredictionMonitor plain = PredictionMonitorTest.manual().build();
    recordPlanted(plain, 0, 100);
    WindowSnapshot uncounted = merged.merge(plain.closeWindow().snapshot());
    assertThat(uncounted.quality).isEmpty();
    DriftReport partial = single.evaluate(uncounted);
    assertThat(partial.dataQuality().orElseThrow().counted()).isFalse();
    assertThat(partial.check("data-quality-range").orElseThrow().verdict()).isEqualTo(CheckVerdict.NOT_EVALUATED);
    assertThat(partial.check("data-quality-completeness").orElseThrow().verdict()).isEqualTo(CheckVerdict.DRIFT);
    PredictionMonitor other = monitor(RULES.toBuilder().range("age", 0, 200).build()).build();
    WindowSnapshot otherRules = other.closeWindow().snapshot();
    assertThatThrownBy(() -> merged.merge(otherRules)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("different data-quality rules");
    assertThat(single.evaluate(otherRules).dataQuality().orElseThrow().counted()).isFalse();
  }

  @Test
  void readsAVersion2SnapshotWrittenBeforeDataQuality() throws Exception {
    BaselineProfile profile;
    byte[] v2;
    try (InputStream p = getClass().getResourceAsStream("baseline-profile-v1.bin");
        InputStream s = getClass().getResourceAsStream("window-snapshot-v2.bin")) {
      profile = BaselineProfile.fromBytes(p.readAllBytes());
      v2 = s.readAllBytes();
    }
    assertThat(((v2[4] & 0xff) << 8) | (v2[5] & 0xff)).isEqualTo(2);
    WindowSnapshot snapshot = WindowSnapshot.fromBytes(v2);
    PredictionMonitor plain = PredictionMonitor.builder(profile).windowing(Windowing.manual()).build();
    DriftReport r = plain.evaluate(snapshot);
    // The counts written by the earlier build (see FIXTURES.md).
    assertThat(r.records()).isEqualTo(1_000);
    assertThat(r.start()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    assertThat(r.feature("x").orElseThrow().count()).isEqualTo(970);
    assertThat(r.feature("x").orElseThrow().missing()).isEqualTo(20);
    assertThat(r.feature("x").orElseThrow().invalid()).isEqualTo(10);
    assertThat(r.feature("y").orElseThrow().count()).isEqualTo(1_000);
    assertThat(r.feature("country").orElseThrow().count()).isEqualTo(960);
    assertThat(r.feature("country").orElseThrow().missing()).isEqualTo(40);
    assertThat(r.feature("country").orElseThrow().invalid()).isEqualTo(27);
    assertThat(r.predictionMean().getAsDouble()).isCloseTo(0.45, within(1e-12));
    assertThat(r.dataQuality()).isEmpty();
    assertThat(snapshot.quality).isEmpty();

    PredictionMonitor withRules = PredictionMonitor.builder(profile).windowing(Windowing.manual())
        .dataQuality(DataQualityRules.fromBaseline(profile, 0.1)).build();
    DriftReport q = withRules.evaluate(snapshot);
    DataQualitySummary dq = q.dataQuality().orElseThrow();
    assertThat(dq.counted()).isFalse();
    assertThat(dq.feature("x").orElseThrow().missing()).isEqualTo(20);
    assertThat(dq.feature("country").orElseThrow().completeness()).isEqualTo(0.96);
    assertThat(q.check("data-quality-range").orElseThrow().verdict()).isEqualTo(CheckVerdict.NOT_EVALUATED);
    assertThat(q.check("data-quality-range").orElseThrow().detail()).contains("before 3");
    assertThat(q.check("data-quality-completeness").orElseThrow().verdict()).isNotEqualTo(CheckVerdict.NOT_EVALUATED);
    // Re-written, it is a version-3 snapshot without data-quality counts.
    byte[] v3 = snapshot.toBytes();
    assertThat(v3[5]).isEqualTo((byte) 3);
    assertThat(WindowSnapshot.fromBytes(v3).quality).isEmpty();
  }

  @Test
  void malformedDataQualityCountsAreCorruptData() {
    PredictionMonitor m = monitor(RULES).build();
    recordPlanted(m, 0, 100);
    byte[] good = m.closeWindow().snapshot().toBytes();
    int slots = 3 * 4 + 2;
    int countsAt = good.length - 4 - 8 * slots; // after the rules fingerprint and the counter count
    int slotsAt = countsAt - 4;
    int fingerprintAt = slotsAt - 8;
    assertThat(ByteBuffer.wrap(good, slotsAt, 4).getInt()).isEqualTo(slots);

    byte[] tooMany = good.clone();
    ByteBuffer.wrap(tooMany).putInt(slotsAt, slots + 1);
    assertThatThrownBy(() -> WindowSnapshot.fromBytes(recrc(tooMany))).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining("data-quality counters");
    byte[] negative = good.clone();
    ByteBuffer.wrap(negative).putLong(countsAt, -3);
    assertThatThrownBy(() -> WindowSnapshot.fromBytes(recrc(negative))).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining("negative data-quality count");
    byte[] noRules = good.clone();
    ByteBuffer.wrap(noRules).putLong(fingerprintAt, 0);
    assertThatThrownBy(() -> WindowSnapshot.fromBytes(recrc(noRules))).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining("data-quality counters");
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 12);
    assertThatThrownBy(() -> WindowSnapshot.fromBytes(recrc(truncated))).isInstanceOf(CorruptDataException.class);
    byte[] future = good.clone();
    future[5] = 4;
    assertThatThrownBy(() -> WindowSnapshot.fromBytes(recrc(future))).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining("format version 4");
    assertThat(WindowSnapshot.fromBytes(recrc(good.clone())).quality).isEqualTo(WindowSnapshot.fromBytes(good).quality);
  }

  /** Rewrites the trailing CRC-32 so that the damage inside is what the reader meets. */
  private static byte[] recrc(byte[] bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 4);
    ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
    return bytes;
  }

  @Test
  void rulesFromABaseline() {
    BaselineProfile.Fitter fitter = BaselineProfile.fitter(List.of("x"),
        List.of(CategoricalFeature.of("c", "a", "b", "never")));
    for (int i = 0; i <= 100; i++) {
      fitter.add(new double[] {i % 10 == 0 ? Double.NaN : 10 + i}, new int[] {i % 2});
    }
    BaselineProfile profile = fitter.build();
    DataQualityRules rules = DataQualityRules.fromBaseline(profile, 0.1);
    // x: observed 11..109 (span 98), widened by 9.8 on each side; 11 of 101 missing.
    assertThat(rules.ranges().get("x").min()).isCloseTo(1.2, within(1e-12));
    assertThat(rules.ranges().get("x").max()).isCloseTo(118.8, within(1e-12));
    assertThat(rules.domains()).containsExactly(Map.entry("c", java.util.Set.of("a", "b")));
    assertThat(rules.minCompleteness().get("x")).isCloseTo(1 - 11.0 / 101 - 0.1, within(1e-12));
    assertThat(rules.minCompleteness().get("c")).isCloseTo(0.9, within(1e-12));
    assertThat(rules.checkFeatureSet()).isTrue();
    assertThat(rules.maxViolationShare()).isZero();
    assertThat(rules.features()).containsExactly("c", "x");
    assertThat(DataQualityRules.fromBaseline(profile, 0).ranges().get("x"))
        .isEqualTo(new DataQualityRules.Range(11, 109));
    assertThat(rules.toBuilder().build()).isEqualTo(rules);
    assertThatThrownBy(() -> DataQualityRules.fromBaseline(profile, -0.1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tolerance");

    // The monitor built on that baseline: "never" was declared but not seen, so it is out of domain.
    PredictionMonitor m = PredictionMonitor.builder(profile).windowing(Windowing.manual()).dataQuality(rules).build();
    m.record(new double[] {50}, new int[] {2}, 0);
    m.record(new double[] {119}, new int[] {0}, 0);
    DataQualitySummary dq = m.closeWindow().dataQuality().orElseThrow();
    assertThat(dq.feature("c").orElseThrow().outOfDomain()).isEqualTo(1);
    assertThat(dq.feature("x").orElseThrow().outOfRange()).isEqualTo(1);
  }

  @Test
  void rulesThatDoNotFitTheBaselineAreRejectedNamingTheFeature() {
    PredictionMonitor.Builder b = PredictionMonitorTest.manual();
    assertThatThrownBy(() -> b.dataQuality(DataQualityRules.builder().range("height", 0, 1).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'height'").hasMessageContaining("age");
    assertThatThrownBy(() -> b.dataQuality(DataQualityRules.builder().range("device", 0, 1).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'device'").hasMessageContaining("categorical");
    assertThatThrownBy(() -> b.dataQuality(DataQualityRules.builder().domain("age", "ios").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'age'").hasMessageContaining("numeric");
    assertThatThrownBy(() -> b.dataQuality(DataQualityRules.builder().domain("device", "ios", "tizen").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'tizen'");
    assertThatThrownBy(() -> DataQualityRules.builder().range("age", 5, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[5.0, 1.0]");
    assertThatThrownBy(() -> DataQualityRules.builder().completeness("age", 1.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'age'").hasMessageContaining("1.5");
    assertThatThrownBy(() -> DataQualityRules.builder().maxViolationShare(1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.check(WindowCheckTest.fixed("data-quality-range", CheckVerdict.OK)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
  }

  @Test
  void userChecksFollowTheDataQualityChecks() {
    PredictionMonitor m = monitor(RULES).check(WindowCheckTest.fixed("mine", CheckVerdict.OK)).build();
    recordPlanted(m, 0, 100);
    assertThat(m.closeWindow().checks()).extracting(CheckResult::name).containsExactly("data-quality-range",
        "data-quality-domain", "data-quality-type", "data-quality-completeness", "data-quality-features", "mine");
  }

  /** The snippets of docs/drift-monitoring.md ("Data quality per window") and the README. */
  @Test
  void docSnippets() {
    BaselineProfile baseline = PredictionMonitorTest.PROFILE;
    List<String> pager = new ArrayList<>();
    DataQualityRules rules = DataQualityRules.fromBaseline(baseline, 0.1)
        .toBuilder()
        .range("age", 0, 120)
        .completeness("income", 0.95)
        .build();
    PredictionMonitor monitor = PredictionMonitor.builder(baseline)
        .windowing(Windowing.manual()).executor(Runnable::run)
        .dataQuality(rules)
        .onAlert(report -> pager.add(report.toText()))
        .build();
    Map<String, Object> requestJsonAsMap = Map.of("age", 130, "income", 50_000, "score", 0.5, "device", "ios",
        "session", "abc");
    monitor.newInput().put(requestJsonAsMap).record(0.5);
    DriftReport report = monitor.closeWindow();
    assertThat(report.dataQuality().orElseThrow().feature("age").orElseThrow().outOfRange()).isEqualTo(1);
    assertThat(report.check("data-quality-range").map(CheckResult::verdict)).contains(CheckVerdict.DRIFT);
    assertThat(report.dataQuality().orElseThrow().extraFeatures()).isEqualTo(1);
    assertThat(pager).singleElement().asString().contains("age: 1 of 1 records (100.00%) outside [0.0, 120.0]");
  }

  @Test
  void boundsAreIncludedAndOpenEndsNeverViolate() {
    DataQualityRules rules = DataQualityRules.builder().range("age", 18, 80)
        .range("income", Double.NEGATIVE_INFINITY, 0).range("score", 0.25, Double.POSITIVE_INFINITY).build();
    PredictionMonitor m = monitor(rules).build();
    double[][] rows = {
        {18, -1e300, 0.25}, // every value on or inside its bound
        {80, 0, Double.MAX_VALUE},
        {Math.nextDown(18.0), Math.nextUp(0.0), Math.nextDown(0.25)}, // each just outside
        {Math.nextUp(80.0), Double.MIN_VALUE, -Double.MAX_VALUE},
        {Double.NEGATIVE_INFINITY, Double.NaN, Double.POSITIVE_INFINITY}, // ±Inf always count as out of range under a range rule
    };
    for (double[] row : rows) {
      m.record(row, new int[] {0}, 0.5);
    }
    DataQualitySummary dq = m.closeWindow().dataQuality().orElseThrow();
    assertThat(dq.feature("age").orElseThrow().outOfRange()).isEqualTo(3);
    assertThat(dq.feature("income").orElseThrow().outOfRange()).isEqualTo(2);
    // score: -MAX and nextDown(0.25) are out; +Inf counts as out of range because a range rule exists
    assertThat(dq.feature("score").orElseThrow().outOfRange()).isEqualTo(3);
  }
}
