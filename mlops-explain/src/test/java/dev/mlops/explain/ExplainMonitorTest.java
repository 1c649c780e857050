package dev.mlops.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mlops.drift.BaselineProfile;
import dev.mlops.drift.PredictionMonitor;
import dev.mlops.drift.Windowing;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ExplainMonitorTest {
  static final List<String> NAMES = List.of("x0", "x1", "x2", "x3");

  static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  /** The model: a logistic score; {@code penalty} is how much facet d is marked down (planted bias). */
  static double score(double[] x, boolean d, double penalty) {
    return sigmoid(1.5 * x[0] - 1.0 * x[1] + 0.5 * x[2] + 0.1 * x[3] - penalty * (d ? 1 : 0));
  }

  static final class Traffic {
    final double[][] x;
    final boolean[] d;
    final double[] label;

    Traffic(int n, long seed, double sd0, double sd3) {
      SplittableRandom r = new SplittableRandom(seed);
      x = new double[n][4];
      d = new boolean[n];
      label = new double[n];
      for (int i = 0; i < n; i++) {
        x[i][0] = r.nextGaussian() * sd0;
        x[i][1] = r.nextGaussian();
        x[i][2] = r.nextGaussian();
        x[i][3] = r.nextGaussian() * sd3;
        d[i] = r.nextDouble() < 0.3;
        label[i] = r.nextDouble() < score(x[i], d[i], 0.3) ? 1 : 0;
      }
    }
  }

  static final Traffic TRAINING = new Traffic(20_000, 1, 1, 1);
  static final Background BACKGROUND = Background.sample(TRAINING.x, 50, 2);
  static final ModelFunction FACET_BLIND_VIEW = x -> score(x, false, 0.8);

  static BiasReport baselineBias() {
    int n = TRAINING.x.length;
    List<String> facet = new ArrayList<>();
    double[] score = new double[n];
    for (int i = 0; i < n; i++) {
      facet.add(TRAINING.d[i] ? "d" : "a");
      score[i] = score(TRAINING.x[i], TRAINING.d[i], 0.8);
    }
    Table t = Table.builder().categorical("g", facet).numeric("y", TRAINING.label).numeric("score", score).build();
    return BiasAnalysis.analyze(t, BiasSpec.of(Condition.equalTo("g", "d"), Condition.above("y", 0.5))
        .withPrediction(Condition.above("score", 0.5)));
  }

  static ShapExplainer explainer() {
    return ShapExplainer.builder(FACET_BLIND_VIEW, BACKGROUND).featureNames(NAMES).exact().build();
  }

  static ExplanationReport baselineExplanation() {
    return explainer().explainAll(java.util.Arrays.copyOf(TRAINING.x, 200));
  }

  private static ExplainMonitor.Builder monitor() {
    return ExplainMonitor.builder(baselineBias()).attributions(explainer(), baselineExplanation())
        .clock(Clock.fixed(Instant.parse("2026-12-03T09:00:00Z"), ZoneOffset.UTC));
  }

  private static void serve(ExplainMonitor m, Traffic t, double penalty, boolean withLabels) {
    for (int i = 0; i < t.x.length; i++) {
      m.record(i, t.x[i], t.d[i], score(t.x[i], t.d[i], penalty));
    }
    if (withLabels) {
      for (int i = 0; i < t.x.length; i++) {
        m.recordOutcome(i, t.label[i]);
      }
    }
  }

  @Test
  void trafficLikeTheBaselineRaisesNoAlarm() {
    ExplainMonitor m = monitor().build();
    serve(m, new Traffic(20_000, 3, 1, 1), 0.8, true);
    ExplainWindowReport r = m.closeWindow();
    System.out.print(r.toText());
    assertThat(r.sampledPredictions()).isBetween(1_700L, 2_300L); // one in 10 by id hash
    assertThat(r.labelledPredictions()).isEqualTo(r.sampledPredictions());
    assertThat(r.bias()).allSatisfy(b -> assertThat(b.window().isDefined()).as(b.metric().name()).isTrue());
    assertThat(r.biasDrift()).isFalse();
    assertThat(r.attribution().orElseThrow().ndcg()).isGreaterThan(0.97);
    assertThat(r.alarm()).isFalse();
    // the next window starts empty
    ExplainWindowReport empty = m.closeWindow();
    assertThat(empty.sampledPredictions()).isZero();
    assertThat(empty.find(BiasMetric.RD).orElseThrow().window().reason()).get().asString().contains("0 labelled predictions");
    assertThat(empty.attribution().orElseThrow().reason()).isPresent();
    assertThat(empty.alarm()).isFalse();
  }

  @Test
  void aModelThatPenalisesTheFacetMoreIsBiasDrift() {
    List<ExplainWindowReport> alerts = new ArrayList<>();
    ExplainMonitor m = monitor().onAlert(alerts::add).build();
    serve(m, new Traffic(20_000, 4, 1, 1), 2.5, false); // predictions only: DPPL and DI need no labels
    ExplainWindowReport r = m.closeWindow();
    System.out.print(r.toText());
    BiasDrift dppl = r.find(BiasMetric.DPPL).orElseThrow();
    assertThat(dppl.violated()).isTrue();
    assertThat(dppl.window().value() - dppl.baseline()).isGreaterThan(0.1);
    assertThat(r.find(BiasMetric.DI).orElseThrow().violated()).isTrue();
    assertThat(r.find(BiasMetric.AD).orElseThrow().window().isDefined()).isFalse(); // no labels: NaN, not 0
    assertThat(alerts).containsExactly(r);
  }

  @Test
  void aShiftInWhichFeaturesMatterIsAttributionDrift() {
    ExplainMonitor m = monitor().build();
    // x0 (the most important in training) barely varies in production, x3 varies 20x more
    serve(m, new Traffic(20_000, 5, 0.05, 20), 0.8, false);
    ExplainWindowReport r = m.closeWindow();
    System.out.print(r.toText());
    AttributionDrift a = r.attribution().orElseThrow();
    assertThat(a.baselineRanking().get(0)).isEqualTo("x0");
    assertThat(a.windowRanking().get(0)).isEqualTo("x3");
    assertThat(a.ndcg()).isLessThan(0.9);
    assertThat(a.drift()).isTrue();
    assertThat(r.alarm()).isTrue();
  }

  @Test
  void ndcgFollowsTheModelMonitorDefinition() {
    List<Double> base = List.of(0.5, 0.3, 0.2);
    assertThat(AttributionDrift.compare(List.of("a", "b", "c"), base, base, 0.9).ndcg()).isEqualTo(1.0);
    double log3 = Math.log(3) / Math.log(2);
    double expected = (0.3 + 0.5 / log3 + 0.2 / 2) / (0.5 + 0.3 / log3 + 0.2 / 2);
    AttributionDrift swapped = AttributionDrift.compare(List.of("a", "b", "c"), base, List.of(0.3, 0.5, 0.2), 0.9);
    assertThat(swapped.ndcg()).isCloseTo(expected, within(1e-12));
    assertThat(swapped.windowRanking()).containsExactly("b", "a", "c");
    assertThat(AttributionDrift.compare(List.of("a"), List.of(0.0), List.of(1.0), 0.9).reason()).isPresent();
  }

  @Test
  void closesWithThePredictionMonitorsWindowsAndCarriesTheDataDriftReport() {
    BaselineProfile.Fitter fitter = BaselineProfile.fitter(NAMES, List.of());
    for (double[] x : TRAINING.x) {
      fitter.add(x);
    }
    List<ExplainWindowReport> reports = new ArrayList<>();
    ExplainMonitor explain = monitor().onWindow(reports::add).build();
    PredictionMonitor data = PredictionMonitor.builder(fitter.build()).windowing(Windowing.tumbling(5_000))
        .executor(Runnable::run).onWindow(explain.closeWithDataDrift()).build();
    Traffic t = new Traffic(10_000, 6, 1, 1);
    for (int i = 0; i < t.x.length; i++) {
      double p = score(t.x[i], t.d[i], 0.8);
      data.record(t.x[i], p);
      explain.record(i, t.x[i], t.d[i], p);
    }
    assertThat(reports).hasSize(2);
    assertThat(reports.get(0).dataDrift()).isPresent();
    assertThat(reports.get(0).dataDrift().get().records()).isEqualTo(5_000);
    assertThat(reports.get(0).sampledPredictions() + reports.get(1).sampledPredictions()).isBetween(800L, 1_200L);
    assertThat(reports.get(1).toText()).contains("data drift: no dataset drift");
  }

  @Test
  void concurrentRecordsCountLikeOneThread() throws Exception {
    Traffic t = new Traffic(40_000, 8, 1, 1);
    ExplainMonitor single = monitor().build();
    for (int i = 0; i < t.x.length; i++) {
      single.record(i, t.x[i], t.d[i], score(t.x[i], t.d[i], 0.8));
    }
    ExplainWindowReport expected = single.closeWindow();
    ExplainMonitor shared = monitor().build();
    Thread[] threads = new Thread[4];
    for (int k = 0; k < threads.length; k++) {
      int from = k * 10_000;
      threads[k] = new Thread(() -> {
        for (int i = from; i < from + 10_000; i++) {
          shared.record(i, t.x[i], t.d[i], score(t.x[i], t.d[i], 0.8));
        }
      });
      threads[k].start();
    }
    for (Thread th : threads) {
      th.join();
    }
    ExplainWindowReport r = shared.closeWindow();
    assertThat(r.sampledPredictions()).isEqualTo(expected.sampledPredictions());
    for (BiasMetric m : List.of(BiasMetric.DPPL, BiasMetric.DI)) {
      assertThat(r.find(m).orElseThrow().window()).isEqualTo(expected.find(m).orElseThrow().window());
    }
  }

  @Test
  void recordAllocatesNothing() {
    ExplainMonitor m = monitor().build();
    Traffic t = new Traffic(1_000, 7, 1, 1);
    double[] p = new double[t.x.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = score(t.x[i], t.d[i], 0.8);
    }
    for (int i = 0; i < 50_000; i++) {
      m.record(i, t.x[i % 1000], t.d[i % 1000], p[i % 1000]);
    }
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().getId();
    threads.getThreadAllocatedBytes(self);
    long before = threads.getThreadAllocatedBytes(self);
    for (int i = 50_000; i < 250_000; i++) {
      m.record(i, t.x[i % 1000], t.d[i % 1000], p[i % 1000]);
    }
    long after = threads.getThreadAllocatedBytes(self);
    assertThat(after - before).as("bytes allocated by 200,000 records (~20,000 sampled)").isZero();
  }

  @Test
  void misconfigurationIsRejected() {
    assertThatThrownBy(() -> ExplainMonitor.builder(baselineBias()).tolerance(BiasMetric.CI, 0.1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CI");
    assertThatThrownBy(() -> ExplainMonitor.builder(baselineBias()).sampleEvery(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
    BiasReport preOnly = BiasAnalysis.analyze(Table.builder().categorical("g", "a", "d", "a", "d").categorical("y", "1", "0", "0", "1").build(),
        BiasSpec.of(Condition.equalTo("g", "d"), Condition.equalTo("y", "1")));
    assertThatThrownBy(() -> ExplainMonitor.builder(preOnly).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("post-training");
    ShapExplainer other = ShapExplainer.builder(FACET_BLIND_VIEW, BACKGROUND).featureNames(List.of("a", "b", "c", "d")).exact().build();
    assertThatThrownBy(() -> ExplainMonitor.builder(baselineBias()).attributions(other, baselineExplanation()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[a, b, c, d]");
  }
}
