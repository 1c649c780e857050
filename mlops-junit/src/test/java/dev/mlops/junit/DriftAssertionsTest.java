package dev.mlops.junit;

import static dev.mlops.junit.DriftAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.drift.BaselineProfile;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.DriftVerdict;
import dev.mlops.drift.PredictionMonitor;
import dev.mlops.drift.Windowing;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Drift report assertions on real reports of a monitor: one window with a shifted feature, one without. */
class DriftAssertionsTest {
  static final BaselineProfile BASELINE = baseline();

  static BaselineProfile baseline() {
    Random rnd = new Random(7);
    double[][] rows = new double[20_000][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = new double[] {rnd.nextGaussian(), 50 + 10 * rnd.nextGaussian()};
    }
    return BaselineProfile.fit(List.of("amount", "age"), rows);
  }

  static DriftReport window(double amountShift, long seed) {
    PredictionMonitor monitor = PredictionMonitor.builder(BASELINE).windowing(Windowing.manual())
        .clock(MutableClock.at(Instant.parse("2025-01-01T00:00:00Z"))).build();
    Random rnd = new Random(seed);
    for (int i = 0; i < 5_000; i++) {
      monitor.record(new double[] {amountShift + rnd.nextGaussian(), 50 + 10 * rnd.nextGaussian()}, 0.5);
    }
    return monitor.closeWindow();
  }

  @Test
  void aShiftedFeatureDrifts() {
    DriftReport report = window(2.0, 1);
    assertThatCode(() -> assertThat(report).hasDriftedFeatures("amount").featureDrifted("amount")
        .featureDidNotDrift("age").hasVerdict("age", DriftVerdict.NO_DRIFT).hasDatasetDrift().hasAlarm())
        .doesNotThrowAnyException();

    assertThatThrownBy(() -> assertThat(report).hasNoDatasetDrift()).isInstanceOf(AssertionError.class)
        .hasMessageContaining("1 of 2 features drifted ([amount])").hasMessageContaining("DATASET DRIFT");
    assertThatThrownBy(() -> assertThat(report).featureDidNotDrift("amount")).isInstanceOf(AssertionError.class)
        .hasMessageContaining("feature 'amount' to be NO_DRIFT but it is DRIFT");
    assertThatThrownBy(() -> assertThat(report).hasDriftedFeatures()).isInstanceOf(AssertionError.class)
        .hasMessageContaining("exactly features [] to drift but [amount] drifted");
    assertThatThrownBy(() -> assertThat(report).hasNoAlarm()).isInstanceOf(AssertionError.class)
        .hasMessageContaining("raised one");
    assertThatThrownBy(() -> assertThat(report).featureDrifted("income")).isInstanceOf(AssertionError.class)
        .hasMessageContaining("'income'").hasMessageContaining("[amount, age]");
  }

  @Test
  void anUnchangedWindowDoesNotDrift() {
    DriftReport report = window(0.0, 2);
    assertThatCode(() -> assertThat(report).hasDriftedFeatures().hasNoDatasetDrift().hasNoAlarm()
        .featureDidNotDrift("amount")).doesNotThrowAnyException();
    assertThatThrownBy(() -> assertThat(report).hasDatasetDrift()).isInstanceOf(AssertionError.class)
        .hasMessageContaining("0 of 2 features drifted");
    assertThatThrownBy(() -> assertThat(report).hasAlarm()).isInstanceOf(AssertionError.class)
        .hasMessageContaining("quiet");
    assertThatThrownBy(() -> assertThat(report).featureDrifted("age")).isInstanceOf(AssertionError.class)
        .hasMessageContaining("feature 'age' to be DRIFT but it is NO_DRIFT");
  }
}
