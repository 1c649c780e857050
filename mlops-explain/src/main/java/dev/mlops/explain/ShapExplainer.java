package dev.mlops.explain;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.DecompositionSolver;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealVector;

/**
 * SHAP values of any {@link ModelFunction} against a {@link Background}: the value of a coalition S
 * of features is v(S) = Σ<sub>b</sub> w<sub>b</sub> f(x<sub>S</sub>, b<sub>¬S</sub>) (features outside S
 * taken from background row b, "interventional" SHAP), and a feature's attribution is its Shapley
 * value in that game.
 *
 * <ul>
 *   <li>{@link Builder#exact()}: enumerates all 2<sup>M</sup> coalitions (M ≤ {@value #EXACT_MAX_FEATURES});
 *       cost 2<sup>M</sup> · |background| model calls; additivity holds to rounding (tested at 1e-9).
 *   <li>{@link Builder#kernel(int)}: Kernel SHAP (Lundberg and Lee 2017) with a budget of coalitions:
 *       as the shap library does, subset sizes whose coalitions all fit in the budget are enumerated
 *       (small and large sizes first, paired with their complements), the rest are sampled with the
 *       Shapley kernel's size distribution from a seeded generator, and the efficiency constraint
 *       Σφ = f(x) − E[f] is enforced by eliminating the last feature before a weighted least-squares
 *       solve (Commons Math QR). With a budget of at least 2<sup>M</sup> − 2 every coalition is used and
 *       the result equals the exact values; for a linear model it is exact for any full-rank budget.
 *       Cost: (number of coalitions) · |background| + 1 model calls per explanation; no l1 feature
 *       selection is applied.
 * </ul>
 *
 * <p>Deterministic: the coalitions depend only on the seed and M, and are drawn once per explainer.
 *
 * <p>Thread-safe if the model function is (each call uses its own buffers).
 */
public final class ShapExplainer {
  /** The largest feature count the exact method accepts. */
  public static final int EXACT_MAX_FEATURES = 16;

  private final ModelFunction model;
  private final Background background;
  private final List<String> featureNames;
  private final boolean exact;
  private final long seed;
  private final int budget;
  private final double baseValue;
  // kernel method: coalitions (indexes of features taken from x), solver of the constrained WLS
  private final int[][] coalitions;
  private final boolean[][] masks;
  private final double[] sqrtWeights;
  private final DecompositionSolver solver;

  private ShapExplainer(Builder b) {
    this.model = b.model;
    this.background = b.background;
    int m = background.featureCount();
    this.featureNames = b.featureNames != null ? b.featureNames : defaultNames(m);
    if (featureNames.size() != m) {
      throw new IllegalArgumentException(featureNames.size() + " feature names for " + m + " background features");
    }
    this.exact = b.exact;
    this.seed = b.seed;
    if (exact && m > EXACT_MAX_FEATURES) {
      throw new IllegalArgumentException("exact Shapley values with " + m + " features would take 2^" + m
          + " coalitions; the limit is " + EXACT_MAX_FEATURES + ", use kernel(nsamples)");
    }
    ModelCalls calls = new ModelCalls(model);
    this.baseValue = coalitionValue(calls, new double[m], new int[0], new double[m]);
    if (exact || m == 1) {
      this.budget = 0;
      this.coalitions = null;
      this.masks = null;
      this.sqrtWeights = null;
      this.solver = null;
    } else {
      if (b.budget < 2) {
        throw new IllegalArgumentException("Kernel SHAP needs a budget of at least 2 coalitions, got " + b.budget);
      }
      List<boolean[]> maskList = new ArrayList<>();
      List<Double> weightList = new ArrayList<>();
      sampleCoalitions(m, b.budget, new SplittableRandom(seed), maskList, weightList);
      int k = maskList.size();
      this.budget = k;
      this.masks = maskList.toArray(new boolean[0][]);
      this.coalitions = new int[k][];
      this.sqrtWeights = new double[k];
      double[][] design = new double[k][m - 1];
      for (int r = 0; r < k; r++) {
        boolean[] z = masks[r];
        int count = 0;
        for (boolean v : z) {
          if (v) {
            count++;
          }
        }
        coalitions[r] = new int[count];
        for (int j = 0, c = 0; j < m; j++) {
          if (z[j]) {
            coalitions[r][c++] = j;
          }
        }
        sqrtWeights[r] = Math.sqrt(weightList.get(r));
        double last = z[m - 1] ? 1 : 0;
        for (int j = 0; j < m - 1; j++) {
          design[r][j] = sqrtWeights[r] * ((z[j] ? 1 : 0) - last);
        }
      }
      this.solver = new QRDecomposition(new Array2DRowRealMatrix(design, false)).getSolver();
      if (!solver.isNonSingular()) {
        throw new IllegalArgumentException("the " + k + " sampled coalitions do not determine " + m
            + " attributions; raise nsamples (at least " + (2 * m) + " is advisable)");
      }
    }
  }

