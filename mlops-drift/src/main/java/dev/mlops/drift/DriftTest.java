package dev.mlops.drift;

import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalDouble;
import org.apache.commons.math3.special.Gamma;

/**
 * The data-drift tests: each compares a current sample (a monitoring window) with a reference
 * (the baseline). Against a {@link BaselineProfile} every test works on the profile's histogram
 * bins, which is what the {@link PredictionMonitor} counts; between two raw samples,
 * Kolmogorov-Smirnov and Wasserstein are computed exactly and the others on quantile bins of the
 * reference.
 *
 * <p>Conventions: PSI and the chi-square effect size clamp bin probabilities at 1e-4 so an empty
 * bin does not make them infinite; Jensen-Shannon is the distance (square root of the base-2
 * divergence, in [0, 1]); Hellinger is {@code sqrt(1 - sum sqrt(p q))}, in [0, 1]; Wasserstein is
 * the 1-Wasserstein distance divided by the reference's standard deviation (population form; not
 * divided when that is 0). Chi-square is the two-sample homogeneity test (as Commons Math's
 * {@code chiSquareTestDataSetsComparison}), its p-value the regularized upper incomplete gamma
 * function, which allocates nothing. On bins, Kolmogorov-Smirnov's D is the largest CDF gap at the
 * bin edges (a lower bound of the exact D) with the asymptotic p-value; Wasserstein assumes values
 * spread evenly within each bin.
 *
 * <p>Immutable and thread-safe.
 */
public enum DriftTest {
  /** Population stability index, {@code sum (q - p) ln(q / p)} over bins. */
  POPULATION_STABILITY_INDEX(false, true),
  /** Two-sample Kolmogorov-Smirnov: D and its p-value. Numeric features only. */
  KOLMOGOROV_SMIRNOV(true, false),
  /** Two-sample chi-square test of homogeneity over bins. */
  CHI_SQUARE(true, true),
  /** Jensen-Shannon distance (base 2). */
  JENSEN_SHANNON(false, true),
  /** Hellinger distance. */
  HELLINGER(false, true),
  /** 1-Wasserstein distance normalized by the reference's standard deviation. Numeric only. */
  WASSERSTEIN(false, false);

  /** Default number of quantile bins for raw-sample comparisons. */
  public static final int DEFAULT_BINS = 10;

  static final double PROBABILITY_FLOOR = 1e-4;

  private final boolean hasPValue;
  private final boolean appliesToCategorical;

  DriftTest(boolean hasPValue, boolean appliesToCategorical) {
    this.hasPValue = hasPValue;
    this.appliesToCategorical = appliesToCategorical;
  }

  /** @return whether results of this test carry a p-value */
  public boolean hasPValue() {
    return hasPValue;
  }

  /** @return whether the test applies to unordered (categorical) features */
  public boolean appliesToCategorical() {
    return appliesToCategorical;
  }

  /**
   * Compares two raw samples; NaN and infinite values are ignored.
   *
   * @param reference the reference sample
   * @param current the current sample
   * @return the result
   * @throws IllegalArgumentException if either sample has no finite value
   */
  public DriftTestResult compare(double[] reference, double[] current) {
    return compare(reference, current, DEFAULT_BINS);
  }

