package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Sums of raw values never overflow where the true result is representable: means, standard
 * deviations and Wasserstein distances of values near ±{@code Double.MAX_VALUE}.
 */
class OverflowTest {
  private static final double MAX = Double.MAX_VALUE;

  @Test
  void predictionMeanOfHugePredictionsIsFinite() {
    PredictionMonitor monitor = PredictionMonitor.builder(PredictionMonitorTest.PROFILE)
        .windowing(Windowing.manual()).executor(Runnable::run).build();
    monitor.record(new double[] {40, 50_000, 0.5}, new int[] {0}, MAX);
    monitor.record(new double[] {40, 50_000, 0.5}, new int[] {0}, MAX);
    assertThat(monitor.closeWindow().predictionMean().getAsDouble()).isEqualTo(MAX);

    monitor.record(new double[] {40, 50_000, 0.5}, new int[] {0}, MAX);
    monitor.record(new double[] {40, 50_000, 0.5}, new int[] {0}, -MAX);
    monitor.record(new double[] {40, 50_000, 0.5}, new int[] {0}, 3);
    assertThat(monitor.closeWindow().predictionMean().getAsDouble()).isEqualTo(1.0);
  }

  @Test
  void snapshotsWithHugeSumsRoundTripAndMerge() {
    PredictionMonitor monitor = PredictionMonitor.builder(PredictionMonitorTest.PROFILE)
        .windowing(Windowing.manual()).executor(Runnable::run).build();
    for (int i = 0; i < 4; i++) {
      monitor.record(new double[] {MAX, 50_000, 0.5}, new int[] {0}, MAX);
    }
    WindowSnapshot s = monitor.closeWindow().snapshot();
    WindowSnapshot back = WindowSnapshot.fromBytes(s.toBytes());
    WindowSnapshot twice = back.merge(back);
    assertThat(monitor.evaluate(twice).predictionMean().getAsDouble()).isEqualTo(MAX);
  }

  @Test
  void meanAbsoluteErrorOfHugeErrorsIsFinite() {
    PredictionMonitor monitor = PredictionMonitor.builder(PredictionMonitorTest.PROFILE)
        .windowing(Windowing.manual()).executor(Runnable::run)
        .outcomes(QualityMetric.MEAN_ABSOLUTE_ERROR, 16).build();
    monitor.record(1, new double[] {40, 50_000, 0.5}, new int[] {0}, MAX);
    monitor.record(2, new double[] {40, 50_000, 0.5}, new int[] {0}, MAX);
    monitor.recordOutcome(1, 0);
    monitor.recordOutcome(2, 0);
    assertThat(monitor.quality().value().getAsDouble()).isEqualTo(MAX);
    assertThat(monitor.closeWindow().quality().orElseThrow().value().getAsDouble()).isEqualTo(MAX);
  }

  @Test
  void wassersteinOfSamplesNearMaxValueIsFinite() {
    double[] ref = {-MAX, MAX};
    // W(ref, cur) = MAX (half the mass moves 2 MAX), sd(ref) = MAX: normalized 1
    assertThat(DriftTest.WASSERSTEIN.compare(ref, new double[] {MAX, MAX}).statistic()).isCloseTo(1.0, within(1e-12));
    assertThat(DriftTest.WASSERSTEIN.compare(ref, ref).statistic()).isZero();
    assertThat(DriftTest.populationStandardDeviation(ref)).isEqualTo(MAX);
    assertThat(DriftTest.populationStandardDeviation(new double[] {1e300, 3e300})).isCloseTo(1e300, within(1e286));
    // binned on the reference's quantile bins: finite
    double[] many = new double[200];
    for (int i = 0; i < many.length; i++) {
      many[i] = (i % 2 == 0 ? -1 : 1) * MAX * (1 - i / 1000.0);
    }
    assertThat(DriftTest.WASSERSTEIN.compare(many, many).statistic()).isFinite();
  }