  private static List<String> defaultNames(int m) {
    List<String> names = new ArrayList<>(m);
    for (int i = 0; i < m; i++) {
      names.add("x" + i);
    }
    return List.copyOf(names);
  }

  /**
   * Starts an explainer.
   *
   * @param model the model
   * @param background the background data
   * @return a builder (Kernel SHAP with 2048 coalitions and seed 0 unless changed)
   */
  public static Builder builder(ModelFunction model, Background background) {
    return new Builder(model, background);
  }

  /**
   * The base value E[f(X)] over the background.
   *
   * @return the base value
   */
  public double baseValue() {
    return baseValue;
  }

  /**
   * The feature names.
   *
   * @return the names
   */
  public List<String> featureNames() {
    return featureNames;
  }

  /**
   * The method, "exact" or "kernel".
   *
   * @return the method name
   */
  public String method() {
    return exact ? "exact" : "kernel";
  }

  /**
   * The number of coalitions Kernel SHAP evaluates per explanation (0 for the exact method).
   *
   * @return the coalition count
   */
  public int coalitionCount() {
    return budget;
  }

  /**
   * Explains one prediction.
   *
   * @param x the input, one value per feature, no NaN
   * @return the explanation
   * @throws IllegalArgumentException if x has the wrong length or a NaN/infinite value (named)
   * @throws ModelFunctionException if the model throws or returns a non-finite value
   */
  public Explanation explain(double[] x) {
    Objects.requireNonNull(x, "x");
    int m = background.featureCount();
    if (x.length != m) {
      throw new IllegalArgumentException("input has " + x.length + " features, the background has " + m);
    }
    for (int j = 0; j < m; j++) {
      if (!Double.isFinite(x[j])) {
        throw new IllegalArgumentException("feature '" + featureNames.get(j) + "' (index " + j + ") is " + x[j]
            + "; impute missing values before explaining");
      }
    }
    ModelCalls calls = new ModelCalls(model);
    double fx = calls.apply(x.clone());
    double[] phi = new double[m];
    double[] buffer = new double[m];
    if (m == 1) {
      phi[0] = fx - baseValue;
    } else if (exact) {
      exactValues(calls, x, buffer, phi);
    } else {
      kernelValues(calls, x, buffer, fx, phi);
    }
    return Explanation.of(baseValue, fx, phi, calls.calls());
  }

  /**
   * Explains several predictions and their global importance (mean |SHAP| per feature).
   *
   * @param xs the inputs
   * @return the report
   * @throws IllegalArgumentException if xs is empty or an input is invalid (see {@link #explain})
   * @throws ModelFunctionException if the model fails
   */
  public ExplanationReport explainAll(double[][] xs) {
    Objects.requireNonNull(xs, "xs");
    if (xs.length == 0) {
      throw new IllegalArgumentException("no inputs to explain");
    }
    List<Explanation> out = new ArrayList<>(xs.length);
    for (double[] x : xs) {
      out.add(explain(x));
    }
    return new ExplanationReport(method(), featureNames, baseValue, budget, seed, out);
  }

  /** v(S) with S given as the feature indexes taken from x. */
  private double coalitionValue(ModelCalls calls, double[] x, int[] fromX, double[] buffer) {
    double[][] rows = background.rowsInternal();
    double[] w = background.weightsInternal();
    int m = buffer.length;
    double v = 0;
    for (int b = 0; b < rows.length; b++) {
      System.arraycopy(rows[b], 0, buffer, 0, m);
      for (int j : fromX) {
        buffer[j] = x[j];
      }
      v += w[b] * calls.apply(buffer);
    }
    return v;
  }

