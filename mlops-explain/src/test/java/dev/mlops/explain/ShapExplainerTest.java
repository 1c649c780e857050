package dev.mlops.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ShapExplainerTest {

  static double[][] randomRows(int n, int m, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] x = new double[n][m];
    for (double[] row : x) {
      for (int j = 0; j < m; j++) {
        row[j] = r.nextGaussian();
      }
    }
    return x;
  }

  /** A non-linear model with interactions across all 8 features. */
  static double nonLinear(double[] x) {
    return Math.sin(x[0]) * x[1] + x[2] * x[3] * x[4] + Math.exp(0.3 * x[5]) - x[6] * x[6] + 0.5 * x[7] * x[0]
        + Math.max(0, x[3] + x[6]);
  }

  /** Brute force over all M! orderings with memoised coalition values: the textbook definition. */
  static double[] bruteForceShapley(ModelFunction f, Background bg, double[] x) {
    int m = x.length;
    Map<Integer, Double> memo = new HashMap<>();
    double[] phi = new double[m];
    int[] perm = new int[m];
    for (int i = 0; i < m; i++) {
      perm[i] = i;
    }
    long count = 0;
    do {
      int s = 0;
      double prev = value(f, bg, x, s, memo);
      for (int i = 0; i < m; i++) {
        s |= 1 << perm[i];
        double next = value(f, bg, x, s, memo);
        phi[perm[i]] += next - prev;
        prev = next;
      }
      count++;
    } while (nextPermutation(perm));
    for (int i = 0; i < m; i++) {
      phi[i] /= count;
    }
    return phi;
  }

  private static double value(ModelFunction f, Background bg, double[] x, int s, Map<Integer, Double> memo) {
    return memo.computeIfAbsent(s, key -> {
      double v = 0;
      for (int b = 0; b < bg.size(); b++) {
        double[] z = bg.row(b);
        for (int j = 0; j < x.length; j++) {
          if ((key & (1 << j)) != 0) {
            z[j] = x[j];
          }
        }
        v += bg.weight(b) * f.apply(z);
      }
      return v;
    });
  }

  private static boolean nextPermutation(int[] a) {
    int i = a.length - 2;
    while (i >= 0 && a[i] >= a[i + 1]) {
      i--;
    }
    if (i < 0) {
      return false;
    }
    int j = a.length - 1;
    while (a[j] <= a[i]) {
      j--;
    }
    int t = a[i];
    a[i] = a[j];
    a[j] = t;
    for (int l = i + 1, r = a.length - 1; l < r; l++, r--) {
      t = a[l];
      a[l] = a[r];
      a[r] = t;
    }
    return true;
  }

  @Test
  void exactValuesEqualTheBruteForceShapleyValuesAndAddUpTo1e9() {
    Background bg = Background.of(randomRows(12, 8, 1));
    ShapExplainer exact = ShapExplainer.builder(ShapExplainerTest::nonLinear, bg).exact().build();
    for (double[] x : randomRows(3, 8, 2)) {
      Explanation e = exact.explain(x);
      double[] expected = bruteForceShapley(ShapExplainerTest::nonLinear, bg, x);
      for (int j = 0; j < 8; j++) {
        assertThat(e.attribution(j)).as("feature %d", j).isCloseTo(expected[j], within(1e-9));
      }
      double sum = e.baseValue() + e.attributions().stream().mapToDouble(Double::doubleValue).sum();
      assertThat(sum).isCloseTo(nonLinear(x), within(1e-9));
      assertThat(e.additivityError()).isLessThan(1e-9);
      assertThat(e.modelCalls()).isEqualTo((1L << 8) * 12 - 12 + 1); // all non-empty coalitions + f(x)
    }
  }

  @Test
  void linearModelAttributionsAreTheClosedFormForExactAndKernel() {
    double[] w = {1.5, -2, 0.5, 3, 0, -1, 0.25, 2, -0.75, 1};
    ModelFunction linear = x -> {
      double s = 0.3;
      for (int j = 0; j < w.length; j++) {
        s += w[j] * x[j];
      }
      return s;
    };
    Background bg = Background.of(randomRows(50, 10, 3));
    double[] mean = bg.mean();
    double[] x = randomRows(1, 10, 4)[0];
    for (ShapExplainer explainer : List.of(
        ShapExplainer.builder(linear, bg).exact().build(),
        ShapExplainer.builder(linear, bg).kernel(40).seed(9).build(),
        ShapExplainer.builder(linear, bg).kernel(2048).build())) {
      Explanation e = explainer.explain(x);
      for (int j = 0; j < w.length; j++) {
        assertThat(e.attribution(j)).as("%s feature %d", explainer.method(), j).isCloseTo(w[j] * (x[j] - mean[j]), within(1e-9));
      }
      assertThat(e.additivityError()).isLessThan(1e-9);
    }
  }

  @Test
  void kernelWithEveryCoalitionEqualsExact() {
    Background bg = Background.of(randomRows(10, 8, 5));
    double[] x = randomRows(1, 8, 6)[0];
    Explanation exact = ShapExplainer.builder(ShapExplainerTest::nonLinear, bg).exact().build().explain(x);
    ShapExplainer kernel = ShapExplainer.builder(ShapExplainerTest::nonLinear, bg).kernel(254).build();
    assertThat(kernel.coalitionCount()).isEqualTo(254);
    Explanation k = kernel.explain(x);
    for (int j = 0; j < 8; j++) {
      assertThat(k.attribution(j)).isCloseTo(exact.attribution(j), within(1e-9));
    }
  }

  /**
   * Kernel SHAP's error against the exact values shrinks as nsamples grows. Stated tolerance (8
   * features, 10 background rows, the model above, mean over 10 inputs x 5 seeds of the largest
   * absolute error relative to the largest |exact attribution|): ≤ 0.25 at 64 coalitions, ≤ 0.12 at
   * 160, ≤ 0.06 at 230, 1e-9 at 254 (all coalitions).
   */
  @Test
  void kernelErrorShrinksWithTheNumberOfCoalitions() {
    Background bg = Background.of(randomRows(10, 8, 7));
    double[][] xs = randomRows(10, 8, 8);
    ShapExplainer exact = ShapExplainer.builder(ShapExplainerTest::nonLinear, bg).exact().build();
    int[] budgets = {64, 160, 230};
    double[] tolerances = {0.25, 0.12, 0.06};
    double previous = Double.POSITIVE_INFINITY;
    for (int b = 0; b < budgets.length; b++) {
      double total = 0;
      int n = 0;
      for (long seed = 0; seed < 5; seed++) {
        ShapExplainer kernel = ShapExplainer.builder(ShapExplainerTest::nonLinear, bg).kernel(budgets[b]).seed(seed).build();
        for (double[] x : xs) {
          Explanation e = exact.explain(x);
          Explanation k = kernel.explain(x);
          double maxErr = 0;
          double scale = 0;
          for (int j = 0; j < 8; j++) {
            maxErr = Math.max(maxErr, Math.abs(k.attribution(j) - e.attribution(j)));
            scale = Math.max(scale, Math.abs(e.attribution(j)));
          }
          total += maxErr / scale;
          n++;
          assertThat(k.additivityError()).isLessThan(1e-9);
        }
      }
      double mean = total / n;
      System.out.printf("kernel SHAP nsamples=%d mean relative max error=%.4f%n", budgets[b], mean);
      assertThat(mean).as("nsamples %d", budgets[b]).isLessThan(tolerances[b]).isLessThan(previous);
      previous = mean;
    }
  }

  @Test
  void sameSeedSameAttributionsOtherSeedOtherCoalitions() {
    Background bg = Background.of(randomRows(10, 8, 9));
    double[] x = randomRows(1, 8, 10)[0];
    Explanation a = ShapExplainer.builder(ShapExplainerTest::nonLinear, bg).kernel(100).seed(1).build().explain(x);
    Explanation b = ShapExplainer.builder(ShapExplainerTest::nonLinear, bg).kernel(100).seed(1).build().explain(x);
    Explanation c = ShapExplainer.builder(ShapExplainerTest::nonLinear, bg).kernel(100).seed(2).build().explain(x);
    assertThat(a).isEqualTo(b);
    assertThat(c.attributions()).isNotEqualTo(a.attributions());
  }

  @Test
  void badInputAndFailingModelsAreClearErrors() {
    Background bg = Background.of(randomRows(5, 3, 11));
    ShapExplainer ok = ShapExplainer.builder(x -> x[0] + x[1] * x[2], bg).featureNames(List.of("age", "income", "debt")).exact().build();
    assertThatThrownBy(() -> ok.explain(new double[] {1, Double.NaN, 2}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'income'").hasMessageContaining("NaN");
    assertThatThrownBy(() -> ok.explain(new double[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 features").hasMessageContaining("3");

    ModelFunction throwsAboveTen = x -> {
      if (x[0] > 10) {
        throw new IllegalStateException("out of range");
      }
      return x[0];
    };
    ShapExplainer failing = ShapExplainer.builder(throwsAboveTen, bg).kernel(6).build();
    assertThatThrownBy(() -> failing.explain(new double[] {11, 0, 0}))
        .isInstanceOf(ModelFunctionException.class).hasMessageContaining("[11.0, 0.0, 0.0]").hasMessageContaining("out of range");
    ShapExplainer nan = ShapExplainer.builder(x -> x[0] > 10 ? Double.NaN : 1, bg).exact().build();
    assertThatThrownBy(() -> nan.explain(new double[] {11, 0, 0}))
        .isInstanceOf(ModelFunctionException.class).hasMessageContaining("returned NaN");
    assertThatThrownBy(() -> ShapExplainer.builder(x -> 1, Background.of(new double[1][17])).exact().build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("17 features");
    assertThatThrownBy(() -> Background.of(new double[][] {{1, 2}, {3}}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 1 has 1 features");
  }

  @Test
  void summarisedBackgroundsAreWeightedAndSeeded() {
    double[][] big = randomRows(2000, 4, 12);
    Background km = Background.kMeans(big, 10, 42);
    assertThat(km.size()).isEqualTo(10);
    double sum = 0;
    for (int i = 0; i < km.size(); i++) {
      sum += km.weight(i);
    }
    assertThat(sum).isCloseTo(1, within(1e-12));
    double[] fullMean = Background.of(big).mean();
    double[] kmMean = km.mean();
    for (int j = 0; j < 4; j++) { // weighted centroids preserve the mean exactly (up to convergence)
      assertThat(kmMean[j]).isCloseTo(fullMean[j], within(1e-9));
    }
    assertThat(Background.kMeans(big, 10, 42).row(3)).isEqualTo(km.row(3));
    double[][] identical = new double[50][2]; // fewer distinct rows than k: still a valid, weighted background
    Background degenerate = Background.kMeans(identical, 5, 1);
    assertThat(degenerate.size()).isBetween(1, 5);
    assertThat(degenerate.mean()).containsExactly(0.0, 0.0);
    Background s = Background.sample(big, 100, 1);
    assertThat(s.size()).isEqualTo(100);
    assertThat(Background.sample(big, 100, 1).row(7)).isEqualTo(s.row(7));
  }

  @Test
  void globalImportanceIsTheMeanAbsoluteAttribution() {
    Background bg = Background.of(randomRows(20, 3, 13));
    ShapExplainer e = ShapExplainer.builder(x -> 3 * x[0] - 0.1 * x[1] + x[2], bg).featureNames(List.of("a", "b", "c")).exact().build();
    double[][] xs = randomRows(30, 3, 14);
    ExplanationReport r = e.explainAll(xs);
    double[] mean = bg.mean();
    double expectedA = 0;
    for (double[] x : xs) {
      expectedA += Math.abs(3 * (x[0] - mean[0]));
    }
    assertThat(r.globalImportance().get(0)).isCloseTo(expectedA / xs.length, within(1e-9));
    assertThat(r.ranking()).containsExactly("a", "c", "b");
    assertThat(r.explanations().get(0).top(1)).containsExactly(0);
  }

  @Test
  void aClassProbabilityModelIsExplainedOneClassAtATime() {
    java.util.function.Function<double[], double[]> softmax = x -> {
      double a = Math.exp(x[0]);
      double b = Math.exp(x[1]);
      return new double[] {a / (a + b), b / (a + b)};
    };
    Background bg = Background.of(randomRows(10, 2, 15));
    double[] x = {1, -1};
    Explanation c0 = ShapExplainer.builder(ModelFunction.ofClass(softmax, 0), bg).exact().build().explain(x);
    Explanation c1 = ShapExplainer.builder(ModelFunction.ofClass(softmax, 1), bg).exact().build().explain(x);
    for (int j = 0; j < 2; j++) { // probabilities sum to 1, so the attributions are opposite
      assertThat(c0.attribution(j)).isCloseTo(-c1.attribution(j), within(1e-12));
    }
  }
}
