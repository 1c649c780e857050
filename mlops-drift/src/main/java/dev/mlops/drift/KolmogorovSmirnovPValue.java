package dev.mlops.drift;

/**
 * P-values of the two-sample Kolmogorov-Smirnov statistic: exact by lattice-path counting for
 * small samples, the asymptotic Kolmogorov distribution otherwise. The split (n * m below 10,000
 * is exact) and the series evaluation are the ones Apache Commons Math 3.6 uses, so the two agree
 * where both apply.
 */
final class KolmogorovSmirnovPValue {
  /** Below this product of sample sizes the exact distribution is used. */
  static final long EXACT_PRODUCT_LIMIT = 10_000;

  private static final double SERIES_TOLERANCE = 1e-20;
  private static final int SERIES_MAX_TERMS = 100_000;

  private KolmogorovSmirnovPValue() {}

  /**
   * @param d the statistic, in [0, 1]
   * @param n first sample size
   * @param m second sample size
   * @return P(D >= d) under the null hypothesis
   */
  static double of(double d, long n, long m) {
    if (n * m < EXACT_PRODUCT_LIMIT) {
      return exact(d, (int) n, (int) m);
    }
    return asymptotic(d, n, m);
  }

  /** P(D >= d) from the limiting Kolmogorov distribution of sqrt(nm/(n+m)) * D. */
  static double asymptotic(double d, double n, double m) {
    double t = d * Math.sqrt(n * m / (n + m));
    return 1 - kolmogorovCdf(t);
  }

  /** The Kolmogorov distribution's CDF, 1 - 2 sum (-1)^(k-1) exp(-2 k^2 t^2). */
  static double kolmogorovCdf(double t) {
    if (t == 0) {
      return 0;
    }
    double x = -2 * t * t;
    int sign = -1;
    long i = 1;
    double partial = 0.5;
    double delta = 1;
    while (delta > SERIES_TOLERANCE && i < SERIES_MAX_TERMS) {
      delta = Math.exp(x * i * i);
      partial += sign * delta;
      sign = -sign;
      i++;
    }
    return partial * 2;
  }

  /**
   * Exact P(D >= d) for samples of sizes n and m without ties: one minus the share of monotone
   * lattice paths from (0,0) to (n,m) that stay strictly within distance d of the diagonal. The
   * path count is carried as a probability, A(i,j) = A(i-1,j) i/(i+j) + A(i,j-1) j/(i+j), which
   * never overflows.
   */
  static double exact(double d, int n, int m) {
    if (d <= 0) {
      return 1;
    }
    // D takes values k/(n m); recover the integer k, tolerating rounding in d.
    double scaled = d * n * m;
    long limit = Math.round(scaled);
    if (Math.abs(scaled - limit) > 1e-7 * Math.max(1, scaled)) {
      limit = (long) Math.ceil(scaled);
    }
    double[] row = new double[m + 1];
    for (int i = 0; i <= n; i++) {
      for (int j = 0; j <= m; j++) {
        long gap = Math.abs((long) i * m - (long) j * n);
        if (gap >= limit) {
          row[j] = 0;
        } else if (i == 0 && j == 0) {
          row[j] = 1;
        } else {
          double fromAbove = i > 0 ? row[j] * i / (i + j) : 0; // row[j] still holds (i-1, j)
          double fromLeft = j > 0 ? row[j - 1] * j / (i + j) : 0;
          row[j] = fromAbove + fromLeft;
        }
      }
    }
    return Math.min(1, Math.max(0, 1 - row[m]));
  }
}