  private void exactValues(ModelCalls calls, double[] x, double[] buffer, double[] phi) {
    int m = x.length;
    int subsets = 1 << m;
    double[] v = new double[subsets];
    int[] members = new int[m];
    for (int s = 0; s < subsets; s++) {
      int c = 0;
      for (int j = 0; j < m; j++) {
        if ((s & (1 << j)) != 0) {
          members[c++] = j;
        }
      }
      v[s] = s == 0 ? baseValue : coalitionValue(calls, x, java.util.Arrays.copyOf(members, c), buffer);
    }
    // w(s) = s! (m - s - 1)! / m!
    double[] weight = new double[m];
    for (int s = 0; s < m; s++) {
      weight[s] = 1.0 / (m * binomial(m - 1, s));
    }
    for (int s = 0; s < subsets; s++) {
      int size = Integer.bitCount(s);
      for (int j = 0; j < m; j++) {
        if ((s & (1 << j)) == 0) {
          phi[j] += weight[size] * (v[s | (1 << j)] - v[s]);
        }
      }
    }
  }

  private void kernelValues(ModelCalls calls, double[] x, double[] buffer, double fx, double[] phi) {
    int m = x.length;
    int k = coalitions.length;
    double total = fx - baseValue;
    double[] rhs = new double[k];
    for (int r = 0; r < k; r++) {
      double y = coalitionValue(calls, x, coalitions[r], buffer) - baseValue;
      rhs[r] = sqrtWeights[r] * (y - (masks[r][m - 1] ? total : 0));
    }
    RealVector solution = solver.solve(new ArrayRealVector(rhs, false));
    double sum = 0;
    for (int j = 0; j < m - 1; j++) {
      phi[j] = solution.getEntry(j);
      sum += phi[j];
    }
    phi[m - 1] = total - sum;
  }

  static double binomial(int n, int k) {
    double r = 1;
    for (int i = 1; i <= k; i++) {
      r = r * (n - k + i) / i;
    }
    return Math.rint(r);
  }

  /** The shap library's coalition scheme: full enumeration of the sizes the budget covers, then sampling. */
  static void sampleCoalitions(int m, int budget, SplittableRandom rnd, List<boolean[]> masks, List<Double> weights) {
    int sizes = (m - 1 + 1) / 2; // ceil((m - 1) / 2)
    int pairedSizes = (m - 1) / 2;
    double[] weightVector = new double[sizes];
    double norm = 0;
    for (int s = 1; s <= sizes; s++) {
      weightVector[s - 1] = (m - 1.0) / (s * (double) (m - s));
      if (s <= pairedSizes) {
        weightVector[s - 1] *= 2;
      }
      norm += weightVector[s - 1];
    }
    for (int i = 0; i < sizes; i++) {
      weightVector[i] /= norm;
    }
    double[] remaining = weightVector.clone();
    int fullSizes = 0;
    double samplesLeft = budget;
    for (int s = 1; s <= sizes; s++) {
      double subsets = binomial(m, s) * (s <= pairedSizes ? 2 : 1);
      if (samplesLeft * remaining[s - 1] / subsets >= 1.0 - 1e-8) {
        fullSizes++;
        samplesLeft -= subsets;
        if (remaining[s - 1] < 1.0) {
          double scale = 1 - remaining[s - 1];
          for (int i = 0; i < sizes; i++) {
            remaining[i] /= scale;
          }
        }
        double w = weightVector[s - 1] / binomial(m, s);
        if (s <= pairedSizes) {
          w /= 2;
        }
        for (int[] subset : subsetsOfSize(m, s)) {
          boolean[] z = new boolean[m];
          for (int j : subset) {
            z[j] = true;
          }
          masks.add(z);
          weights.add(w);
          if (s <= pairedSizes) {
            boolean[] c = new boolean[m];
            for (int j = 0; j < m; j++) {
              c[j] = !z[j];
            }
            masks.add(c);
            weights.add(w);
          }
        }
      } else {
        break;
      }
    }
    int fixed = masks.size();
    int left = budget - fixed;
    if (fullSizes == sizes || left <= 0) {
      return;
    }
    double[] sampling = new double[sizes - fullSizes];
    double samplingNorm = 0;
    for (int i = fullSizes; i < sizes; i++) {
      sampling[i - fullSizes] = weightVector[i] / (i < pairedSizes ? 2 : 1);
      samplingNorm += sampling[i - fullSizes];
    }
    Map<BitSet, Integer> used = new HashMap<>();
    int[] perm = new int[m];
    int draws = 4 * left;
    for (int d = 0; d < draws && left > 0; d++) {
      double u = rnd.nextDouble() * samplingNorm;
      int idx = 0;
      while (idx < sampling.length - 1 && u >= sampling[idx]) {
        u -= sampling[idx];
        idx++;
      }
      int size = idx + fullSizes + 1;
      for (int j = 0; j < m; j++) {
        perm[j] = j;
      }
      boolean[] z = new boolean[m];
      for (int j = 0; j < size; j++) {
        int pick = j + rnd.nextInt(m - j);
        int t = perm[j];
        perm[j] = perm[pick];
        perm[pick] = t;
        z[perm[j]] = true;
      }
      left = addSample(z, masks, weights, used, left);
      if (left > 0 && size <= pairedSizes) {
        boolean[] c = new boolean[m];
        for (int j = 0; j < m; j++) {
          c[j] = !z[j];
        }
        left = addSample(c, masks, weights, used, left);
      }
    }
    double weightLeft = 0;
    for (int i = fullSizes; i < sizes; i++) {
      weightLeft += weightVector[i];
    }
    double sampled = 0;
    for (int i = fixed; i < weights.size(); i++) {
      sampled += weights.get(i);
    }
    for (int i = fixed; i < weights.size(); i++) {
      weights.set(i, weights.get(i) * weightLeft / sampled);
    }
  }

