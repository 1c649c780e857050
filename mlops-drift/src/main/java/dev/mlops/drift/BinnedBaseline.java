package dev.mlops.drift;

import java.util.Arrays;

/**
 * A baseline reduced to what the binned tests need: interior bin edges (empty for a categorical
 * feature, whose bins are its buckets), the probability of each bin, the number of values the
 * probabilities came from, and for numeric features each bin's mean and the standard deviation.
 *
 * <p>Immutable and thread-safe (arrays are never exposed).
 */
final class BinnedBaseline {
  final double[] edges;
  final double[] probabilities;
  /** Mean of the values in each bin (numeric features), where the binned Wasserstein puts them. */
  final double[] binMeans;
  final double count;
  final double standardDeviation;
  final boolean ordered;

  BinnedBaseline(double[] edges, double[] probabilities, double[] binMeans, double count,
      double standardDeviation, boolean ordered) {
    this.edges = edges.clone();
    this.probabilities = probabilities.clone();
    this.binMeans = binMeans.clone();
    this.count = count;
    this.standardDeviation = standardDeviation;
    this.ordered = ordered;
  }

  int bins() {
    return probabilities.length;
  }

  /** @return the bin of a finite value: the number of edges less than or equal to it */
  static int binOf(double[] edges, double value) {
    int lo = 0;
    int hi = edges.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (edges[mid] <= value) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * Interior edges at the quantiles i/bins of sorted finite values, strictly increasing and above
   * the minimum (so no bin is empty by construction).
   */
  static double[] quantileEdges(double[] sorted, int bins) {
    double[] edges = new double[bins - 1];
    int size = 0;
    double previous = sorted[0];
    for (int j = 1; j < bins; j++) {
      double e = sorted[(int) Math.min(sorted.length - 1, Math.floor(j * (double) sorted.length / bins))];
      if (e > previous) {
        edges[size++] = e;
        previous = e;
      }
    }
    return Arrays.copyOf(edges, size);
  }
}
