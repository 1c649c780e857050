package dev.mlops.explain;

/**
 * A model quality score where greater is better, as scikit-learn's scorers: permutation importance
 * is the drop of the score when a feature is shuffled.
 *
 * <p>Implementations must be thread-safe; the built-in ones are stateless.
 */
@FunctionalInterface
public interface Score {
  /**
   * Scores predictions.
   *
   * @param truth the true targets
   * @param predicted the model outputs, same length
   * @return the score, greater is better
   */
  double score(double[] truth, double[] predicted);

  /**
   * The coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (scikit-learn's "r2").
   *
   * @return the score
   */
  static Score r2() {
    return (y, p) -> {
      double mean = 0;
      for (double v : y) {
        mean += v;
      }
      mean /= y.length;
      double ssRes = 0;
      double ssTot = 0;
      for (int i = 0; i < y.length; i++) {
        ssRes += (y[i] - p[i]) * (y[i] - p[i]);
        ssTot += (y[i] - mean) * (y[i] - mean);
      }
      return 1 - ssRes / ssTot;
    };
  }

  /**
   * The negated mean squared error (scikit-learn's "neg_mean_squared_error").
   *
   * @return the score
   */
  static Score negativeMeanSquaredError() {
    return (y, p) -> {
      double s = 0;
      for (int i = 0; i < y.length; i++) {
        s += (y[i] - p[i]) * (y[i] - p[i]);
      }
      return -s / y.length;
    };
  }

  /**
   * Accuracy of 0/1 labels against outputs thresholded at {@code threshold} (output &gt; threshold
   * predicts 1).
   *
   * @param threshold the decision threshold, e.g. 0.5 for probabilities
   * @return the score
   */
  static Score accuracy(double threshold) {
    return (y, p) -> {
      int correct = 0;
      for (int i = 0; i < y.length; i++) {
        if ((p[i] > threshold ? 1.0 : 0.0) == y[i]) {
          correct++;
        }
      }
      return (double) correct / y.length;
    };
  }
}
