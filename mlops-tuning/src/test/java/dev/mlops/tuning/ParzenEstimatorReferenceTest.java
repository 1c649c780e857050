package dev.mlops.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Our Parzen estimator and TPE defaults against values computed once by Optuna 3.1's own code
 * ({@code src/test/resources/tpe-reference/}: the script, its output and a provenance README).
 */
class ParzenEstimatorReferenceTest {
  private static final double TOL = 1e-9;
  private static final Map<String, double[]> REF = load();

  private static Map<String, double[]> load() {
    try (InputStream in = ParzenEstimatorReferenceTest.class.getResourceAsStream(
        "/tpe-reference/optuna_parzen_reference.txt")) {
      Map<String, double[]> out = new HashMap<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String[] f = line.trim().split(" ");
        if (f.length >= 2) {
          out.put(f[0] + " " + f[1], Arrays.stream(f).skip(2).mapToDouble(Double::parseDouble).toArray());
        }
      }
      return out;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static double[] ref(String caseName, String field) {
    double[] v = REF.get(caseName + " " + field);
    assertThat(v).as(caseName + " " + field).isNotNull();
    return v;
  }

  /** An estimator over one parameter with TpeSampler's defaults, as Optuna's TPESampler() builds it. */
  private static ParzenEstimator estimator(Param p, double[] obs, boolean bandwidthWeighted) {
    double[][] rows = new double[obs.length][];
    for (int i = 0; i < obs.length; i++) {
      rows[i] = new double[] {obs[i]};
    }
    return new ParzenEstimator(List.of(p), rows, TpeSampler.weights(obs.length), 1.0, true, false, false,
        bandwidthWeighted);
  }

  private static void assertMatchesOptuna(String caseName, Param p) {
    ParzenEstimator pe = estimator(p, ref(caseName, "obs"), true);
    double[] weights = ref(caseName, "weights");
    assertThat(pe.components()).as(caseName).isEqualTo(weights.length);
    for (int c = 0; c < weights.length; c++) {
      assertThat(pe.weight(c)).as(caseName + " weight " + c).isCloseTo(weights[c], within(TOL));
    }
    if (ParamScale.numeric(p)) {
      double[] mus = ref(caseName, "mus");
      double[] sigmas = ref(caseName, "sigmas");
      for (int c = 0; c < weights.length; c++) {
        assertThat(pe.mu(c, 0)).as(caseName + " mu " + c).isCloseTo(mus[c], within(TOL));
        assertThat(pe.sigma(c, 0)).as(caseName + " sigma " + c).isCloseTo(sigmas[c], within(TOL));
      }
    }
    double[] at = ref(caseName, "at");
    double[] logPdf = ref(caseName, "logpdf");
    for (int i = 0; i < at.length; i++) {
      assertThat(pe.logPdf(new double[] {at[i]})).as(caseName + " logPdf at " + at[i])
          .isCloseTo(logPdf[i], within(TOL));
    }
  }

  @Test
  void floatKernelsWeightsBandwidthsAndScoreMatchOptuna() {
    assertMatchesOptuna("float", new FloatParam("x", -5, 10, false));
  }

  @Test
  void logFloatKernelsLiveOnTheLogScaleAsInOptuna() {
    assertMatchesOptuna("logfloat", new FloatParam("x", 0.1, 10, true));
  }

  @Test
  void intKernelsAreScoredByTheMassOfTheValuesCellAsInOptuna() {
    assertMatchesOptuna("int", new IntParam("x", 1, 10, 1, false));
  }

  @Test
  void categoricalKernelsAreSmoothedByThePriorWeightAsInOptuna() {
    assertMatchesOptuna("categorical", new CategoricalParam("x", List.of("quad", "sin", "abs")));
  }

  @Test
  void thirtyObservationsRampOldWeightsDownAndClipBandwidthsAsInOptuna() {
    assertMatchesOptuna("float30", new FloatParam("x", 0, 1, false));
    assertThat(TpeSampler.weights(30)).containsExactly(ref("default_weights", "30"), within(TOL));
  }

  @Test
  void noObservationsLeavesOnlyThePrior() {
    assertMatchesOptuna("empty", new FloatParam("x", 0, 1, false));
  }

  @Test
  void gammaMatchesOptunasDefault() {
    double[] n = ref("gamma", "n");
    double[] gamma = ref("gamma", "value");
    for (int i = 0; i < n.length; i++) {
      assertThat(TpeSampler.defaultGamma((int) n[i])).as("gamma(" + n[i] + ")").isEqualTo((int) gamma[i]);
    }
  }

  private static double integral(ParzenEstimator pe, double lo, double hi) {
    int steps = 200_000;
    double h = (hi - lo) / steps;
    double sum = 0;
    for (int i = 0; i < steps; i++) {
      sum += Math.exp(pe.logPdf(new double[] {lo + (i + 0.5) * h})) * h;
    }
    return sum;
  }

  @Test
  void textbookKernelsIntegrateToOneWhileBandwidthWeightedScoresDoNot() {
    FloatParam p = new FloatParam("x", -5, 10, false);
    double[] obs = ref("float", "obs");
    assertThat(integral(estimator(p, obs, false), -5, 10)).isCloseTo(1.0, within(1e-6));
    // Optuna 3.1's score: the mixture with weights proportional to weight x sigma, unnormalized
    ParzenEstimator weighted = estimator(p, obs, true);
    double expected = 0;
    for (int c = 0; c < weighted.components(); c++) {
      expected += weighted.weight(c) * weighted.sigma(c, 0);
    }
    assertThat(integral(weighted, -5, 10)).isCloseTo(expected, within(1e-6));
    assertThat(expected).isGreaterThan(2);
  }

  @Test
  void categoricalSamplesFollowTheSmoothedKernels() {
    CategoricalParam p = new CategoricalParam("x", List.of("quad", "sin", "abs"));
    ParzenEstimator pe = estimator(p, ref("categorical", "obs"), true);
    SplittableRandom random = new SplittableRandom(5);
    int draws = 200_000;
    int[] counts = new int[3];
    for (int i = 0; i < draws; i++) {
      counts[(int) pe.sample(random)[0]]++;
    }
    for (int choice = 0; choice < 3; choice++) {
      assertThat(counts[choice] / (double) draws).as("choice " + choice)
          .isCloseTo(Math.exp(pe.logPdf(new double[] {choice})), within(0.005));
    }
  }
}
