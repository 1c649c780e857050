package dev.mlops.explain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.drift.BaselineProfile;
import dev.mlops.drift.CheckResult;
import dev.mlops.drift.CheckVerdict;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.PredictionMonitor;
import dev.mlops.drift.Windowing;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The recommended wiring: the explain monitor as a window check of the prediction monitor. */
class ExplainCheckTest {
  static final BaselineProfile PROFILE = profile();

  static BaselineProfile profile() {
    BaselineProfile.Fitter fitter = BaselineProfile.fitter(ExplainMonitorTest.NAMES, List.of());
    for (double[] x : ExplainMonitorTest.TRAINING.x) {
      fitter.add(x);
    }
    return fitter.build();
  }

  private final List<DriftReport> windows = new ArrayList<>();
  private final List<DriftReport> alerts = new ArrayList<>();
  private final List<ExplainWindowReport> explainWindows = new ArrayList<>();

  private ExplainMonitor explain;

  /** The wiring the docs recommend: the explain monitor's check on the prediction monitor. */
  private PredictionMonitor wire() {
    explain = ExplainMonitor.builder(ExplainMonitorTest.baselineBias())
        .attributions(ExplainMonitorTest.explainer(), ExplainMonitorTest.baselineExplanation())
        .onWindow(explainWindows::add).build();
    return PredictionMonitor.builder(PROFILE).windowing(Windowing.tumbling(20_000)).executor(Runnable::run)
        .check(explain.asCheck()).onWindow(windows::add).onAlert(alerts::add).build();
  }

  /** Serves one window of traffic; {@code penalty} is how much the live model marks facet d down. */
  private void serve(PredictionMonitor monitor, ExplainMonitorTest.Traffic t, double penalty) {
    for (int i = 0; i < t.x.length; i++) {
      double p = ExplainMonitorTest.score(t.x[i], t.d[i], penalty);
      monitor.record(t.x[i], p);
      explain.record(i, t.x[i], t.d[i], p);
    }
  }

  @Test
  void aPlantedBiasShiftAlarmsThePredictionMonitor() {
    PredictionMonitor monitor = wire();
    serve(monitor, new ExplainMonitorTest.Traffic(20_000, 4, 1, 1), 2.5); // the baseline model's penalty is 0.8

    assertThat(windows).hasSize(1);
    DriftReport report = windows.get(0);
    System.out.print(report.toText());
    assertThat(report.datasetDrift()).as("the features are unshifted").isFalse();
    CheckResult check = report.check(ExplainMonitor.CHECK_NAME).orElseThrow();
    assertThat(check.verdict()).isEqualTo(CheckVerdict.DRIFT);
    assertThat(check.value("DPPL shift").orElseThrow().breached()).isTrue();
    assertThat(check.value("DPPL shift").orElseThrow().value()).isGreaterThan(0.1);
    assertThat(check.value("DI shift").orElseThrow().breached()).isTrue();
    assertThat(check.value("attribution nDCG").orElseThrow().breached()).isFalse();
    assertThat(check.detail()).contains("DPPL");
    assertThat(alerts).containsExactly(report);
    assertThat(report.toText()).contains("check " + ExplainMonitor.CHECK_NAME).contains("BREACHED");
    // the explain monitor's own report of the same window
    assertThat(explainWindows).hasSize(1);
    assertThat(explainWindows.get(0).biasDrift()).isTrue();
  }

  @Test
  void unshiftedTrafficRaisesNoAlarm() {
    PredictionMonitor monitor = wire();
    serve(monitor, new ExplainMonitorTest.Traffic(20_000, 3, 1, 1), 0.8);

    assertThat(windows).hasSize(1);
    DriftReport report = windows.get(0);
    System.out.print(report.toText());
    CheckResult check = report.check(ExplainMonitor.CHECK_NAME).orElseThrow();
    assertThat(check.verdict()).isEqualTo(CheckVerdict.OK);
    assertThat(check.values()).noneMatch(v -> v.breached());
    assertThat(check.value("attribution nDCG").orElseThrow().value()).isGreaterThan(0.97);
    assertThat(report.alarm()).isFalse();
    assertThat(alerts).isEmpty();
  }

  @Test
  void aWindowWithoutSampledPredictionsIsNotEvaluated() {
    PredictionMonitor monitor = wire();
    DriftReport report = monitor.closeWindow();
    CheckResult check = report.check(ExplainMonitor.CHECK_NAME).orElseThrow();
    assertThat(check.verdict()).isEqualTo(CheckVerdict.NOT_EVALUATED);
    assertThat(check.detail()).contains("0 sampled");
    assertThat(report.alarm()).isFalse();
  }

  @Test
  void anExplainerModelThatFailsIsNotEvaluatedAndTheWindowCloses() {
    java.util.concurrent.atomic.AtomicBoolean offline = new java.util.concurrent.atomic.AtomicBoolean();
    ModelFunction model = x -> {
      if (offline.get()) {
        throw new IllegalStateException("model server offline");
      }
      return ExplainMonitorTest.FACET_BLIND_VIEW.apply(x);
    };
    ShapExplainer shap = ShapExplainer.builder(model, ExplainMonitorTest.BACKGROUND).featureNames(ExplainMonitorTest.NAMES)
        .exact().build();
    explain = ExplainMonitor.builder(ExplainMonitorTest.baselineBias()).attributions(shap, ExplainMonitorTest.baselineExplanation())
        .build();
    PredictionMonitor monitor = PredictionMonitor.builder(PROFILE).windowing(Windowing.tumbling(20_000)).executor(Runnable::run)
        .check(explain.asCheck()).onWindow(windows::add).onAlert(alerts::add).build();
    offline.set(true);
    serve(monitor, new ExplainMonitorTest.Traffic(20_000, 4, 1, 1), 2.5);

    assertThat(windows).hasSize(1);
    CheckResult check = windows.get(0).check(ExplainMonitor.CHECK_NAME).orElseThrow();
    assertThat(check.verdict()).isEqualTo(CheckVerdict.NOT_EVALUATED);
    assertThat(check.detail()).contains("model server offline");
    assertThat(windows.get(0).records()).isEqualTo(20_000);
  }
}
