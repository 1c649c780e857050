package dev.mlops.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Permutation feature importance (Breiman 2001; scikit-learn's {@code permutation_importance}):
 * for each feature and repeat, shuffle that feature's column, score the model again and record
 * the drop from the unshuffled score. Deterministic given the seed; costs
 * rows · (1 + features · repeats) model calls.
 *
 * <p>Thread-safe if the model and score are (stateless; each call uses its own copy of the data).
 */
public final class PermutationImportance {
  private PermutationImportance() {}

  /**
   * Computes the importance of every feature.
   *
   * @param model the model
   * @param x the rows (not modified), no NaN
   * @param y the targets, one per row
   * @param score the score, greater is better
   * @param featureNames one name per feature
   * @param repeats shuffles per feature, at least 1
   * @param seed the shuffle seed
   * @return one importance per feature, in feature order
   * @throws IllegalArgumentException on empty or ragged data, mismatched lengths, NaN, or repeats below 1
   * @throws ModelFunctionException if the model fails
   */
  public static List<FeatureImportance> compute(ModelFunction model, double[][] x, double[] y, Score score,
      List<String> featureNames, int repeats, long seed) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(y, "y");
    Objects.requireNonNull(score, "score");
    Objects.requireNonNull(featureNames, "featureNames");
    if (x.length == 0) {
      throw new IllegalArgumentException("no rows");
    }
    if (y.length != x.length) {
      throw new IllegalArgumentException(x.length + " rows but " + y.length + " targets");
    }
    if (repeats < 1) {
      throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
    }
    int m = featureNames.size();
    double[][] work = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      if (x[i].length != m) {
        throw new IllegalArgumentException("row " + i + " has " + x[i].length + " features, expected " + m + " " + featureNames);
      }
      for (int j = 0; j < m; j++) {
        if (!Double.isFinite(x[i][j])) {
          throw new IllegalArgumentException("row " + i + " feature '" + featureNames.get(j) + "' is " + x[i][j]);
        }
      }
      work[i] = x[i].clone();
    }
    ModelCalls calls = new ModelCalls(model);
    double[] predicted = new double[x.length];
    double baseline = scoreAll(calls, work, y, score, predicted);
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] column = new double[x.length];
    List<FeatureImportance> out = new ArrayList<>(m);
    for (int j = 0; j < m; j++) {
      List<Double> drops = new ArrayList<>(repeats);
      for (int r = 0; r < repeats; r++) {
        for (int i = 0; i < x.length; i++) {
          column[i] = x[i][j];
        }
        for (int i = column.length - 1; i > 0; i--) { // Fisher-Yates
          int k = rnd.nextInt(i + 1);
          double t = column[i];
          column[i] = column[k];
          column[k] = t;
        }
        for (int i = 0; i < x.length; i++) {
          work[i][j] = column[i];
        }
        drops.add(baseline - scoreAll(calls, work, y, score, predicted));
      }
      for (int i = 0; i < x.length; i++) {
        work[i][j] = x[i][j];
      }
      double mean = drops.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      double var = drops.stream().mapToDouble(d -> (d - mean) * (d - mean)).sum() / repeats;
      out.add(new FeatureImportance(j, featureNames.get(j), mean, Math.sqrt(var), drops));
    }
    return List.copyOf(out);
  }

  private static double scoreAll(ModelCalls calls, double[][] rows, double[] y, Score score, double[] predicted) {
    for (int i = 0; i < rows.length; i++) {
      predicted[i] = calls.apply(rows[i]);
    }
    return score.score(y, predicted);
  }
}
