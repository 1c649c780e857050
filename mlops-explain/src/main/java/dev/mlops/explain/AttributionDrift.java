package dev.mlops.explain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Feature-attribution drift of one window, as SageMaker Model Monitor measures it: the nDCG of the
 * window's global attribution ranking scored with the baseline's attributions,
 * nDCG = DCG / iDCG with DCG = Σ<sub>i</sub> a(f'<sub>i</sub>) / log<sub>2</sub>(i + 1) over the features
 * f' ranked by the window's mean |SHAP| and iDCG the same sum over the baseline's own ranking, a(f)
 * being the baseline's mean |SHAP| of feature f. nDCG is 1 when the window ranks the features as the
 * baseline does and falls as important features lose rank; drift is nDCG below the threshold
 * (default 0.9, Model Monitor's).
 *
 * <p>Immutable and thread-safe.
 *
 * @param ndcg the nDCG in [0, 1], or NaN with a reason
 * @param reason why nDCG is undefined (the baseline attributes nothing, too few rows to explain)
 * @param baselineRanking feature names by decreasing baseline importance
 * @param windowRanking feature names by decreasing window importance (empty when undefined)
 * @param threshold the alarm threshold
 * @param drift whether nDCG is below the threshold (false when undefined)
 */
public record AttributionDrift(double ndcg, Optional<String> reason, List<String> baselineRanking, List<String> windowRanking,
    double threshold, boolean drift) {
  /** Model Monitor's default alarm threshold. */
  public static final double DEFAULT_THRESHOLD = 0.9;

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if NaN and reason disagree
   */
  public AttributionDrift {
    Objects.requireNonNull(reason, "reason");
    baselineRanking = List.copyOf(baselineRanking);
    windowRanking = List.copyOf(windowRanking);
    if (Double.isNaN(ndcg) != reason.isPresent()) {
      throw new IllegalArgumentException("nDCG " + ndcg + " and reason " + reason + " disagree");
    }
  }

  /**
   * Compares a window's global importance with the baseline's.
   *
   * @param names feature names
   * @param baseline the baseline's mean |SHAP| per feature
   * @param window the window's mean |SHAP| per feature
   * @param threshold alarm below this nDCG
   * @return the comparison
   * @throws IllegalArgumentException if the lengths differ
   */
  public static AttributionDrift compare(List<String> names, List<Double> baseline, List<Double> window, double threshold) {
    if (names.size() != baseline.size() || names.size() != window.size()) {
      throw new IllegalArgumentException(names.size() + " names, " + baseline.size() + " baseline and " + window.size()
          + " window importances");
    }
    List<Integer> baseOrder = order(baseline);
    List<String> baseRanking = baseOrder.stream().map(names::get).toList();
    double ideal = 0;
    for (int i = 0; i < baseOrder.size(); i++) {
      ideal += baseline.get(baseOrder.get(i)) / log2(i + 2);
    }
    if (!(ideal > 0)) {
      return undefined(baseRanking, "the baseline attributes nothing to any feature (iDCG = 0)", threshold);
    }
    List<Integer> windowOrder = order(window);
    double dcg = 0;
    for (int i = 0; i < windowOrder.size(); i++) {
      dcg += baseline.get(windowOrder.get(i)) / log2(i + 2);
    }
    double ndcg = dcg / ideal;
    return new AttributionDrift(ndcg, Optional.empty(), baseRanking, windowOrder.stream().map(names::get).toList(),
        threshold, ndcg < threshold);
  }

  static AttributionDrift undefined(List<String> baselineRanking, String reason, double threshold) {
    return new AttributionDrift(Double.NaN, Optional.of(reason), baselineRanking, List.of(), threshold, false);
  }

  private static double log2(int x) {
    return Math.log(x) / Math.log(2);
  }

  private static List<Integer> order(List<Double> importance) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < importance.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingDouble((Integer i) -> -importance.get(i)).thenComparing(i -> i));
    return order;
  }
}
