package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WindowCheckTest {

  /** A check that always returns the given verdict and counts its calls. */
  static final class Fixed implements WindowCheck {
    final String name;
    final CheckVerdict verdict;
    final List<Instant[]> calls = new ArrayList<>();

    Fixed(String name, CheckVerdict verdict) {
      this.name = name;
      this.verdict = verdict;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public CheckResult evaluate(Instant windowStart, Instant windowEnd) {
      calls.add(new Instant[] {windowStart, windowEnd});
      return new CheckResult(name, verdict, List.of(new CheckValue("rate", 0.42, 0.3, verdict == CheckVerdict.DRIFT)),
          verdict == CheckVerdict.NOT_EVALUATED ? "too few" : "rate 0.42 vs 0.3");
    }
  }

  static Fixed fixed(String name, CheckVerdict verdict) {
    return new Fixed(name, verdict);
  }

  /** Traffic like the baseline: no feature drifts. */
  private static void recordUnshifted(PredictionMonitor monitor, long seed) {
    Random rnd = new Random(seed);
    for (int i = 0; i < 5_000; i++) {
      monitor.record(PredictionMonitorTest.row(rnd, 0), new int[] {PredictionMonitorTest.device(rnd, false)}, 0.3);
    }
  }

  @Test
  void aCheckThatDriftsMakesTheReportAlarmWithoutFeatureDrift() {
    List<DriftReport> alerts = new ArrayList<>();
    Fixed check = fixed("bias", CheckVerdict.DRIFT);
    PredictionMonitor monitor = PredictionMonitorTest.manual().check(check).onAlert(alerts::add).build();
    recordUnshifted(monitor, 11);
    DriftReport report = monitor.closeWindow();

    assertThat(report.driftedFeatures()).isZero();
    assertThat(report.datasetDrift()).isFalse();
    assertThat(report.checks()).hasSize(1);
    CheckResult r = report.check("bias").orElseThrow();
    assertThat(r.verdict()).isEqualTo(CheckVerdict.DRIFT);
    assertThat(r.value("rate").orElseThrow().breached()).isTrue();
    assertThat(report.checkDrift()).isTrue();
    assertThat(report.alarm()).isTrue();
    assertThat(alerts).containsExactly(report);
    assertThat(check.calls).hasSize(1);
    assertThat(check.calls.get(0)).containsExactly(report.start(), report.end());
  }

  @Test
  void checksThatAreOkOrNotEvaluatedDoNotAlarm() {
    List<DriftReport> alerts = new ArrayList<>();
    PredictionMonitor monitor = PredictionMonitorTest.manual().check(fixed("ok", CheckVerdict.OK))
        .check(fixed("unsure", CheckVerdict.NOT_EVALUATED)).onAlert(alerts::add).build();
    recordUnshifted(monitor, 12);
    DriftReport report = monitor.closeWindow();
    assertThat(report.checks()).extracting(CheckResult::name).containsExactly("ok", "unsure");
    assertThat(report.alarm()).isFalse();
    assertThat(alerts).isEmpty();
  }

  @Test
  void aThrowingCheckIsNotEvaluatedAndTheWindowStillCloses() {
    List<DriftReport> windows = new ArrayList<>();
    Fixed after = fixed("after", CheckVerdict.DRIFT);
    PredictionMonitor monitor = PredictionMonitorTest.manual().check(new WindowCheck() {
      @Override
      public String name() {
        return "broken";
      }

      @Override
      public CheckResult evaluate(Instant windowStart, Instant windowEnd) {
        throw new IllegalStateException("model endpoint unreachable");
      }
    }).check(after).onWindow(windows::add).build();
    recordUnshifted(monitor, 13);
    DriftReport report = monitor.closeWindow();

    CheckResult broken = report.check("broken").orElseThrow();
    assertThat(broken.verdict()).isEqualTo(CheckVerdict.NOT_EVALUATED);
    assertThat(broken.detail()).contains("model endpoint unreachable");
    assertThat(report.check("after").orElseThrow().verdict()).isEqualTo(CheckVerdict.DRIFT); // later checks still run
    assertThat(windows).containsExactly(report);
    assertThat(report.records()).isEqualTo(5_000);
    // the next window is a fresh one
    recordUnshifted(monitor, 14);
    assertThat(monitor.closeWindow().records()).isEqualTo(5_000);
    assertThat(after.calls).hasSize(2);
  }

  @Test
  void checksAppearInTheText() {
    PredictionMonitor monitor = PredictionMonitorTest.manual().check(fixed("bias", CheckVerdict.DRIFT)).build();
    recordUnshifted(monitor, 15);
    String text = monitor.closeWindow().toText();
    assertThat(text).contains("ALARM").contains("check bias").contains("DRIFT").contains("rate 0.42 vs 0.3")
        .contains("rate").contains("0.4200").contains("0.3000").contains("BREACHED");
  }

  @Test
  void aMergedSnapshotRunsNoChecks() {
    Fixed check = fixed("bias", CheckVerdict.DRIFT);
    PredictionMonitor monitor = PredictionMonitorTest.manual().check(check).build();
    recordUnshifted(monitor, 16);
    DriftReport local = monitor.closeWindow();
    DriftReport fleet = monitor.evaluate(local.snapshot());
    assertThat(fleet.checks()).isEmpty();
    assertThat(fleet.alarm()).isFalse();
    assertThat(check.calls).hasSize(1);
  }

  @Test
  void checkNamesAreValidatedAndUnique() {
    assertThatThrownBy(() -> PredictionMonitorTest.manual().check(fixed("bias", CheckVerdict.OK))
        .check(fixed("bias", CheckVerdict.OK))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'bias'");
    assertThatThrownBy(() -> PredictionMonitorTest.manual().check(fixed("no spaces", CheckVerdict.OK)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no spaces");
    assertThatThrownBy(() -> CheckResult.notEvaluated("x", " ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("why");
    assertThatThrownBy(() -> new CheckValue("v", Double.NaN, 1, true)).isInstanceOf(IllegalArgumentException.class);
  }
}
