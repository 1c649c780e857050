package dev.mlops.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PermutationImportanceTest {
  @Test
  void anUnusedFeatureHasZeroImportanceAndTheStrongestRanksFirst() {
    double[][] x = ShapExplainerTest.randomRows(500, 3, 1);
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = 2 * x[i][0] + 0.5 * x[i][1];
    }
    ModelFunction model = r -> 2 * r[0] + 0.5 * r[1];
    List<FeatureImportance> imp = PermutationImportance.compute(model, x, y, Score.r2(), List.of("a", "b", "c"), 5, 3);
    assertThat(imp.get(2).mean()).isZero();
    assertThat(imp.get(2).std()).isZero();
    assertThat(imp.get(0).mean()).isGreaterThan(imp.get(1).mean()).isGreaterThan(0);
    assertThat(imp.get(0).drops()).hasSize(5);
    // R² drop for shuffling a feature of variance share s is about 2s: a carries 4/4.25 of the variance
    assertThat(imp.get(0).mean()).isBetween(1.6, 2.2);
    assertThat(PermutationImportance.compute(model, x, y, Score.r2(), List.of("a", "b", "c"), 5, 3)).isEqualTo(imp);
  }

  @Test
  void badInputIsRejected() {
    double[][] x = {{1, 2}, {3, Double.NaN}};
    assertThatThrownBy(() -> PermutationImportance.compute(r -> r[0], x, new double[] {1, 2}, Score.r2(), List.of("a", "b"), 2, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 1 feature 'b' is NaN");
    assertThatThrownBy(() -> PermutationImportance.compute(r -> r[0], new double[][] {{1}}, new double[] {1, 2}, Score.r2(), List.of("a"), 2, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 rows but 2 targets");
  }
}