  @Test
  void profilesOfHugeValuesHaveFiniteMomentsRoundTripAndMerge() {
    BaselineProfile.Fitter fitter = BaselineProfile.fitter(List.of("x"), List.of());
    for (int i = 0; i < 1_000; i++) {
      fitter.add(new double[] {i % 2 == 0 ? MAX : -MAX});
    }
    BaselineProfile p = fitter.build();
    NumericFeatureProfile x = p.numericFeatures().get(0);
    assertThat(x.mean()).isEqualTo(0.0);
    assertThat(x.binned().standardDeviation).isCloseTo(MAX, withinPercentage(1e-9));
    assertThat(x.variance()).isEqualTo(Double.POSITIVE_INFINITY); // MAX^2: not representable
    BaselineProfile back = BaselineProfile.fromBytes(p.toBytes());
    assertThat(back.numericFeatures().get(0).binned().standardDeviation).isCloseTo(MAX, withinPercentage(1e-9));
    BaselineProfile merged = back.merge(p);
    assertThat(merged.numericFeatures().get(0).mean()).isEqualTo(0.0);
    assertThat(merged.numericFeatures().get(0).binned().standardDeviation).isCloseTo(MAX, withinPercentage(1e-9));
    for (double m : x.binned().binMeans) {
      assertThat(m).isFinite();
    }

    BaselineProfile.Fitter big = BaselineProfile.fitter(List.of("x"), List.of());
    big.add(new double[] {1e300}).add(new double[] {3e300});
    NumericFeatureProfile b = big.build().numericFeatures().get(0);
    assertThat(b.mean()).isCloseTo(2e300, within(1e286));
    assertThat(b.variance()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(b.binned().standardDeviation).isCloseTo(1e300, within(1e286));
  }

  @Test
  void monitorWassersteinOnHugeFeatureValuesIsFinite() {
    BaselineProfile.Fitter fitter = BaselineProfile.fitter(List.of("x"), List.of());
    for (int i = 0; i < 2_000; i++) {
      fitter.add(new double[] {(i % 2 == 0 ? 1 : -1) * MAX * (1 - i / 4_000.0)});
    }
    PredictionMonitor monitor = PredictionMonitor.builder(fitter.build()).windowing(Windowing.manual())
        .numericThreshold(DriftThreshold.defaultFor(DriftTest.WASSERSTEIN)).minSamples(10).executor(Runnable::run).build();
    for (int i = 0; i < 100; i++) {
      monitor.record(new double[] {MAX}, 0);
    }
    double w = monitor.closeWindow().feature("x").orElseThrow().result().orElseThrow().statistic();
    assertThat(w).isFinite().isGreaterThan(0.5);
  }

  /** The version-1 form of a snapshot: sums unscaled, plus a prediction sum of squares. */
  private static byte[] versionOne(WindowSnapshot w, double sumSquares) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(WindowSnapshot.MAGIC);
      out.writeShort(1);
      out.writeLong(w.fingerprint);
      out.writeLong(w.startMillis);
      out.writeLong(w.endMillis);
      out.writeLong(w.records);
      out.writeInt(w.missing.length);
      out.writeInt(w.categorical.length);
      for (long v : w.binCounts) {
        out.writeLong(v);
      }
      for (double v : w.binSums) {
        out.writeDouble(v * WindowSnapshot.SUM_UNSCALE);
      }
      for (int f = 0; f < w.missing.length; f++) {
        out.writeLong(w.missing[f]);
        out.writeLong(w.infinite[f]);
      }
      for (long v : w.categorical) {
        out.writeLong(v);
      }
      out.writeLong(w.predictions);
      out.writeLong(w.predictionsInvalid);
      out.writeDouble(w.predictionSum * WindowSnapshot.SUM_UNSCALE);
      out.writeDouble(sumSquares);
      out.writeLong(w.outcomes);
      out.writeDouble(w.errorSum * WindowSnapshot.SUM_UNSCALE);
      out.writeLong(w.evicted);
      out.writeLong(w.unmatched);
      out.writeLong(w.conceptDrifts);
      out.writeByte(w.detectorState.ordinal());
    }
    byte[] body = bytes.toByteArray();
    CRC32 crc = new CRC32();
    crc.update(body);
    return ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
  }

  @Test
  void versionOneSnapshotsAreStillRead() throws IOException {
    PredictionMonitor monitor = PredictionMonitor.builder(PredictionMonitorTest.PROFILE)
        .windowing(Windowing.manual()).executor(Runnable::run).build();
    java.util.Random rnd = new java.util.Random(4);
    for (int i = 0; i < 3_000; i++) {
      monitor.record(PredictionMonitorTest.row(rnd, 0.3), new int[] {i % 3}, 0.25 * (i % 4));
    }
    DriftReport report = monitor.closeWindow();
    WindowSnapshot v1 = WindowSnapshot.fromBytes(versionOne(report.snapshot(), 123.0));
    assertThat(v1.toBytes()).isEqualTo(report.snapshot().toBytes());
    assertThat(monitor.evaluate(v1)).usingRecursiveComparison().ignoringFields("snapshot").isEqualTo(report);
  }
}
