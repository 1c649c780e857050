package dev.mlops.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden tests against the committed outputs of reference/explain_reference.py (pandas, numpy and
 * scikit-learn; see reference/README.md): every bias metric on a generated data set with a planted
 * bias, and permutation importance against scikit-learn's {@code permutation_importance}.
 */
class ReferenceGoldenTest {

  static byte[] resource(String name) throws IOException {
    try (InputStream in = ReferenceGoldenTest.class.getResourceAsStream("reference/" + name)) {
      if (in == null) {
        throw new IOException("missing test resource reference/" + name);
      }
      return in.readAllBytes();
    }
  }

  static List<String[]> csv(String name) throws IOException {
    List<String[]> rows = new ArrayList<>();
    for (String line : new String(resource(name), StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        rows.add(line.trim().split(","));
      }
    }
    return rows;
  }

  static Table biasData() throws IOException {
    List<String[]> rows = csv("bias_data.csv");
    String[] header = rows.get(0);
    int n = rows.size() - 1;
    Table.Builder b = Table.builder();
    for (int c = 0; c < header.length; c++) {
      if (header[c].equals("sex") || header[c].equals("dept") || header[c].equals("y")) {
        List<String> v = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
          v.add(rows.get(i)[c]);
        }
        b.categorical(header[c], v);
      } else {
        double[] v = new double[n];
        for (int i = 1; i <= n; i++) {
          v[i - 1] = Double.parseDouble(rows.get(i)[c]);
        }
        b.numeric(header[c], v);
      }
    }
    return b.build();
  }

  private static void assertMatches(BiasReport report, JsonNode expected) {
    assertThat(report.metrics()).hasSize(BiasMetric.values().length);
    for (MetricValue m : report.metrics()) {
      JsonNode e = expected.get(m.metric().name());
      assertThat(e).as(m.metric().name()).isNotNull();
      if (e.isNull()) {
        assertThat(m.isDefined()).as(m.metric() + " undefined in the reference").isFalse();
      } else {
        assertThat(m.value()).as(m.metric().name()).isCloseTo(e.asDouble(), within(1e-12));
      }
    }
  }

  @Test
  void everyBiasMetricMatchesTheReferenceScriptForAValueFacetWithGroupsAndFlipTest() throws IOException {
    JsonNode expected = new ObjectMapper().readTree(resource("bias_expected.json"));
    BiasReport r = BiasAnalysis.analyze(biasData(), BiasSpec.of(Condition.equalTo("sex", "female"), Condition.equalTo("y", "1"))
        .withPrediction(Condition.above("score", 0.5)).withGroup("dept").withFlipTest(List.of("age", "income"), 5));
    assertMatches(r, expected.get("sex_female"));
    // the planted bias is visible: fewer positives predicted for women
    assertThat(r.value(BiasMetric.DI)).isLessThan(0.8);
  }

  @Test
  void everyBiasMetricMatchesTheReferenceScriptForAThresholdFacet() throws IOException {
    JsonNode expected = new ObjectMapper().readTree(resource("bias_expected.json"));
    BiasReport r = BiasAnalysis.analyze(biasData(), BiasSpec.of(Condition.above("age", 50), Condition.in("y", java.util.Set.of("1")))
        .withPrediction(Condition.above("score", 0.5)));
    assertMatches(r, expected.get("age_over_50"));
  }

  /**
   * Same model, same data, different shuffles: each feature's mean drop agrees with
   * scikit-learn's within three standard errors of the difference of the two means
   * (sqrt((std_java² + std_sklearn²) / repeats)); a feature the model ignores is 0 on both sides.
   */
  @Test
  void permutationImportanceAgreesWithScikitLearn() throws IOException {
    JsonNode expected = new ObjectMapper().readTree(resource("perm_expected.json"));
    List<String[]> rows = csv("perm_data.csv");
    int n = rows.size() - 1;
    double[][] x = new double[n][5];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      String[] r = rows.get(i + 1);
      for (int j = 0; j < 5; j++) {
        x[i][j] = Double.parseDouble(r[j]);
      }
      y[i] = Double.parseDouble(r[5]);
    }
    ModelFunction model = v -> 0.3 + 1.0 * v[0] - 2.0 * v[1] + 0.5 * v[2] * v[3] + 0.0 * v[4];
    double[] predicted = new double[n];
    for (int i = 0; i < n; i++) {
      predicted[i] = model.apply(x[i]);
    }
    // identical inputs on both sides: the unshuffled scores agree to rounding
    assertThat(Score.r2().score(y, predicted)).isCloseTo(expected.get("baseline_score").asDouble(), within(1e-12));

    int repeats = expected.get("n_repeats").asInt();
    List<FeatureImportance> imp = PermutationImportance.compute(model, x, y, Score.r2(),
        List.of("x0", "x1", "x2", "x3", "x4"), repeats, 0);
    for (int j = 0; j < 5; j++) {
      double skMean = expected.get("importances_mean").get(j).asDouble();
      double skStd = expected.get("importances_std").get(j).asDouble();
      FeatureImportance fi = imp.get(j);
      double se = Math.sqrt((fi.std() * fi.std() + skStd * skStd) / repeats);
      System.out.printf("x%d java %.5f ± %.5f  sklearn %.5f ± %.5f  |diff|/se = %.2f%n", j, fi.mean(), fi.std(), skMean, skStd,
          se == 0 ? 0 : Math.abs(fi.mean() - skMean) / se);
      if (skStd == 0) {
        assertThat(fi.mean()).isEqualTo(skMean);
      } else {
        assertThat(fi.mean()).as("x%d", j).isCloseTo(skMean, within(3 * se));
      }
    }
  }
}
