package dev.mlops.tuning;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;

/**
 * Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio, Kégl, "Algorithms for
 * Hyper-Parameter Optimization", NeurIPS 2011). After {@code nStartupTrials} random trials
 * (completed or pruned), the n completed and pruned trials are ranked — completed ones by value,
 * then pruned ones by the last step they reached (later first) and their value there — and the
 * first {@code gamma(n)} form the "good" group, the rest the "bad" group. For each parameter a
 * Parzen estimator (a mixture of truncated Gaussians, one per observation, plus a prior) is
 * fitted to each group, giving l(x) and g(x); {@code nEiCandidates} candidates are drawn from l
 * and the one with the highest score log l(x) − log g(x) (the paper's expected-improvement
 * criterion; see {@link Options#bandwidthWeightedScore()} for how the kernels enter it) is
 * returned.
 *
 * <p>Defaults ({@link #options(long)}): 10 startup trials, 24 candidates, magic clip on
 * (bandwidth at least range / min(100, 1 + components)), recent-trial weighting (older trials ramp
 * down once there are more than 25), categorical kernels smoothed by the prior weight, as Optuna;
 * and multivariate sampling with neighbour bandwidths, endpoints on, prior weight 2,
 * {@code gamma(n) = min(ceil(0.15 n), 25)} and textbook normalized kernels in the score,
 * which found better values than Optuna 3.1's defaults on the benchmark objectives, including on
 * seeds not used to choose them ({@code benchmarks/RESULTS.md}). {@link #optuna31Options(long)}
 * gives Optuna 3.1's defaults (univariate, bandwidth-weighted score), the defaults before. The
 * implementation is written from the paper and Optuna's documented parameters, and checked against
 * values computed by Optuna 3.1 (see the tests' resources).
 *
 * <p>{@link Options#multivariate()}: parameters present with the same distribution in every
 * completed trial are sampled jointly from product-kernel estimators (bandwidths by
 * {@link Options#jointBandwidth()}) when the trial starts; others (conditional parameters, absent
 * from some trials) are sampled independently, each from the trials that have it.
 * {@link Options#constantLiar()}: trials still RUNNING (parallel workers) are put in the bad group,
 * so parallel workers are pushed away from points already being evaluated.
 *
 * <p>Immutable and thread-safe.
 */
public final class TpeSampler implements Sampler {
  private final Options options;