  /**
   * Compares two raw samples, binning on {@code bins} quantiles of the reference for the binned
   * tests; NaN and infinite values are ignored.
   *
   * @param reference the reference sample
   * @param current the current sample
   * @param bins number of quantile bins, 2 to 64 (ignored by Kolmogorov-Smirnov and Wasserstein)
   * @return the result
   * @throws IllegalArgumentException if either sample has no finite value, or bins is out of range
   */
  public DriftTestResult compare(double[] reference, double[] current, int bins) {
    if (bins < 2 || bins > 64) {
      throw new IllegalArgumentException("bins must be in [2, 64], got " + bins);
    }
    double[] ref = sortedFinite(reference, "reference");
    boolean exact = this == KOLMOGOROV_SMIRNOV || this == WASSERSTEIN;
    double[] cur = exact ? sortedFinite(current, "current") : finite(current, "current");
    switch (this) {
      case KOLMOGOROV_SMIRNOV: {
        long n = ref.length;
        long m = cur.length;
        long gap = maxCdfGap(ref, cur);
        double d = gap / ((double) n * m);
        return result(d, KolmogorovSmirnovPValue.of(d, n, m), d);
      }
      case WASSERSTEIN:
        return result(normalized(wassersteinHalf(ref, cur), populationStandardDeviation(ref)), Double.NaN, 0);
      default: {
        double[] edges = BinnedBaseline.quantileEdges(ref, bins);
        double[] refSums = new double[edges.length + 1];
        double[] refCounts = bin(ref, edges, refSums);
        double[] curSums = new double[edges.length + 1];
        double[] curCounts = bin(cur, edges, curSums);
        double[] p = new double[refCounts.length];
        for (int i = 0; i < p.length; i++) {
          p[i] = refCounts[i] / ref.length;
        }
        double[] means = new double[p.length];
        for (int i = 0; i < p.length; i++) {
          means[i] = refCounts[i] > 0 ? refSums[i] / refCounts[i] * WindowSnapshot.SUM_UNSCALE : 0;
        }
        BinnedBaseline base = new BinnedBaseline(edges, p, means, ref.length, populationStandardDeviation(ref), true);
        return evaluate(base, curCounts, curSums);
      }
    }
  }

  /**
   * Compares a raw sample with a numeric feature's baseline, on the baseline's bins.
   *
   * @param baseline the feature's profile
   * @param current the current sample; NaN and infinite values are ignored
   * @return the result
   * @throws IllegalArgumentException if the sample has no finite value
   */
  public DriftTestResult compare(NumericFeatureProfile baseline, double[] current) {
    Objects.requireNonNull(baseline, "baseline");
    double[] cur = finite(current, "current");
    BinnedBaseline base = baseline.binned();
    double[] sums = new double[base.bins()];
    return evaluate(base, bin(cur, base.edges, sums), sums);
  }

  /**
   * The binned test. {@code windowSums} holds the sum of the current values in each bin, scaled by
   * {@link WindowSnapshot#SUM_SCALE}; only Wasserstein uses it (it may be null for the other tests).
   */
  DriftTestResult evaluate(BinnedBaseline base, double[] windowCounts, double[] windowSums) {
    if (!base.ordered && !appliesToCategorical) {
      throw new IllegalArgumentException(this + " does not apply to a categorical feature");
    }
    int k = base.bins();
    if (windowCounts.length != k) {
      throw new IllegalArgumentException("expected " + k + " bin counts, got " + windowCounts.length);
    }
    double total = 0;
    for (double c : windowCounts) {
      total += c;
    }
    if (!(total > 0)) {
      throw new IllegalArgumentException(this + " needs at least one current value");
    }
    double[] p = base.probabilities;
    switch (this) {
      case POPULATION_STABILITY_INDEX: {
        double psi = 0;
        for (int i = 0; i < k; i++) {
          double pi = Math.max(p[i], PROBABILITY_FLOOR);
          double qi = Math.max(windowCounts[i] / total, PROBABILITY_FLOOR);
          psi += (qi - pi) * Math.log(qi / pi);
        }
        return result(psi, Double.NaN, psi);
      }
      case JENSEN_SHANNON: {
        double js = 0;
        for (int i = 0; i < k; i++) {
          double pi = p[i];
          double qi = windowCounts[i] / total;
          double mi = 0.5 * (pi + qi);
          if (pi > 0) {
            js += 0.5 * pi * Math.log(pi / mi);
          }
          if (qi > 0) {
            js += 0.5 * qi * Math.log(qi / mi);
          }
        }
        double distance = Math.sqrt(Math.max(0, js / Math.log(2)));
        return result(Math.min(1, distance), Double.NaN, Math.min(1, distance));
      }
      case HELLINGER: {
        double bc = 0;
        for (int i = 0; i < k; i++) {
          bc += Math.sqrt(p[i] * (windowCounts[i] / total));
        }
        double h = Math.sqrt(Math.max(0, 1 - bc));
        return result(h, Double.NaN, h);
      }
      case CHI_SQUARE:
        return chiSquare(base, windowCounts, total);
      case KOLMOGOROV_SMIRNOV: {
        double cp = 0;
        double cq = 0;
        double d = 0;
        for (int i = 0; i < k - 1; i++) {
          cp += p[i];
          cq += windowCounts[i] / total;
          d = Math.max(d, Math.abs(cp - cq));
        }
        d = Math.min(1, d);
        return result(d, KolmogorovSmirnovPValue.asymptotic(d, base.count, total), d);
      }
      case WASSERSTEIN:
        return result(normalized(binnedWassersteinHalf(base, windowCounts,
            Objects.requireNonNull(windowSums, "windowSums"), total), base.standardDeviation), Double.NaN, 0);
      default:
        throw new AssertionError(this);
    }
  }

