package dev.mlops.drift;

import static dev.mlops.drift.PredictionMonitorTest.PROFILE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.features.FeatureRef;
import dev.mlops.features.FeatureStatus;
import dev.mlops.features.OnlineVector;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Recording by feature name and from an {@link OnlineVector}: same counts as positional records. */
class MonitorInputTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);

  private static PredictionMonitor monitor() {
    return PredictionMonitor.builder(PROFILE).windowing(Windowing.manual()).clock(CLOCK).executor(Runnable::run).build();
  }

  @Test
  void recordingByNameCountsLikePositionalRecording() {
    PredictionMonitor positional = monitor();
    PredictionMonitor byName = monitor();
    MonitorInput in = byName.newInput();
    int age = in.slot("age");
    int device = in.slot("device");
    Random rnd = new Random(5);
    String[] devices = {"ios", "android", "web"};
    for (int i = 0; i < 2_000; i++) {
      double[] r = PredictionMonitorTest.row(rnd, 0);
      int code = PredictionMonitorTest.device(rnd, false);
      if (i % 7 == 0) {
        r[2] = Double.NaN; // "score" left unset below: missing
      }
      positional.record(r, new int[] {code}, i % 3);
      // names in any order, by slot and by name
      in.setCategory(device, devices[code]).set("income", r[1]).set(age, r[0]);
      if (i % 7 != 0) {
        in.set("score", r[2]);
      }
      in.record(i % 3);
    }
    assertThat(byName.snapshot().toBytes()).isEqualTo(positional.snapshot().toBytes());
    assertThat(byName.closeWindow().feature("score").orElseThrow().missing()).isEqualTo(286);
  }

  @Test
  void unsetFeaturesAreMissingAndUnknownCategoriesCountAsUnknown() {
    PredictionMonitor monitor = monitor();
    MonitorInput in = monitor.newInput();
    in.set("age", 40).setCategory("device", "blackberry").record(0.5);
    in.setCode(in.slot("device"), 1).record(0.5); // age not set again: missing
    WindowSnapshot s = monitor.snapshot();
    assertThat(s.records()).isEqualTo(2);
    assertThat(s.missing).containsExactly(1, 2, 2);
    MonitorLayout layout = new MonitorLayout(PROFILE);
    int off = layout.categoricalOffset[0];
    int buckets = layout.buckets[0];
    assertThat(s.categorical[off + buckets + 1]).as("unknown").isEqualTo(1);
    assertThat(s.categorical[off + layout.bucketOfCode[1]]).as("android").isEqualTo(1);
  }

  @Test
  void unknownNamesAndWrongSlotsAreRefusedNamingTheKnownFeatures() {
    MonitorInput in = monitor().newInput();
    assertThatThrownBy(() -> in.slot("agee"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'agee'").hasMessageContaining("[age, income, score, device]");
    assertThatThrownBy(() -> in.set("device", 1.0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'device'").hasMessageContaining("numeric");
    assertThatThrownBy(() -> in.setCategory("age", "ios"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'age'").hasMessageContaining("categorical");
    assertThatThrownBy(() -> in.set(9, 1.0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slot 9");
    assertThat(in.features()).containsExactly("age", "income", "score", "device");
  }

  @Test
  void recordsFromAnOnlineVectorWithMissingForNotFoundAndExpired() {
    PredictionMonitor monitor = monitor();
    List<FeatureRef> refs = List.of(FeatureRef.parse("txn:age"), FeatureRef.parse("txn:unmonitored"),
        FeatureRef.parse("user:device"), FeatureRef.parse("txn:income"), FeatureRef.parse("txn:score"));
    VectorBinding binding = monitor.bind(refs);
    assertThat(binding.boundFeatures()).containsExactly("age", "device", "income", "score");

    // Two stored rows: txn (age, unmonitored, income, score) and user (device).
    OnlineVector v = new OnlineVector(5);
    v.layout(2, new int[] {0, 0, 1, 0, 0}, new int[] {0, 1, 0, 2, 3});
    MonitorInput in = monitor.newInput();

    v.setRow(0, new Object[] {41.0, "x", 52_000L, null}, FeatureStatus.PRESENT, FeatureStatus.NOT_FOUND, 10);
    v.setRow(1, new Object[] {"web"}, FeatureStatus.PRESENT, FeatureStatus.NOT_FOUND, 10);
    in.set(v, binding).record(0.1); // score NOT_FOUND (null in a live row)

    v.setRow(1, new Object[] {"ios"}, FeatureStatus.EXPIRED, FeatureStatus.EXPIRED, 99);
    in.set(v, binding).record(0.2); // device EXPIRED

    v.setRow(0, null, FeatureStatus.PRESENT, FeatureStatus.NOT_FOUND, -1);
    in.set(v, binding).record(0.3); // no txn row: age, income, score NOT_FOUND

    PredictionMonitor expected = monitor();
    double nan = Double.NaN;
    expected.record(new double[] {41.0, 52_000, nan}, new int[] {2}, 0.1);
    expected.record(new double[] {41.0, 52_000, nan}, new int[] {-1}, 0.2);
    expected.record(new double[] {nan, nan, nan}, new int[] {-1}, 0.3);
    assertThat(monitor.snapshot().toBytes()).isEqualTo(expected.snapshot().toBytes());
  }

  @Test
  void bindingsAreCheckedAgainstTheMonitorAndTheVector() {
    PredictionMonitor monitor = monitor();
    assertThatThrownBy(() -> monitor.bind(List.of(FeatureRef.parse("txn:amount"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("txn:amount").hasMessageContaining("[age, income, score, device]");
    assertThatThrownBy(() -> monitor.bind(List.of(FeatureRef.parse("a:age"), FeatureRef.parse("b:age"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a:age").hasMessageContaining("b:age");

    VectorBinding binding = monitor.bind(List.of(FeatureRef.parse("txn:age")));
    assertThatThrownBy(() -> monitor.newInput().set(new OnlineVector(2), binding))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1").hasMessageContaining("2");
    PredictionMonitor other = PredictionMonitor.builder(PredictionMonitorTest.fit(5_000, 3))
        .windowing(Windowing.manual()).build();
    assertThatThrownBy(() -> other.newInput().set(new OnlineVector(1), binding))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another baseline");
  }

  @Test
  void withPredictionIdsTheRowIsBufferedForLabels() {
    PredictionMonitor monitor = PredictionMonitor.builder(PROFILE).windowing(Windowing.manual())
        .outcomes(QualityMetric.ACCURACY, 16).build();
    MonitorInput in = monitor.newInput();
    in.set("age", 30).record(7L, 1.0);
    assertThat(monitor.recordOutcome(7L, 1.0)).isTrue();
    assertThatThrownBy(() -> monitor().newInput().record(1L, 0.0)).isInstanceOf(IllegalStateException.class);
  }
}