  /**
   * TPE settings.
   *
   * <p>Immutable and thread-safe.
   *
   * @param seed the seed
   * @param nStartupTrials random trials before TPE starts, {@code >= 0}
   * @param nEiCandidates candidates drawn from l(x) per sample, {@code >= 1}
   * @param gamma how many of n completed trials form the good group
   * @param priorWeight weight of the prior component, {@code > 0}
   * @param considerMagicClip whether bandwidths have the lower bound range / min(100, 1 + n)
   * @param considerEndpoints whether the range bounds count as neighbours when setting bandwidths
   * @param multivariate whether to sample the common parameters jointly
   * @param constantLiar whether RUNNING trials join the bad group
   * @param bandwidthWeightedScore whether a candidate is scored with each continuous kernel's
   *     weight multiplied by its bandwidth (Optuna 3.1's score: its truncated-normal log density
   *     omits the {@code -log sigma} term, optuna/optuna#5109, fixed upstream later); on in
   *     {@link #optuna31Options(long)}, off (textbook normalized kernels) by default
   * @param jointBandwidth how jointly sampled numeric parameters get their bandwidths
   * @param jointWithCategoricals with {@code multivariate} off, still sample the parameters common
   *     to every completed trial jointly when they include a categorical and a numeric one (an
   *     ablation option; off in both defaults)
   */
  public record Options(long seed, int nStartupTrials, int nEiCandidates, IntUnaryOperator gamma,
      double priorWeight, boolean considerMagicClip, boolean considerEndpoints, boolean multivariate,
      boolean constantLiar, boolean bandwidthWeightedScore, Bandwidth jointBandwidth,
      boolean jointWithCategoricals) {
    /**
     * Validates.
     *
     * @throws IllegalArgumentException naming the bad setting
     */
    public Options {
      if (nStartupTrials < 0) {
        throw new IllegalArgumentException("nStartupTrials must be >= 0, got " + nStartupTrials);
      }
      if (nEiCandidates < 1) {
        throw new IllegalArgumentException("nEiCandidates must be >= 1, got " + nEiCandidates);
      }
      Objects.requireNonNull(gamma, "gamma");
      if (!(priorWeight > 0) || Double.isInfinite(priorWeight)) {
        throw new IllegalArgumentException("priorWeight must be positive and finite, got " + priorWeight);
      }
      Objects.requireNonNull(jointBandwidth, "jointBandwidth");
    }

    /**
     * The settings before {@code jointBandwidth} and {@code jointWithCategoricals} existed: joint
     * sampling (if {@code multivariate}) with Optuna's Scott-like bandwidth, no joint sampling
     * otherwise.
     *
     * @param seed the seed
     * @param nStartupTrials random trials before TPE starts
     * @param nEiCandidates candidates drawn from l(x) per sample
     * @param gamma how many of n trials form the good group
     * @param priorWeight weight of the prior component
     * @param considerMagicClip whether bandwidths have the magic-clip lower bound
     * @param considerEndpoints whether the range bounds count as neighbours
     * @param multivariate whether to sample the common parameters jointly
     * @param constantLiar whether RUNNING trials join the bad group
     * @param bandwidthWeightedScore whether candidates are scored with bandwidth-weighted kernels
     */
    public Options(long seed, int nStartupTrials, int nEiCandidates, IntUnaryOperator gamma, double priorWeight,
        boolean considerMagicClip, boolean considerEndpoints, boolean multivariate, boolean constantLiar,
        boolean bandwidthWeightedScore) {
      this(seed, nStartupTrials, nEiCandidates, gamma, priorWeight, considerMagicClip, considerEndpoints,
          multivariate, constantLiar, bandwidthWeightedScore, Bandwidth.SCOTT, false);
    }

    /**
     * The settings before {@code bandwidthWeightedScore} existed; it is on.
     *
     * @param seed the seed
     * @param nStartupTrials random trials before TPE starts
     * @param nEiCandidates candidates drawn from l(x) per sample
     * @param gamma how many of n trials form the good group
     * @param priorWeight weight of the prior component
     * @param considerMagicClip whether bandwidths have the magic-clip lower bound
     * @param considerEndpoints whether the range bounds count as neighbours
     * @param multivariate whether to sample the common parameters jointly
     * @param constantLiar whether RUNNING trials join the bad group
     */
    public Options(long seed, int nStartupTrials, int nEiCandidates, IntUnaryOperator gamma, double priorWeight,
        boolean considerMagicClip, boolean considerEndpoints, boolean multivariate, boolean constantLiar) {
      this(seed, nStartupTrials, nEiCandidates, gamma, priorWeight, considerMagicClip, considerEndpoints,
          multivariate, constantLiar, true);
    }

    /** @param startup random trials first @return a copy with that setting */
    public Options withStartupTrials(int startup) {
      return new Options(seed, startup, nEiCandidates, gamma, priorWeight, considerMagicClip, considerEndpoints,
          multivariate, constantLiar, bandwidthWeightedScore, jointBandwidth, jointWithCategoricals);
    }

    /** @param candidates candidates per sample @return a copy with that setting */
    public Options withCandidates(int candidates) {
      return new Options(seed, nStartupTrials, candidates, gamma, priorWeight, considerMagicClip,
          considerEndpoints, multivariate, constantLiar, bandwidthWeightedScore, jointBandwidth,
          jointWithCategoricals);
    }

    /** @param g how many of n observed trials form the good group @return a copy with that setting */
    public Options withGamma(IntUnaryOperator g) {
      return new Options(seed, nStartupTrials, nEiCandidates, g, priorWeight, considerMagicClip,
          considerEndpoints, multivariate, constantLiar, bandwidthWeightedScore, jointBandwidth,
          jointWithCategoricals);
    }

    /** @param weight the prior component's weight @return a copy with that setting */
    public Options withPriorWeight(double weight) {
      return new Options(seed, nStartupTrials, nEiCandidates, gamma, weight, considerMagicClip,
          considerEndpoints, multivariate, constantLiar, bandwidthWeightedScore, jointBandwidth,
          jointWithCategoricals);
    }

    /** @param on the magic-clip lower bound on bandwidths @return a copy with that setting */
    public Options withMagicClip(boolean on) {
      return new Options(seed, nStartupTrials, nEiCandidates, gamma, priorWeight, on,
          considerEndpoints, multivariate, constantLiar, bandwidthWeightedScore, jointBandwidth,
          jointWithCategoricals);
    }

    /** @param on range bounds as neighbours when setting bandwidths @return a copy with that setting */
    public Options withEndpoints(boolean on) {
      return new Options(seed, nStartupTrials, nEiCandidates, gamma, priorWeight, considerMagicClip,
          on, multivariate, constantLiar, bandwidthWeightedScore, jointBandwidth, jointWithCategoricals);
    }

    /** @param on multivariate sampling @return a copy with that setting */
    public Options withMultivariate(boolean on) {
      return new Options(seed, nStartupTrials, nEiCandidates, gamma, priorWeight, considerMagicClip,
          considerEndpoints, on, constantLiar, bandwidthWeightedScore, jointBandwidth, jointWithCategoricals);
    }

    /** @param on constant liar @return a copy with that setting */
    public Options withConstantLiar(boolean on) {
      return new Options(seed, nStartupTrials, nEiCandidates, gamma, priorWeight, considerMagicClip,
          considerEndpoints, multivariate, on, bandwidthWeightedScore, jointBandwidth, jointWithCategoricals);
    }

    /** @param on bandwidth-weighted scoring of candidates @return a copy with that setting */
    public Options withBandwidthWeightedScore(boolean on) {
      return new Options(seed, nStartupTrials, nEiCandidates, gamma, priorWeight, considerMagicClip,
          considerEndpoints, multivariate, constantLiar, on, jointBandwidth, jointWithCategoricals);
    }

    /** @param rule the bandwidth rule of jointly sampled parameters @return a copy with that setting */
    public Options withJointBandwidth(Bandwidth rule) {
      return new Options(seed, nStartupTrials, nEiCandidates, gamma, priorWeight, considerMagicClip,
          considerEndpoints, multivariate, constantLiar, bandwidthWeightedScore, rule, jointWithCategoricals);
    }

    /**
     * @param on sample the parameters common to every completed trial jointly when they include a
     *     categorical and a numeric one, even with {@code multivariate} off
     * @return a copy with that setting
     */
    public Options withJointWithCategoricals(boolean on) {
      return new Options(seed, nStartupTrials, nEiCandidates, gamma, priorWeight, considerMagicClip,
          considerEndpoints, multivariate, constantLiar, bandwidthWeightedScore, jointBandwidth, on);
    }
  }

