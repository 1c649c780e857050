package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowSnapshotHistogramTest {
  static final CategoricalFeature COLOR = CategoricalFeature.of("color", "red", "green", "blue");

  static BaselineProfile baseline(double shift) {
    BaselineProfile.Fitter fitter = BaselineProfile.fitter(List.of("x", "y"), List.of(COLOR));
    for (int i = 0; i < 1_000; i++) {
      fitter.add(new double[] {i + shift, -i}, new int[] {i % 3});
    }
    return fitter.build();
  }

  @Test
  void countsLandInTheBaselinesBins() {
    BaselineProfile profile = baseline(0);
    PredictionMonitor monitor = PredictionMonitor.builder(profile).windowing(Windowing.manual()).build();
    for (int i = 0; i < 100; i++) {
      monitor.record(new double[] {i < 90 ? -5 : 2_000, Double.NaN}, new int[] {i < 70 ? 0 : i < 90 ? 1 : -1}, 0);
    }
    WindowSnapshot s = monitor.closeWindow().snapshot();
    long[] x = s.histogram(profile, "x");
    assertThat(x).hasSize(profile.findNumeric("x").orElseThrow().binEdges().length + 1);
    assertThat(x[0]).isEqualTo(90);
    assertThat(x[x.length - 1]).isEqualTo(10);
    assertThat(Arrays.stream(s.histogram(profile, "y")).sum()).as("NaN is missing, in no bin").isZero();
    long[] color = s.histogram(profile, "color");
    assertThat(color).hasSize(profile.findCategorical("color").orElseThrow().bucketLabels().size());
    assertThat(color[profile.findCategorical("color").orElseThrow().bucketOf(0)]).isEqualTo(70);
    assertThat(color[profile.findCategorical("color").orElseThrow().bucketOf(1)]).isEqualTo(20);
    assertThat(Arrays.stream(color).sum()).as("missing codes are in no bucket").isEqualTo(90);
  }

  @Test
  void refusesAnotherBaselineAndUnknownFeatures() {
    BaselineProfile profile = baseline(0);
    WindowSnapshot s = PredictionMonitor.builder(profile).windowing(Windowing.manual()).build().closeWindow().snapshot();
    assertThatThrownBy(() -> s.histogram(baseline(0.5), "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("another baseline");
    assertThatThrownBy(() -> s.histogram(profile, "z")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'z' is not in the baseline");
  }
}