  private DriftTestResult chiSquare(BinnedBaseline base, double[] windowCounts, double total) {
    double[] p = base.probabilities;
    double n1 = base.count;
    // Same statistic as Commons Math's chiSquareDataSetsComparison with baseline counts n1 * p.
    double weight = Math.sqrt(n1 / total);
    double stat = 0;
    double w2 = 0;
    int usedBins = 0;
    for (int i = 0; i < p.length; i++) {
      double o1 = n1 * p[i];
      double o2 = windowCounts[i];
      if (o1 + o2 > 0) {
        double dev = o1 / weight - o2 * weight;
        stat += dev * dev / (o1 + o2);
        usedBins++;
      }
      double pi = Math.max(p[i], PROBABILITY_FLOOR);
      double diff = windowCounts[i] / total - p[i];
      w2 += diff * diff / pi;
    }
    int df = usedBins - 1;
    double pValue = df < 1 ? 1 : Gamma.regularizedGammaQ(df / 2.0, stat / 2.0);
    return result(stat, Math.min(1, Math.max(0, pValue)), Math.sqrt(w2));
  }

  private DriftTestResult result(double statistic, double pValue, double effect) {
    double effectSize = this == WASSERSTEIN ? statistic : effect;
    return new DriftTestResult(this, statistic,
        hasPValue ? OptionalDouble.of(pValue) : OptionalDouble.empty(), effectSize);
  }

  private static double scale(double standardDeviation) {
    return standardDeviation > 0 ? standardDeviation : 1;
  }

  /** A distance computed at half scale, divided by the standard deviation (1 if zero), at full scale. */
  private static double normalized(double halfDistance, double standardDeviation) {
    return halfDistance / scale(standardDeviation) * 2;
  }

  static double[] sortedFinite(double[] values, String what) {
    double[] out = finite(values, what);
    Arrays.sort(out);
    return out;
  }

