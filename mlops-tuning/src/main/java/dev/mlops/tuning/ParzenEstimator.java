package dev.mlops.tuning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.math3.special.Erf;

/**
 * A weighted mixture over one or more parameters: one component per observation plus a prior
 * component (uniform-ish: a wide Gaussian in the middle of each numeric range, uniform over each
 * categorical). Numeric dimensions are Gaussians truncated to the range (integer ones scored by
 * the mass of the value's cell); a categorical dimension of an observation's component puts
 * {@code (1 + v) / (1 + C v)} on the observed choice and {@code v / (1 + C v)} on each other one,
 * {@code v = priorWeight / (n + 1)} for n observations and C choices (the smoothing Optuna uses).
 * Used by {@link TpeSampler} as l(x) and g(x).
 *
 * <p>With {@code bandwidthWeighted}, {@link #logPdf} scores a continuous dimension with the
 * Gaussian kernel <em>not</em> divided by its bandwidth σ: the score is then the log density of
 * the mixture whose weights are proportional to weight × σ (plus a constant), which is what
 * Optuna 3.1's truncated-normal log density computes (optuna/optuna#5109). {@link #sample} always
 * draws from the mixture with the plain weights.
 *
 * <p>Immutable after construction and safe to share; sampling uses the caller's generator.
 */
final class ParzenEstimator {
  private static final double EPS = 1e-12;
  private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
  /** The categorical smoothing v = priorWeight / (n + 1). */
  private final double categoricalSmoothing;
  private final List<Param> dims;
  private final ParamScale[] scales;
  private final double[] logWeights;
  private final double[] cumulative;
  /** mu[c][d]: scaled centre of numeric dims, or the choice index (-1 for the prior) of categorical ones. */
  private final double[][] mu;
  private final double[][] sigma;
  private final double[][] logNorm;
  /** log of each truncated Gaussian's mass inside the range. */
  private final double[][] logMass;

  ParzenEstimator(List<Param> dims, double[][] observations, double[] weights, double priorWeight,
      boolean magicClip, boolean multivariate, boolean considerEndpoints, boolean bandwidthWeighted) {
    this(dims, observations, weights, priorWeight, magicClip, multivariate, considerEndpoints, bandwidthWeighted, false);
  }

  /**
   * @param perCategory with neighbour bandwidths ({@code multivariate} false): the neighbours of
   *     an observation in a numeric dimension are only the observations with the same choices in
   *     every categorical dimension (and the prior's centre), so a kernel's width reflects how
   *     densely its own branch of the space has been sampled; with no categorical dimension, as
   *     without
   */
  ParzenEstimator(List<Param> dims, double[][] observations, double[] weights, double priorWeight,
      boolean magicClip, boolean multivariate, boolean considerEndpoints, boolean bandwidthWeighted,
      boolean perCategory) {
    this.dims = dims;
    int n = observations.length;
    int d = dims.size();
    int components = n + 1;
    categoricalSmoothing = priorWeight / (n + 1);
    scales = new ParamScale[d];
    mu = new double[components][d];
    sigma = new double[components][d];
    logNorm = new double[components][d];
    logMass = new double[components][d];
    double total = priorWeight;
    for (double w : weights) {
      total += w;
    }
    logWeights = new double[components];
    cumulative = new double[components];
    double acc = 0;
    for (int c = 0; c < components; c++) {
      double w = (c < n ? weights[c] : priorWeight) / total;
      logWeights[c] = Math.log(w);
      acc += w;
      cumulative[c] = acc;
    }
    for (int k = 0; k < d; k++) {
      Param p = dims.get(k);
      if (!ParamScale.numeric(p)) {
        for (int c = 0; c < n; c++) {
          mu[c][k] = observations[c][k];
        }
        mu[n][k] = -1;
        continue;
      }
      ParamScale s = ParamScale.of(p);
      scales[k] = s;
      double range = s.hi() - s.lo();
      for (int c = 0; c < n; c++) {
        mu[c][k] = s.toScaled(observations[c][k]);
      }
      mu[n][k] = (s.lo() + s.hi()) / 2;
      double minSigma = magicClip ? range / Math.min(100.0, 1.0 + components) : EPS;
      if (multivariate) {
        double bw = 0.2 * Math.pow(components, -1.0 / (d + 4)) * range;
        for (int c = 0; c < n; c++) {
          sigma[c][k] = bw;
        }
      } else {
        bandwidthsFromNeighbours(k, n, s, considerEndpoints, perCategory ? cells(dims, observations) : new int[n]);
      }
      sigma[n][k] = range;
      for (int c = 0; c < components; c++) {
        sigma[c][k] = Math.max(Math.max(minSigma, EPS), Math.min(range, sigma[c][k]));
        if (range <= 0) {
          sigma[c][k] = 1;
        }
        double z = phi((s.hi() - mu[c][k]) / sigma[c][k]) - phi((s.lo() - mu[c][k]) / sigma[c][k]);
        logMass[c][k] = Math.log(Math.max(z, 1e-300));
        logNorm[c][k] = logMass[c][k] + (bandwidthWeighted ? 0 : Math.log(sigma[c][k])) + LOG_SQRT_2PI;
      }
    }
  }