  private static int addSample(boolean[] z, List<boolean[]> masks, List<Double> weights, Map<BitSet, Integer> used, int left) {
    BitSet key = new BitSet(z.length);
    for (int j = 0; j < z.length; j++) {
      if (z[j]) {
        key.set(j);
      }
    }
    Integer at = used.get(key);
    if (at == null) {
      used.put(key, masks.size());
      masks.add(z);
      weights.add(1.0);
      return left - 1;
    }
    weights.set(at, weights.get(at) + 1.0);
    return left;
  }

  private static List<int[]> subsetsOfSize(int m, int s) {
    List<int[]> out = new ArrayList<>();
    int[] c = new int[s];
    for (int i = 0; i < s; i++) {
      c[i] = i;
    }
    while (true) {
      out.add(c.clone());
      int i = s - 1;
      while (i >= 0 && c[i] == m - s + i) {
        i--;
      }
      if (i < 0) {
        return out;
      }
      c[i]++;
      for (int j = i + 1; j < s; j++) {
        c[j] = c[j - 1] + 1;
      }
    }
  }

  /**
   * Configures a {@link ShapExplainer}.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private final ModelFunction model;
    private final Background background;
    private List<String> featureNames;
    private boolean exact;
    private int budget = 2048;
    private long seed;

    private Builder(ModelFunction model, Background background) {
      this.model = Objects.requireNonNull(model, "model");
      this.background = Objects.requireNonNull(background, "background");
    }

    /**
     * Names the features (default x0, x1, …).
     *
     * @param names one name per background feature
     * @return this builder
     */
    public Builder featureNames(List<String> names) {
      this.featureNames = List.copyOf(names);
      return this;
    }

    /**
     * Exact Shapley values by enumerating every coalition.
     *
     * @return this builder
     */
    public Builder exact() {
      this.exact = true;
      return this;
    }

    /**
     * Kernel SHAP with a budget of coalitions (the shap library's {@code nsamples}).
     *
     * @param nsamples the number of coalitions, at least 2; at least 2·M is advisable
     * @return this builder
     */
    public Builder kernel(int nsamples) {
      this.exact = false;
      this.budget = nsamples;
      return this;
    }

    /**
     * The seed of Kernel SHAP's coalition sampling.
     *
     * @param seed the seed
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Builds the explainer; evaluates the model over the background once (the base value).
     *
     * @return the explainer
     * @throws IllegalArgumentException if the names do not match the features, the exact method is
     *     asked for too many features, or the kernel budget cannot determine the attributions
     * @throws ModelFunctionException if the model fails on a background row
     */
    public ShapExplainer build() {
      return new ShapExplainer(this);
    }
  }
}
