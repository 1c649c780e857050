package dev.mlops.explain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The SHAP explanation of one prediction: {@code baseValue + Σ attributions ≈ prediction}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param baseValue the expected model output over the background, E[f(X)]
 * @param prediction the model output for the explained input, f(x)
 * @param attributions one SHAP value per feature, in feature order
 * @param additivityError |baseValue + Σ attributions − prediction|: rounding only (≤ 1e-9 relative)
 *     for the exact method; Kernel SHAP enforces the constraint too, so a large value signals an
 *     ill-conditioned regression
 * @param modelCalls the number of model evaluations this explanation cost
 */
public record Explanation(double baseValue, double prediction, List<Double> attributions, double additivityError,
    long modelCalls) {
  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if there are no attributions
   */
  public Explanation {
    attributions = List.copyOf(attributions);
    if (attributions.isEmpty()) {
      throw new IllegalArgumentException("an explanation needs at least one attribution");
    }
  }

  /**
   * One feature's attribution.
   *
   * @param feature feature index
   * @return its SHAP value
   */
  public double attribution(int feature) {
    return attributions.get(feature);
  }

  /**
   * Feature indexes ordered by decreasing |attribution| (ties by index).
   *
   * @param k how many to return at most
   * @return the indexes of the k most influential features
   */
  public List<Integer> top(int k) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < attributions.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingDouble((Integer i) -> -Math.abs(attributions.get(i))).thenComparing(i -> i));
    return List.copyOf(order.subList(0, Math.min(k, order.size())));
  }

  static Explanation of(double base, double prediction, double[] phi, long calls) {
    Objects.requireNonNull(phi, "phi");
    List<Double> list = new ArrayList<>(phi.length);
    double sum = base;
    for (double p : phi) {
      list.add(p);
      sum += p;
    }
    return new Explanation(base, prediction, list, Math.abs(sum - prediction), calls);
  }
}
