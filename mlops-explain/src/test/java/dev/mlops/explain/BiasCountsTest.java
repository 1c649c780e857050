package dev.mlops.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BiasCountsTest {
  private static final double EPS = 1e-12;

  /** Facet a: TP 30, FP 10, FN 20, TN 40; facet d: TP 5, FP 5, FN 15, TN 25. */
  static BiasCounts handExample() {
    BiasCounts c = BiasCounts.create();
    addMany(c, false, 30, 10, 20, 40);
    addMany(c, true, 5, 5, 15, 25);
    return c;
  }

  private static void addMany(BiasCounts c, boolean d, int tp, int fp, int fn, int tn) {
    for (int i = 0; i < tp; i++) c.add(d, true, true);
    for (int i = 0; i < fp; i++) c.add(d, false, true);
    for (int i = 0; i < fn; i++) c.add(d, true, false);
    for (int i = 0; i < tn; i++) c.add(d, false, false);
  }

  private static Map<BiasMetric, MetricValue> byMetric(List<MetricValue> values) {
    return values.stream().collect(Collectors.toMap(MetricValue::metric, v -> v));
  }

  @Test
  void everyMetricMatchesItsFormulaOnAHandComputedExample() {
    Map<BiasMetric, MetricValue> m = byMetric(handExample().all());
    assertThat(m).hasSize(BiasMetric.values().length);
    double qa = 0.5, qd = 0.4;
    assertThat(m.get(BiasMetric.CI).value()).isCloseTo(50.0 / 150, within(EPS));
    assertThat(m.get(BiasMetric.DPL).value()).isCloseTo(0.1, within(EPS));
    assertThat(m.get(BiasMetric.KL).value()).isCloseTo(0.5 * Math.log(0.5 / 0.6) + 0.5 * Math.log(0.5 / 0.4), within(EPS));
    double p0 = (0.5 + 0.6) / 2, p1 = (0.5 + 0.4) / 2;
    double js = 0.5 * ((0.5 * Math.log(0.5 / p0) + 0.5 * Math.log(0.5 / p1)) + (0.6 * Math.log(0.6 / p0) + 0.4 * Math.log(0.4 / p1)));
    assertThat(m.get(BiasMetric.JS).value()).isCloseTo(js, within(EPS));
    assertThat(m.get(BiasMetric.LP).value()).isCloseTo(Math.sqrt(2 * 0.01), within(EPS));
    assertThat(m.get(BiasMetric.TVD).value()).isCloseTo(0.1, within(EPS));
    assertThat(m.get(BiasMetric.KS).value()).isCloseTo(qa - qd, within(EPS));
    assertThat(m.get(BiasMetric.CDDL).value()).isCloseTo(30.0 / 80 - 20.0 / 70, within(EPS));
    assertThat(m.get(BiasMetric.DPPL).value()).isCloseTo(0.4 - 0.2, within(EPS));
    assertThat(m.get(BiasMetric.DI).value()).isCloseTo(0.5, within(EPS));
    assertThat(m.get(BiasMetric.DCA).value()).isCloseTo(50.0 / 40 - 20.0 / 10, within(EPS));
    assertThat(m.get(BiasMetric.DCR).value()).isCloseTo(30.0 / 40 - 50.0 / 60, within(EPS));
    assertThat(m.get(BiasMetric.RD).value()).isCloseTo(30.0 / 50 - 5.0 / 20, within(EPS));
    assertThat(m.get(BiasMetric.DAR).value()).isCloseTo(30.0 / 40 - 5.0 / 10, within(EPS));
    assertThat(m.get(BiasMetric.DRR).value()).isCloseTo(25.0 / 40 - 40.0 / 60, within(EPS));
    assertThat(m.get(BiasMetric.AD).value()).isCloseTo(0.7 - 0.6, within(EPS));
    assertThat(m.get(BiasMetric.TE).value()).isCloseTo(15.0 / 5 - 20.0 / 10, within(EPS));
    assertThat(m.get(BiasMetric.CDDPL).value()).isCloseTo(40.0 / 100 - 10.0 / 50, within(EPS));
    double mu = (100 + 2.0 * 15) / 150;
    assertThat(m.get(BiasMetric.GE).value()).isCloseTo(((100 + 4.0 * 15) / (mu * mu) - 150) / 300, within(EPS));
    assertThat(m.get(BiasMetric.FT).isDefined()).isFalse();
    assertThat(m.get(BiasMetric.FT).reason()).get().asString().contains("feature");
  }

  @Test
  void mergedPartitionsGiveTheSameMetricsAsOnePass() {
    SplittableRandom rnd = new SplittableRandom(7);
    BiasCounts whole = BiasCounts.create();
    BiasCounts left = BiasCounts.create();
    BiasCounts right = BiasCounts.create();
    for (int i = 0; i < 10_000; i++) {
      int g = rnd.nextInt(4);
      boolean d = rnd.nextDouble() < 0.3;
      boolean y = rnd.nextDouble() < (d ? 0.3 : 0.5);
      boolean p = rnd.nextDouble() < (y ? 0.8 : 0.2);
      whole.add(g, d, y, p);
      (i % 3 == 0 ? left : right).add(g, d, y, p);
    }
    BiasCounts merged = BiasCounts.create().merge(left).merge(right);
    assertThat(merged.rowCount()).isEqualTo(10_000);
    assertThat(merged.all()).isEqualTo(whole.all());
  }

  @Test
  void undefinedMetricsAreNanWithAReasonNeverZero() {
    BiasCounts c = BiasCounts.create();
    // facet d: no predicted positives, no false positives; facet a normal
    addMany(c, false, 10, 5, 5, 10);
    addMany(c, true, 0, 0, 4, 6);
    Map<BiasMetric, MetricValue> m = byMetric(c.all());
    for (BiasMetric undefined : List.of(BiasMetric.DCA, BiasMetric.DAR, BiasMetric.TE)) {
      assertThat(m.get(undefined).value()).as(undefined.name()).isNaN();
      assertThat(m.get(undefined).reason()).as(undefined.name()).get().asString().contains("facet d has no");
    }
    assertThat(m.get(BiasMetric.DI).value()).isEqualTo(0.0); // defined: facet d simply gets no positives
    assertThat(m.get(BiasMetric.RD).isDefined()).isTrue();
  }

  @Test
  void emptyFacetAndInfiniteDivergenceAreNanWithReasons() {
    BiasCounts onlyA = BiasCounts.create();
    addMany(onlyA, false, 3, 1, 1, 3);
    Map<BiasMetric, MetricValue> m = byMetric(onlyA.all());
    assertThat(m.get(BiasMetric.DPL).reason()).contains("facet d has no rows");
    assertThat(m.get(BiasMetric.CI).value()).isEqualTo(1.0);

    BiasCounts noPositivesInD = BiasCounts.create();
    addMany(noPositivesInD, false, 3, 1, 1, 3);
    addMany(noPositivesInD, true, 0, 1, 0, 3);
    MetricValue kl = byMetric(noPositivesInD.preTraining()).get(BiasMetric.KL);
    assertThat(kl.value()).isNaN();
    assertThat(kl.reason()).get().asString().contains("infinite");
  }

  @Test
  void aGroupWithoutPositivesMakesTheConditionalMetricUndefined() {
    BiasCounts c = BiasCounts.create();
    c.add(0, true, true, true);
    c.add(0, false, false, false);
    c.add(1, true, false, false);
    c.add(1, false, false, true);
    MetricValue cddl = byMetric(c.preTraining()).get(BiasMetric.CDDL);
    assertThat(cddl.reason()).get().asString().contains("group 1").contains("label positives");
  }

  @Test
  void mixingRowsWithAndWithoutPredictionsIsRejected() {
    BiasCounts c = BiasCounts.create();
    c.addLabelled(0, true, true);
    assertThatThrownBy(() -> c.add(true, true, true)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("without predictions");
    assertThatThrownBy(c::postTraining).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> c.merge(handExample())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.addLabelled(-1, true, true)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }
}