  /**
   * How the kernels of jointly sampled numeric parameters get their bandwidths.
   *
   * <p>Immutable and thread-safe.
   */
  public enum Bandwidth {
    /** Optuna's multivariate rule: {@code 0.2 n^(-1/(d+4))} of the range, the same for every kernel. */
    SCOTT,
    /** Per parameter, as univariate TPE: each kernel's larger gap to a sorted neighbour. */
    NEIGHBOURS,
    /**
     * As {@link #NEIGHBOURS}, but the neighbours of an observation are only those with the same
     * choices of the jointly sampled categorical parameters (its branch of the space); the same as
     * {@link #NEIGHBOURS} when none is categorical.
     */
    NEIGHBOURS_PER_CATEGORY
  }

  /**
   * The default settings: 10 startup trials, 24 candidates, magic clip and recent-trial weighting
   * as Optuna; and, unlike Optuna's defaults, {@code gamma(n) = min(ceil(0.15 n), 25)}
   * ({@link #gamma15}),
   * <b>multivariate</b> (the parameters common to every completed trial are sampled jointly, as
   * Optuna's {@code multivariate=True}, Falkner et al. 2018) with each kernel's bandwidth in each
   * parameter set by the neighbour rule of univariate TPE ({@link Bandwidth#NEIGHBOURS}),
   * endpoints counted as neighbours, prior weight 2 and textbook normalized kernels in the score
   * (Optuna's later score, after optuna/optuna#5109). This combination was chosen on benchmark
   * objectives and confirmed on seeds not used to choose it ({@code benchmarks/RESULTS.md}); the
   * previous defaults are {@link #optuna31Options(long)}.
   *
   * @param seed the seed
   * @return the default settings with this seed
   */
  public static Options options(long seed) {
    return new Options(seed, 10, 24, TpeSampler::gamma15, 2.0, true, true, true, false, false,
        Bandwidth.NEIGHBOURS, false);
  }

