package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * KSWIN draws its reference sample at random, and expected.json has no KSWIN rows, so its
 * behaviour is checked statistically on the reference streams for fixed seeds: each detects the
 * abrupt changes at index 10,000 within {@value #MAX_DELAY} inputs (one window: KSWIN can only
 * see a change while its window straddles it), and false alarms on the stationary Gaussian
 * streams stay below {@value #MAX_FALSE_ALARMS_PER_10K} per 10,000 inputs (a test runs at every
 * input). Measured over seeds 1..100 and the six abrupt streams: median delay 22, 96% within 100
 * inputs (the rest missed the change); 11 to 18 false alarms per 10,000 stationary inputs.
 */
class KswinTest {

  static final int MAX_DELAY = 100;
  static final double MAX_FALSE_ALARMS_PER_10K = 25;

  @ParameterizedTest(name = "n = {0}")
  @ValueSource(ints = {2, 3, 4, 5, 6, 7})
  void exactPValuesMatchAFullEnumerationOfAllSplits(int n) {
    // Under H0 every assignment of the 2n ranks to the two samples is equally likely.
    int total = 2 * n;
    long[] atLeast = new long[n + 1];
    long splits = 0;
    for (int mask = 0; mask < (1 << total); mask++) {
      if (Integer.bitCount(mask) != n) {
        continue;
      }
      splits++;
      int a = 0;
      int b = 0;
      int d = 0;
      for (int r = 0; r < total; r++) {
        if ((mask >> r & 1) == 1) {
          a++;
        } else {
          b++;
        }
        d = Math.max(d, Math.abs(a - b));
      }
      for (int k = 0; k <= d; k++) {
        atLeast[k]++;
      }
    }
    double[] p = Kswin.exactPValues(n);
    for (int k = 0; k <= n; k++) {
      assertThat(p[k]).as("P(D >= %d/%d)", k, n).isCloseTo((double) atLeast[k] / splits,
          within(1e-12));
    }
  }

  @Test
  void exactPValuesForThirtyAgreeWithTheAsymptoticDistributionInTheTail() {
    double[] p = Kswin.exactPValues(30);
    // Kolmogorov's limit for D = 13/30 with effective size n/2 = 15: Q(sqrt(15) * 13/30)
    double lambda = Math.sqrt(15) * 13 / 30.0;
    double q = 0;
    for (int j = 1; j < 100; j++) {
      q += 2 * Math.pow(-1, j - 1) * Math.exp(-2 * j * j * lambda * lambda);
    }
    assertThat(p[13]).isCloseTo(q, within(0.01));
    for (int k = 1; k <= 30; k++) {
      assertThat(p[k]).isLessThanOrEqualTo(p[k - 1]);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void detectsEveryAbruptChangeOfTheReferenceStreamsQuickly(long seed) {
    for (String stream : List.of("gauss_abrupt_s11", "gauss_abrupt_s12", "gauss_abrupt_s13",
        "unif_abrupt_s11", "unif_abrupt_s12", "unif_abrupt_s13")) {
      List<Integer> drifts = drifts(Kswin.builder().seed(seed).build(), stream);
      int first = drifts.stream().filter(i -> i >= 10_000).findFirst().orElse(-1);
      assertThat(first).as("%s seed %d: first drift from 10000", stream, seed)
          .isBetween(10_000, 10_000 + MAX_DELAY);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void falseAlarmRateOnStationaryStreamsIsBounded(long seed) {
    for (String stream : List.of("gauss_stationary_s11", "gauss_stationary_s12",
        "gauss_stationary_s13")) {
      List<Integer> drifts = drifts(Kswin.builder().seed(seed).build(), stream);
      double per10k = drifts.size() * 10_000.0 / ReferenceData.stream(stream).length;
      assertThat(per10k).as("%s seed %d false alarms per 10k", stream, seed)
          .isLessThan(MAX_FALSE_ALARMS_PER_10K);
    }
  }

  @Test
  void aLowerAlphaRaisesFewerFalseAlarms() {
    int defaults = drifts(Kswin.builder().build(), "gauss_stationary_s11").size();
    int strict = drifts(Kswin.builder().alpha(0.0001).build(), "gauss_stationary_s11").size();
    assertThat(strict).isLessThan(defaults / 4);
  }

  @Test
  void theSameSeedReproducesARunAndAnotherSeedDrawsOtherSamples() {
    assertThat(drifts(Kswin.builder().seed(42).build(), "gauss_stationary_s12"))
        .isEqualTo(drifts(Kswin.builder().seed(42).build(), "gauss_stationary_s12"));
    assertThat(drifts(Kswin.builder().seed(43).build(), "gauss_stationary_s12"))
        .isNotEqualTo(drifts(Kswin.builder().seed(42).build(), "gauss_stationary_s12"));
  }

  @Test
  void afterADriftTheWindowRefillsBeforeTheNextTest() {
    Kswin k = Kswin.builder().build();
    double[] xs = ReferenceData.stream("gauss_abrupt_s11");
    int i = 0;
    while (k.update(xs[i]) != DriftState.DRIFT) {
      i++;
    }
    // The window keeps the newest 30 inputs and needs 70 more before it tests again.
    for (int j = 1; j < 70; j++) {
      assertThat(k.update(xs[i + j])).isEqualTo(DriftState.STABLE);
      assertThat(k.lastPValue()).isLessThanOrEqualTo(0.005);
    }
  }

  private static List<Integer> drifts(Kswin k, String stream) {
    double[] xs = ReferenceData.stream(stream);
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < xs.length; i++) {
      if (k.update(xs[i]) == DriftState.DRIFT) {
        out.add(i);
      }
    }
    return out;
  }
}