  /** The finite values, in their order (a copy only if some were dropped). */
  static double[] finite(double[] values, String what) {
    Objects.requireNonNull(values, what);
    double[] out = new double[values.length];
    int n = 0;
    for (double v : values) {
      if (Double.isFinite(v)) {
        out[n++] = v;
      }
    }
    if (n == 0) {
      throw new IllegalArgumentException(what + " sample has no finite value (length " + values.length + ")");
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  static double[] binCounts(double[] values, double[] edges) {
    double[] counts = new double[edges.length + 1];
    for (double v : values) {
      counts[BinnedBaseline.binOf(edges, v)]++;
    }
    return counts;
  }

  /**
   * Welford's algorithm; values beyond {@code 2^480} in magnitude are scaled down by a power of two
   * first (and the result scaled back), so squares cannot overflow: finite for any finite values.
   */
  static double populationStandardDeviation(double[] values) {
    double maxAbs = 0;
    for (double v : values) {
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    int shift = Math.max(0, Math.getExponent(maxAbs) - 480);
    double mean = 0;
    double m2 = 0;
    long n = 0;
    for (double v : values) {
      double x = Math.scalb(v, -shift);
      n++;
      double delta = x - mean;
      mean += delta / n;
      m2 += delta * (x - mean);
    }
    return Math.scalb(Math.sqrt(m2 / n), shift);
  }

  /** max over distinct values of |i m - j n|, i and j the counts of x and y at or below it. */
  static long maxCdfGap(double[] x, double[] y) {
    long n = x.length;
    long m = y.length;
    int i = 0;
    int j = 0;
    long best = 0;
    while (i < n && j < m) {
      double v = Math.min(x[i], y[j]);
      while (i < n && x[i] <= v) {
        i++;
      }
      while (j < m && y[j] <= v) {
        j++;
      }
      best = Math.max(best, Math.abs(i * m - j * n));
    }
    return best;
  }

  /** Exact 1-Wasserstein distance between two sorted samples: the integral of |F - G|. */
  static double wasserstein(double[] x, double[] y) {
    return wassersteinHalf(x, y) * 2;
  }

  /**
   * Half the exact 1-Wasserstein distance, computed on halved values so that no difference of two
   * finite values, and no partial integral, can overflow.
   */
  static double wassersteinHalf(double[] x, double[] y) {
    int n = x.length;
    int m = y.length;
    int i = 0;
    int j = 0;
    double total = 0;
    double previous = Math.min(x[0], y[0]);
    while (i < n || j < m) {
      double v = j >= m || (i < n && x[i] <= y[j]) ? x[i] : y[j];
      total += Math.abs((double) i / n - (double) j / m) * (v * 0.5 - previous * 0.5);
      previous = v;
      while (i < n && x[i] <= v) {
        i++;
      }
      while (j < m && y[j] <= v) {
        j++;
      }
    }
    return total;
  }

  /**
   * 1-Wasserstein distance with each bin's mass placed at the mean of its values (the baseline's
   * from its sketch, the window's from its per-bin sums). Collapsing both to bin means keeps their
   * means, so for a shift (one distribution stochastically above the other) the result is close
   * to exact.
   */
  static double binnedWasserstein(BinnedBaseline base, double[] counts, double[] sums, double total) {
    return binnedWassersteinHalf(base, counts, sums, total) * 2;
  }

  /** Half of {@link #binnedWasserstein}, on halved bin means (no overflow); sums scaled by SUM_SCALE. */
  static double binnedWassersteinHalf(BinnedBaseline base, double[] counts, double[] sums, double total) {
    int k = counts.length;
    double[] x = new double[2 * k];
    double[] w = new double[2 * k];
    int n = 0;
    for (int i = 0; i < k; i++) {
      if (base.probabilities[i] > 0) {
        x[n] = base.binMeans[i] * 0.5;
        w[n++] = base.probabilities[i];
      }
      if (counts[i] > 0) {
        x[n] = sums[i] / counts[i] * (WindowSnapshot.SUM_UNSCALE * 0.5);
        w[n++] = -counts[i] / total;
      }
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(x[a], x[b]));
    double integral = 0;
    double gap = 0; // F - G just right of the previous point
    for (int t = 0; t < n; t++) {
      int i = order[t];
      if (t > 0) {
        integral += Math.abs(gap) * (x[i] - x[order[t - 1]]);
      }
      gap += w[i];
    }
    return integral;
  }

  /** Counts values per bin and adds each value, scaled by SUM_SCALE, to its bin's sum; returns the counts. */
  static double[] bin(double[] values, double[] edges, double[] sums) {
    double[] counts = new double[edges.length + 1];
    for (double v : values) {
      int b = BinnedBaseline.binOf(edges, v);
      counts[b]++;
      sums[b] += v * WindowSnapshot.SUM_SCALE;
    }
    return counts;
  }
}
