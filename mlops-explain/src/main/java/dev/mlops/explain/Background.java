package dev.mlops.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.JDKRandomGenerator;

/**
 * The background (reference) data a SHAP explanation integrates missing features over: rows with
 * weights summing to 1. The base value of an explanation is the weighted mean model output over
 * these rows. The cost of an explanation is proportional to the number of rows, so a large
 * background is summarised first: {@link #kMeans} (weighted k-means++ centroids, Commons Math) or
 * {@link #sample} (a seeded uniform sample).
 *
 * <p>Immutable and thread-safe.
 */
public final class Background {
  private final double[][] rows;
  private final double[] weights;

  private Background(double[][] rows, double[] weights) {
    this.rows = rows;
    this.weights = weights;
  }

  /**
   * Every row with equal weight.
   *
   * @param rows the rows (copied), at least one, all of the same length, no NaN
   * @return the background
   * @throws IllegalArgumentException if there are no rows, lengths differ or a value is NaN
   */
  public static Background of(double[][] rows) {
    Objects.requireNonNull(rows, "rows");
    double[] w = new double[rows.length];
    java.util.Arrays.fill(w, 1.0);
    return weighted(rows, w);
  }

  /**
   * Rows with weights (normalised to sum 1).
   *
   * @param rows the rows (copied)
   * @param weights one non-negative weight per row, positive sum
   * @return the background
   * @throws IllegalArgumentException on an empty or ragged set, NaN values or bad weights
   */
  public static Background weighted(double[][] rows, double[] weights) {
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(weights, "weights");
    if (rows.length == 0) {
      throw new IllegalArgumentException("a background needs at least one row");
    }
    if (weights.length != rows.length) {
      throw new IllegalArgumentException(weights.length + " weights for " + rows.length + " rows");
    }
    int m = rows[0].length;
    double[][] copy = new double[rows.length][];
    double sum = 0;
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != m) {
        throw new IllegalArgumentException("background row " + i + " has " + rows[i].length + " features, row 0 has " + m);
      }
      for (int j = 0; j < m; j++) {
        if (!Double.isFinite(rows[i][j])) {
          throw new IllegalArgumentException("background row " + i + " feature " + j + " is " + rows[i][j]);
        }
      }
      if (!(weights[i] >= 0) || Double.isInfinite(weights[i])) {
        throw new IllegalArgumentException("weight of row " + i + " is " + weights[i] + "; weights must be finite and >= 0");
      }
      copy[i] = rows[i].clone();
      sum += weights[i];
    }
    if (!(sum > 0)) {
      throw new IllegalArgumentException("background weights sum to " + sum + "; the sum must be positive");
    }
    double[] w = new double[rows.length];
    for (int i = 0; i < w.length; i++) {
      w[i] = weights[i] / sum;
    }
    return new Background(copy, w);
  }

  /**
   * A seeded uniform sample without replacement (all rows if there are at most {@code size}).
   *
   * @param rows the large background
   * @param size the number of rows to keep, at least 1
   * @param seed the random seed
   * @return the sample, equal weights
   */
  public static Background sample(double[][] rows, int size, long seed) {
    Objects.requireNonNull(rows, "rows");
    if (size < 1) {
      throw new IllegalArgumentException("sample size must be >= 1, got " + size);
    }
    if (rows.length <= size) {
      return of(rows);
    }
    int[] index = new int[rows.length];
    for (int i = 0; i < index.length; i++) {
      index[i] = i;
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    double[][] out = new double[size][];
    for (int i = 0; i < size; i++) {
      int j = i + rnd.nextInt(index.length - i);
      int t = index[i];
      index[i] = index[j];
      index[j] = t;
      out[i] = rows[index[i]];
    }
    return of(out);
  }

  /**
   * Summarises a large background by k-means++ (Commons Math {@link KMeansPlusPlusClusterer},
   * at most 100 iterations): one row per cluster centroid, weighted by the cluster's size.
   *
   * @param rows the large background
   * @param k the number of clusters, at least 1 (all rows if there are at most k)
   * @param seed the random seed of the k-means++ initialisation
   * @return the weighted centroids
   */
  public static Background kMeans(double[][] rows, int k, long seed) {
    Objects.requireNonNull(rows, "rows");
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    Background all = of(rows); // validates
    if (rows.length <= k) {
      return all;
    }
    List<DoublePoint> points = new ArrayList<>(rows.length);
    for (double[] r : all.rows) {
      points.add(new DoublePoint(r));
    }
    JDKRandomGenerator random = new JDKRandomGenerator();
    random.setSeed(seed);
    KMeansPlusPlusClusterer<DoublePoint> clusterer = new KMeansPlusPlusClusterer<>(k, 100, new EuclideanDistance(), random);
    List<CentroidCluster<DoublePoint>> clusters = clusterer.cluster(points);
    List<double[]> centroids = new ArrayList<>();
    List<Double> sizes = new ArrayList<>();
    for (CentroidCluster<DoublePoint> c : clusters) {
      if (!c.getPoints().isEmpty()) {
        centroids.add(c.getCenter().getPoint().clone());
        sizes.add((double) c.getPoints().size());
      }
    }
    return weighted(centroids.toArray(new double[0][]), sizes.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /**
   * The number of rows.
   *
   * @return the size
   */
  public int size() {
    return rows.length;
  }

  /**
   * The number of features per row.
   *
   * @return the feature count
   */
  public int featureCount() {
    return rows[0].length;
  }

  /**
   * A copy of one row.
   *
   * @param i row index
   * @return the row
   */
  public double[] row(int i) {
    return rows[i].clone();
  }

  /**
   * The normalised weight of one row.
   *
   * @param i row index
   * @return the weight
   */
  public double weight(int i) {
    return weights[i];
  }

  double[][] rowsInternal() {
    return rows;
  }

  double[] weightsInternal() {
    return weights;
  }

  /**
   * The weighted mean of each feature, E[x<sub>j</sub>].
   *
   * @return the means
   */
  public double[] mean() {
    double[] mean = new double[featureCount()];
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < mean.length; j++) {
        mean[j] += weights[i] * rows[i][j];
      }
    }
    return mean;
  }
}