  /**
   * Optuna 3.1's documented defaults, which were this class's defaults before the multivariate
   * ones: univariate, prior weight 1, endpoints off, bandwidth-weighted score (Optuna 3.1's score,
   * see {@link Options#bandwidthWeightedScore()}).
   *
   * @param seed the seed
   * @return Optuna 3.1's defaults with this seed
   */
  public static Options optuna31Options(long seed) {
    return new Options(seed, 10, 24, TpeSampler::defaultGamma, 1.0, true, false, false, false, true,
        Bandwidth.SCOTT, false);
  }

  /** @param options the settings */
  public TpeSampler(Options options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /** @param seed the seed; {@link #options(long) the default settings} otherwise */
  public TpeSampler(long seed) {
    this(options(seed));
  }

  /**
   * Optuna's default gamma, used by {@link #optuna31Options(long)}.
   *
   * @param n completed trials
   * @return {@code min(ceil(0.1 n), 25)}
   */
  public static int defaultGamma(int n) {
    return Math.min((int) Math.ceil(0.1 * n), 25);
  }

  /**
   * The gamma of {@link #options(long)}: a good group half as large again as Optuna's.
   *
   * @param n completed trials
   * @return {@code min(ceil(0.15 n), 25)}
   */
  public static int gamma15(int n) {
    return Math.min((int) Math.ceil(0.15 * n), 25);
  }

  /** Optuna's documented default weights: 1 each up to 25, older ones ramping down beyond that. */
  static double[] weights(int n) {
    double[] w = new double[n];
    if (n < 25) {
      java.util.Arrays.fill(w, 1.0);
      return w;
    }
    int ramp = n - 25;
    for (int i = 0; i < ramp; i++) {
      w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1.0 - 1.0 / n) * i / (ramp - 1);
    }
    for (int i = ramp; i < n; i++) {
      w[i] = 1.0;
    }
    return w;
  }

  /** The good and bad groups, each by trial number. */
  record Split(List<TrialRecord> below, List<TrialRecord> above) {}

  /** The trials TPE learns from: completed ones, and pruned ones (ranked by how far they got). */
  static List<TrialRecord> observed(StudyHistory history) {
    return history.trials().stream()
        .filter(t -> t.state() == TrialState.COMPLETE && t.value().isPresent() || t.state() == TrialState.PRUNED)
        .toList();
  }

  /**
   * Ranks completed trials first, by loss; then pruned ones by their last reported step (later
   * first) and the loss there (NaN last); pruned ones with no report last; ties by trial number.
   */
  private static Comparator<TrialRecord> ranking(Direction direction) {
    Comparator<TrialRecord> byTier = Comparator.comparingInt(t -> t.state() == TrialState.COMPLETE ? 0
        : t.intermediate().isEmpty() ? 2 : 1);
    Comparator<TrialRecord> byStep = Comparator.comparingLong(
        t -> t.state() == TrialState.PRUNED && !t.intermediate().isEmpty() ? -t.intermediate().lastKey() : 0L);
    Comparator<TrialRecord> byLoss = Comparator.comparingDouble(t -> {
      double v = t.state() == TrialState.COMPLETE ? t.value().orElseThrow()
          : t.intermediate().isEmpty() ? 0 : t.intermediate().lastEntry().getValue();
      return Double.isNaN(v) ? Double.POSITIVE_INFINITY : direction.loss(v);
    });
    return byTier.thenComparing(byStep).thenComparing(byLoss).thenComparingInt(TrialRecord::number);
  }

  Split split(StudyHistory history) {
    List<TrialRecord> ranked = new ArrayList<>(observed(history));
    ranked.sort(ranking(history.direction()));
    int nBelow = Math.max(0, Math.min(ranked.size(), options.gamma().applyAsInt(ranked.size())));
    List<TrialRecord> below = new ArrayList<>(ranked.subList(0, nBelow));
    List<TrialRecord> above = new ArrayList<>(ranked.subList(nBelow, ranked.size()));
    if (options.constantLiar()) {
      history.trials().stream().filter(t -> t.state() == TrialState.RUNNING).forEach(above::add);
    }
    below.sort(Comparator.comparingInt(TrialRecord::number));
    above.sort(Comparator.comparingInt(TrialRecord::number));
    return new Split(below, above);
  }

