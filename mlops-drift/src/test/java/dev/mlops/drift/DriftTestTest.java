package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class DriftTestTest {

  private static double[] gaussian(Random rnd, int n, double shift) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = rnd.nextGaussian() + shift;
    }
    return x;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void exactKolmogorovSmirnovAgreesWithCommonsMath(int seed) {
    Random rnd = new Random(seed);
    int n = 5 + rnd.nextInt(60);
    int m = 5 + rnd.nextInt(60);
    double[] x = gaussian(rnd, n, 0);
    double[] y = gaussian(rnd, m, seed % 2 == 0 ? 0.8 : 0);
    assertThat((long) n * m).isLessThan(KolmogorovSmirnovPValue.EXACT_PRODUCT_LIMIT);

    DriftTestResult r = DriftTest.KOLMOGOROV_SMIRNOV.compare(x, y);
    KolmogorovSmirnovTest commons = new KolmogorovSmirnovTest();
    assertThat(r.statistic()).isCloseTo(commons.kolmogorovSmirnovStatistic(x, y), within(1e-12));
    // Commons' non-strict p-value is P(D >= d), the conventional one.
    assertThat(r.pValue().getAsDouble()).isCloseTo(commons.kolmogorovSmirnovTest(x, y, false), within(1e-9));
  }

  @ParameterizedTest
  @ValueSource(ints = {11, 12, 13, 14})
  void asymptoticKolmogorovSmirnovAgreesWithCommonsMath(int seed) {
    Random rnd = new Random(seed);
    double[] x = gaussian(rnd, 300 + rnd.nextInt(2000), 0);
    double[] y = gaussian(rnd, 300 + rnd.nextInt(2000), seed % 2 == 0 ? 0.1 : 0);

    DriftTestResult r = DriftTest.KOLMOGOROV_SMIRNOV.compare(x, y);
    KolmogorovSmirnovTest commons = new KolmogorovSmirnovTest();
    assertThat(r.statistic()).isCloseTo(commons.kolmogorovSmirnovStatistic(x, y), within(1e-12));
    assertThat(r.pValue().getAsDouble()).isCloseTo(commons.kolmogorovSmirnovTest(x, y), within(1e-9));
  }

  @Test
  void kolmogorovSmirnovHandlesTies() {
    double[] x = {1, 1, 2, 2, 3, 3};
    double[] y = {1, 2, 2, 2, 2, 2};
    // ECDF gap at 1: 2/6 - 1/6; at 2: 4/6 - 6/6 -> 1/3 is the largest.
    assertThat(DriftTest.KOLMOGOROV_SMIRNOV.compare(x, y).statistic()).isCloseTo(1.0 / 3, within(1e-15));
  }

  @Test
  void exactPValueOfSmallSamplesMatchesHandCount() {
    // n = m = 2: of the C(4,2) = 6 paths, only the two that go straight to a corner reach D = 1.
    assertThat(KolmogorovSmirnovPValue.exact(1.0, 2, 2)).isCloseTo(2.0 / 6, within(1e-15));
    assertThat(KolmogorovSmirnovPValue.exact(0.5, 2, 2)).isCloseTo(1.0, within(1e-15));
  }

  @Test
  void chiSquareAgreesWithCommonsMathDataSetsComparison() {
    Random rnd = new Random(7);
    double[] ref = gaussian(rnd, 5000, 0);
    double[] cur = gaussian(rnd, 3000, 0.1);
    DriftTestResult r = DriftTest.CHI_SQUARE.compare(ref, cur, 12);

    double[] edges = BinnedBaseline.quantileEdges(DriftTest.sortedFinite(ref, "r"), 12);
    long[] a = toLongs(DriftTest.binCounts(ref, edges));
    long[] b = toLongs(DriftTest.binCounts(cur, edges));
    ChiSquareTest commons = new ChiSquareTest();
    assertThat(r.statistic()).isCloseTo(commons.chiSquareDataSetsComparison(a, b), within(1e-9));
    assertThat(r.pValue().getAsDouble()).isCloseTo(commons.chiSquareTestDataSetsComparison(a, b), within(1e-9));
    double p = r.pValue().getAsDouble();
    assertThat(p).isCloseTo(1 - new ChiSquaredDistribution(edges.length).cumulativeProbability(r.statistic()),
        within(1e-9));
  }

  private static long[] toLongs(double[] counts) {
    return Arrays.stream(counts).mapToLong(c -> (long) c).toArray();
  }

  private static BinnedBaseline bins(double... p) {
    double[] edges = new double[p.length - 1];
    for (int i = 0; i < edges.length; i++) {
      edges[i] = i + 1;
    }
    double[] means = new double[p.length];
    for (int i = 0; i < means.length; i++) {
      means[i] = i + 0.5;
    }
    return new BinnedBaseline(edges, p, means, 1000, 1, true);
  }

  @Test
  void populationStabilityIndexMatchesHandComputation() {
    DriftTestResult r = DriftTest.POPULATION_STABILITY_INDEX.evaluate(
        bins(0.25, 0.25, 0.5), new double[] {50, 25, 25}, null);
    // (0.5-0.25) ln 2 + 0 + (0.25-0.5) ln 0.5 = 0.5 ln 2
    assertThat(r.statistic()).isCloseTo(0.5 * Math.log(2), within(1e-12));
    assertThat(r.pValue()).isEmpty();
  }

  @Test
  void jensenShannonAndHellingerMatchHandComputation() {
    BinnedBaseline half = bins(0.5, 0.5);
    double[] allFirst = {10, 0};
    // JSD = 0.5 [0.5 log2(0.5/0.75) + 0.5 log2(0.5/0.25)] + 0.5 log2(1/0.75)
    double jsd = 0.5 * (0.5 * log2(0.5 / 0.75) + 0.5 * log2(2)) + 0.5 * log2(1 / 0.75);
    assertThat(DriftTest.JENSEN_SHANNON.evaluate(half, allFirst, null).statistic())
        .isCloseTo(Math.sqrt(jsd), within(1e-12))
        .isCloseTo(0.5579230452, within(1e-9));
    assertThat(DriftTest.HELLINGER.evaluate(half, allFirst, null).statistic())
        .isCloseTo(Math.sqrt(1 - Math.sqrt(0.5)), within(1e-12));
    assertThat(DriftTest.HELLINGER.evaluate(half, new double[] {5, 5}, null).statistic())
        .isCloseTo(0, within(1e-7));
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  @Test
  void wassersteinOfRawSamplesMatchesScipyExample() {
    // scipy.stats.wasserstein_distance([0, 1, 3], [5, 6, 8]) == 5.0
    assertThat(DriftTest.wasserstein(new double[] {0, 1, 3}, new double[] {5, 6, 8})).isCloseTo(5.0, within(1e-12));
    double sd = Math.sqrt(42.0 / 27);
    assertThat(DriftTest.WASSERSTEIN.compare(new double[] {0, 1, 3}, new double[] {5, 6, 8}).statistic())
        .isCloseTo(5.0 / sd, within(1e-12));
  }

  @Test
  void binnedWassersteinApproximatesTheExactDistance() {
    Random rnd = new Random(3);
    BaselineProfile profile = BaselineProfile.fit(java.util.List.of("x"),
        Arrays.stream(gaussian(rnd, 100_000, 0)).mapToObj(v -> new double[] {v}).toArray(double[][]::new));
    double[] shifted = gaussian(rnd, 50_000, 0.5);
    DriftTestResult binned = DriftTest.WASSERSTEIN.compare(profile.numericFeatures().get(0), shifted);
    assertThat(binned.statistic()).isCloseTo(0.5, within(0.05));
  }

  @ParameterizedTest
  @EnumSource(DriftTest.class)
  void effectSizeFloorIgnoresTrivialShiftOfHugeWindowButCatchesHalfSigma(DriftTest test) {
    Random rnd = new Random(42);
    int n = 1_000_000;
    double[] reference = gaussian(rnd, n, 0);
    DriftThreshold threshold = DriftThreshold.defaultFor(test);

    DriftTestResult trivial = test.compare(reference, gaussian(rnd, n, 0.01));
    assertThat(threshold.isDrift(trivial)).as("0.01 sigma: %s", trivial).isFalse();
    if (test.hasPValue()) {
      // Without the floor this would alarm: the shift is statistically significant.
      assertThat(trivial.pValue().getAsDouble()).isLessThan(threshold.threshold());
    }

    DriftTestResult real = test.compare(reference, gaussian(rnd, n, 0.5));
    assertThat(threshold.isDrift(real)).as("0.5 sigma: %s", real).isTrue();
  }

  @ParameterizedTest
  @EnumSource(DriftTest.class)
  void sameDistributionDoesNotDrift(DriftTest test) {
    Random rnd = new Random(9);
    DriftTestResult r = test.compare(gaussian(rnd, 20_000, 0), gaussian(rnd, 5_000, 0));
    assertThat(DriftThreshold.defaultFor(test).isDrift(r)).as("%s", r).isFalse();
  }

  @Test
  void rejectsSamplesWithoutFiniteValues() {
    assertThatThrownBy(() -> DriftTest.POPULATION_STABILITY_INDEX.compare(new double[] {Double.NaN}, new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reference");
    assertThatThrownBy(() -> DriftTest.POPULATION_STABILITY_INDEX.compare(new double[] {1}, new double[] {1}, 99))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("99");
  }

  @Test
  void thresholdsValidateTheirValues() {
    assertThatThrownBy(() -> new DriftThreshold(DriftTest.KOLMOGOROV_SMIRNOV, 1.5, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.5");
    assertThatThrownBy(() -> new DriftThreshold(DriftTest.POPULATION_STABILITY_INDEX, Double.NaN, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
    assertThatThrownBy(() -> new DriftThreshold(DriftTest.HELLINGER, 0.1, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    DriftTestResult psi = DriftTest.POPULATION_STABILITY_INDEX.evaluate(
        bins(0.5, 0.5), new double[] {1, 1}, null);
    assertThatThrownBy(() -> DriftThreshold.defaultFor(DriftTest.HELLINGER).isDrift(psi))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
