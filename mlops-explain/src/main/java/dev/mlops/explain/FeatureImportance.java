package dev.mlops.explain;

import java.util.List;
import java.util.Objects;

/**
 * The permutation importance of one feature: the drop in score when the feature's column is
 * shuffled, over several repeats.
 *
 * <p>Immutable and thread-safe.
 *
 * @param feature feature index
 * @param name feature name
 * @param mean mean drop over the repeats
 * @param std population standard deviation of the drops (as scikit-learn's {@code importances_std})
 * @param drops the drop of each repeat
 */
public record FeatureImportance(int feature, String name, double mean, double std, List<Double> drops) {
  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if the feature index is negative or there are no drops
   */
  public FeatureImportance {
    Objects.requireNonNull(name, "name");
    drops = List.copyOf(drops);
    if (feature < 0 || drops.isEmpty()) {
      throw new IllegalArgumentException("feature " + feature + " with " + drops.size() + " drops");
    }
  }
}