  @Override
  public double sample(StudyHistory history, TrialRecord current, Param param) {
    SplittableRandom random = RandomSampler.random(options.seed(), current.number(), param.name());
    if (observed(history).size() < Math.max(1, options.nStartupTrials())) {
      return RandomSampler.sampleUniform(param, random);
    }
    Split split = split(history);
    List<Param> dims = List.of(param);
    ParzenEstimator below = estimator(dims, having(split.below(), dims), Bandwidth.NEIGHBOURS);
    ParzenEstimator above = estimator(dims, having(split.above(), dims), Bandwidth.NEIGHBOURS);
    return best(below, above, random)[0];
  }

  @Override
  public Map<String, Map.Entry<Param, Double>> sampleJoint(StudyHistory history, int number) {
    List<TrialRecord> complete = history.complete();
    if (!options.multivariate() && !options.jointWithCategoricals() || complete.isEmpty()
        || observed(history).size() < Math.max(1, options.nStartupTrials())) {
      return Map.of();
    }
    TreeMap<String, Param> common = new TreeMap<>(complete.get(0).distributions());
    for (TrialRecord t : complete) {
      common.entrySet().removeIf(e -> !e.getValue().equals(t.distributions().get(e.getKey())));
    }
    if (common.isEmpty() || !options.multivariate() && !(common.values().stream().anyMatch(p -> !ParamScale.numeric(p))
        && common.values().stream().anyMatch(ParamScale::numeric))) {
      return Map.of();
    }
    List<Param> dims = List.copyOf(common.values());
    Split split = split(history);
    ParzenEstimator below = estimator(dims, having(split.below(), dims), options.jointBandwidth());
    ParzenEstimator above = estimator(dims, having(split.above(), dims), options.jointBandwidth());
    double[] x = best(below, above, RandomSampler.random(options.seed(), number, "tpe-joint"));
    Map<String, Map.Entry<Param, Double>> out = new LinkedHashMap<>();
    for (int k = 0; k < dims.size(); k++) {
      out.put(dims.get(k).name(), new AbstractMap.SimpleImmutableEntry<>(dims.get(k), x[k]));
    }
    return out;
  }

  /** The trials that have every parameter of {@code dims} with the same distribution, by number. */
  private static List<TrialRecord> having(List<TrialRecord> trials, List<Param> dims) {
    return trials.stream()
        .filter(t -> dims.stream().allMatch(p -> p.equals(t.distributions().get(p.name()))))
        .toList();
  }

  private ParzenEstimator estimator(List<Param> dims, List<TrialRecord> trials, Bandwidth bandwidth) {
    double[][] obs = new double[trials.size()][dims.size()];
    for (int i = 0; i < trials.size(); i++) {
      for (int k = 0; k < dims.size(); k++) {
        obs[i][k] = trials.get(i).params().get(dims.get(k).name());
      }
    }
    return new ParzenEstimator(dims, obs, weights(trials.size()), options.priorWeight(),
        options.considerMagicClip(), bandwidth == Bandwidth.SCOTT, options.considerEndpoints(),
        options.bandwidthWeightedScore(), bandwidth == Bandwidth.NEIGHBOURS_PER_CATEGORY);
  }

  private double[] best(ParzenEstimator below, ParzenEstimator above, SplittableRandom random) {
    double[] best = null;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < options.nEiCandidates(); i++) {
      double[] x = below.sample(random);
      double score = below.logPdf(x) - above.logPdf(x);
      if (best == null || score > bestScore) {
        best = x;
        bestScore = score;
      }
    }
    return best;
  }

  @Override
  public String toString() {
    return "TpeSampler[seed=" + options.seed() + ", multivariate=" + options.multivariate() + ", constantLiar="
        + options.constantLiar() + ", bandwidthWeightedScore=" + options.bandwidthWeightedScore()
        + ", jointBandwidth=" + options.jointBandwidth() + ", jointWithCategoricals="
        + options.jointWithCategoricals() + "]";
  }
}
