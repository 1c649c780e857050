package dev.mlops.explain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * SHAP explanations of a set of predictions with their global importance (mean |SHAP| per feature).
 * Serialises to a versioned JSON form ({@link #toJson()}, {@link #fromJson(byte[])}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param method "exact" or "kernel"
 * @param featureNames one name per feature
 * @param baseValue E[f(X)] over the background
 * @param coalitions coalitions per explanation (Kernel SHAP's nsamples actually used; 0 for exact)
 * @param seed the seed of the coalition sampling
 * @param explanations one per explained input
 */
public record ExplanationReport(String method, List<String> featureNames, double baseValue, int coalitions, long seed,
    List<Explanation> explanations) {
  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if an explanation's attribution count differs from the names
   */
  public ExplanationReport {
    Objects.requireNonNull(method, "method");
    featureNames = List.copyOf(featureNames);
    explanations = List.copyOf(explanations);
    for (int i = 0; i < explanations.size(); i++) {
      if (explanations.get(i).attributions().size() != featureNames.size()) {
        throw new IllegalArgumentException("explanation " + i + " has " + explanations.get(i).attributions().size()
            + " attributions for " + featureNames.size() + " features");
      }
    }
  }

  /**
   * Global importance: the mean |SHAP value| of each feature over the explanations.
   *
   * @return one value per feature, in feature order
   */
  public List<Double> globalImportance() {
    double[] sum = new double[featureNames.size()];
    for (Explanation e : explanations) {
      for (int j = 0; j < sum.length; j++) {
        sum[j] += Math.abs(e.attribution(j));
      }
    }
    List<Double> out = new ArrayList<>(sum.length);
    for (double s : sum) {
      out.add(explanations.isEmpty() ? 0.0 : s / explanations.size());
    }
    return List.copyOf(out);
  }

  /**
   * Feature names ordered by decreasing global importance (ties by feature order).
   *
   * @return the ranking
   */
  public List<String> ranking() {
    List<Double> g = globalImportance();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < g.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingDouble((Integer i) -> -g.get(i)).thenComparing(i -> i));
    return order.stream().map(featureNames::get).toList();
  }

  /**
   * The largest additivity error over the explanations.
   *
   * @return max |base + Σφ − f(x)|
   */
  public double maxAdditivityError() {
    return explanations.stream().mapToDouble(Explanation::additivityError).max().orElse(0);
  }

  /**
   * The versioned JSON form (includes the derived global importance for readers in other languages).
   *
   * @return UTF-8 JSON bytes
   */
  public byte[] toJson() {
    return ExplanationJson.write(this);
  }

  /**
   * Reads the JSON form written by {@link #toJson()}.
   *
   * @param json UTF-8 JSON bytes
   * @return the report
   * @throws dev.mlops.CorruptDataException if the bytes are not an explanation report of a known version
   */
  public static ExplanationReport fromJson(byte[] json) {
    return ExplanationJson.read(json);
  }
}
