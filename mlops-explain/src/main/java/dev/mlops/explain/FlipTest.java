package dev.mlops.explain;

import java.util.List;

/**
 * The counterfactual flip test (FT): for each row of facet d, the majority predicted label of its
 * k nearest facet-a rows (Euclidean distance over standardised features; population standard
 * deviation; a feature with zero spread is ignored) is compared with the row's own predicted label.
 * A tie in the vote (even k) counts as no flip. Stateless.
 */
final class FlipTest {
  private FlipTest() {}

  static MetricValue compute(Table table, List<String> features, int k, boolean[] facetD, boolean[] predicted) {
    int n = table.rowCount();
    int p = features.size();
    double[][] z = new double[p][];
    for (int j = 0; j < p; j++) {
      double[] x = table.numericColumn(features.get(j)).values();
      BiasAnalysis.checkFinite(x, features.get(j), "flip-test feature");
      double mean = 0;
      for (double v : x) {
        mean += v;
      }
      mean /= n;
      double var = 0;
      for (double v : x) {
        var += (v - mean) * (v - mean);
      }
      double sd = Math.sqrt(var / n);
      z[j] = new double[n];
      if (sd > 0) {
        for (int i = 0; i < n; i++) {
          z[j][i] = (x[i] - mean) / sd;
        }
      }
    }
    int na = 0;
    for (boolean f : facetD) {
      if (!f) {
        na++;
      }
    }
    int nd = n - na;
    if (na < k) {
      return MetricValue.undefined(BiasMetric.FT, "facet a has " + na + " rows, fewer than k = " + k + " neighbours");
    }
    int[] aRows = new int[na];
    for (int i = 0, j = 0; i < n; i++) {
      if (!facetD[i]) {
        aRows[j++] = i;
      }
    }
    double[] bestDist = new double[k];
    int[] bestRow = new int[k];
    long flipsPositive = 0;
    long flipsNegative = 0;
    for (int i = 0; i < n; i++) {
      if (!facetD[i]) {
        continue;
      }
      int filled = 0;
      for (int r : aRows) {
        double d = 0;
        for (int j = 0; j < p; j++) {
          double diff = z[j][i] - z[j][r];
          d += diff * diff;
        }
        if (filled < k) {
          insert(bestDist, bestRow, filled++, d, r);
        } else if (d < bestDist[k - 1]) {
          insert(bestDist, bestRow, k - 1, d, r);
        }
      }
      int positive = 0;
      for (int m = 0; m < k; m++) {
        if (predicted[bestRow[m]]) {
          positive++;
        }
      }
      if (!predicted[i] && 2 * positive > k) {
        flipsPositive++;
      } else if (predicted[i] && 2 * positive < k) {
        flipsNegative++;
      }
    }
    return MetricValue.of(BiasMetric.FT, (double) (flipsPositive - flipsNegative) / nd);
  }

  /** Inserts (d, r) into the sorted prefix [0, at] (the slot at {@code at} is overwritten). */
  private static void insert(double[] dist, int[] row, int at, double d, int r) {
    int i = at;
    while (i > 0 && dist[i - 1] > d) {
      dist[i] = dist[i - 1];
      row[i] = row[i - 1];
      i--;
    }
    dist[i] = d;
    row[i] = r;
  }
}