  /** Each observation's cell: observations with equal choices in every categorical dimension share one. */
  private static int[] cells(List<Param> dims, double[][] observations) {
    int[] cell = new int[observations.length];
    Map<List<Double>, Integer> ids = new HashMap<>();
    for (int c = 0; c < observations.length; c++) {
      List<Double> key = new ArrayList<>();
      for (int k = 0; k < dims.size(); k++) {
        if (!ParamScale.numeric(dims.get(k))) {
          key.add(observations[c][k]);
        }
      }
      cell[c] = ids.computeIfAbsent(key, x -> ids.size());
    }
    return cell;
  }

  /**
   * Each observation's bandwidth: the larger gap to its neighbours in sorted order among the
   * observations of its cell and the prior's centre; the prior's own is set by the caller.
   */
  private void bandwidthsFromNeighbours(int k, int n, ParamScale s, boolean considerEndpoints, int[] cell) {
    int cells = 0;
    for (int c : cell) {
      cells = Math.max(cells, c + 1);
    }
    for (int g = 0; g < Math.max(1, cells); g++) {
      List<Integer> members = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (cell[i] == g) {
          members.add(i);
        }
      }
      members.add(n); // the prior's centre
      Integer[] order = members.toArray(new Integer[0]);
      Arrays.sort(order, (a, b) -> Double.compare(mu[a][k], mu[b][k]));
      int last = order.length - 1;
      for (int i = 0; i <= last; i++) {
        double x = mu[order[i]][k];
        double left = i > 0 ? x - mu[order[i - 1]][k] : (considerEndpoints ? x - s.lo() : 0);
        double right = i < last ? mu[order[i + 1]][k] - x : (considerEndpoints ? s.hi() - x : 0);
        sigma[order[i]][k] = Math.max(left, right);
      }
    }
  }

  private static double phi(double z) {
    return 0.5 * (1 + Erf.erf(z / Math.sqrt(2)));
  }

  /** Draws one point, as internal values of each dimension. */
  double[] sample(SplittableRandom random) {
    double u = random.nextDouble();
    int c = 0;
    while (c < cumulative.length - 1 && cumulative[c] < u) {
      c++;
    }
    double[] x = new double[dims.size()];
    for (int k = 0; k < x.length; k++) {
      Param p = dims.get(k);
      if (!ParamScale.numeric(p)) {
        // an observation's row is a mixture: its own choice with 1 / (1 + C v), else uniform
        int choices = ParamScale.choices(p);
        boolean own = mu[c][k] >= 0 && random.nextDouble() * (1 + choices * categoricalSmoothing) < 1;
        x[k] = own ? mu[c][k] : random.nextInt(choices);
        continue;
      }
      ParamScale s = scales[k];
      double v = Double.NaN;
      for (int attempt = 0; attempt < 100 && !(v >= s.lo() && v <= s.hi()); attempt++) {
        v = mu[c][k] + sigma[c][k] * gaussian(random);
      }
      if (!(v >= s.lo() && v <= s.hi())) {
        v = s.lo() + random.nextDouble() * (s.hi() - s.lo());
      }
      x[k] = s.fromScaled(v);
    }
    return x;
  }

  private static double gaussian(SplittableRandom random) {
    // Box–Muller; SplittableRandom has no nextGaussian on Java 17
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Log density (log mass for categorical dimensions) at a point of internal values. */
  double logPdf(double[] x) {
    double max = Double.NEGATIVE_INFINITY;
    double[] terms = new double[logWeights.length];
    for (int c = 0; c < terms.length; c++) {
      double t = logWeights[c];
      for (int k = 0; k < x.length && t > Double.NEGATIVE_INFINITY; k++) {
        Param p = dims.get(k);
        if (!ParamScale.numeric(p)) {
          int choices = ParamScale.choices(p);
          t += mu[c][k] < 0 ? -Math.log(choices)
              : Math.log(((mu[c][k] == x[k] ? 1 : 0) + categoricalSmoothing) / (1 + choices * categoricalSmoothing));
        } else if (p instanceof IntParam ip) {
          // an integer value owns the cell of half a step on each side: use the kernel's mass there
          double lower = ip.log() ? Math.log(x[k] - 0.5) : x[k] - 0.5 * ip.step();
          double upper = ip.log() ? Math.log(x[k] + 0.5) : x[k] + 0.5 * ip.step();
          double mass = phi((upper - mu[c][k]) / sigma[c][k]) - phi((lower - mu[c][k]) / sigma[c][k]);
          t += Math.log(Math.max(mass, 1e-300)) - logMass[c][k];
        } else {
          double z = (scales[k].toScaled(x[k]) - mu[c][k]) / sigma[c][k];
          t += -0.5 * z * z - logNorm[c][k];
        }
      }
      terms[c] = t;
      max = Math.max(max, t);
    }
    if (max == Double.NEGATIVE_INFINITY) {
      return max;
    }
    double sum = 0;
    for (double t : terms) {
      sum += Math.exp(t - max);
    }
    return max + Math.log(sum);
  }

  /** @return the normalized weight of component c (the prior is the last) */
  double weight(int c) {
    return Math.exp(logWeights[c]);
  }

  /** @return the centre of component c in dimension k, on the scale (log for log parameters) */
  double mu(int c, int k) {
    return mu[c][k];
  }

  /** @return the bandwidth of component c in dimension k, on the scale */
  double sigma(int c, int k) {
    return sigma[c][k];
  }

  /** @return the number of components, the prior included */
  int components() {
    return logWeights.length;
  }
}
