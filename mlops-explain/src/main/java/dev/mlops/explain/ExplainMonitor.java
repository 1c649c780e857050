package dev.mlops.explain;

import dev.mlops.drift.CheckResult;
import dev.mlops.drift.CheckValue;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.WindowCheck;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Bias drift and feature-attribution drift in production, on a sample of the predictions. It runs
 * beside {@code mlops-drift}'s {@code PredictionMonitor}, whose {@code record} it leaves untouched:
 * the serving code calls both.
 *
 * <p>Recommended wiring: register {@link #asCheck()} as a window check of the prediction monitor,
 * so each of its windows closes this monitor's window, the bias and attribution verdicts are a
 * {@link CheckResult} in the {@link DriftReport}, and the prediction monitor's {@code onAlert}
 * listeners (deployment gates, retraining triggers) fire on a bias or attribution alarm as on data
 * drift:
 *
 * <pre>{@code
 * ExplainMonitor explain = ExplainMonitor.builder(baselineBias).attributions(explainer, baselineExplanation).build();
 * PredictionMonitor monitor = PredictionMonitor.builder(baselineProfile)
 *     .check(explain.asCheck())
 *     .onAlert(report -> gate.block(report.toText()))   // data, bias or attribution drift
 *     .build();
 * // per prediction: monitor.record(x, p); explain.record(id, x, inFacetD, p);
 * }</pre>
 *
 * <p>This monitor's own {@link ExplainWindowReport} (with the bias and attribution details) still
 * goes to its {@link Builder#onWindow}/{@link Builder#onAlert} listeners whenever its window closes,
 * by either path. {@link #closeWithDataDrift()} is the older wiring as a window listener; it does
 * not make the prediction monitor alarm. Use one wiring, not both: each closes this monitor's window.
 *
 * <ul>
 *   <li>Sampling: a prediction is sampled when a hash of its id is 0 modulo {@code sampleEvery}; the
 *       test needs no shared state, so unsampled calls cost a multiply and a branch, and a late label
 *       is joined only if its id was sampled.
 *   <li>Bias: DPPL and DI from the sampled predictions; the other post-training metrics (RD, DAR,
 *       DRR, AD, CDDPL without groups, GE by default; DCA, DCR and TE when given a tolerance) from
 *       sampled predictions whose label arrived in the window ({@link #recordOutcome}), NaN with a
 *       reason below {@code minLabelled}. Each is compared with the baseline bias report of the
 *       model version: a violation is |window − baseline| &gt; tolerance (default 0.1; 0.2 for DI).
 *   <li>Attributions: a seeded reservoir keeps up to {@code maxExplained} sampled feature vectors per
 *       window; at close they are explained with the given {@link ShapExplainer} (on the closing
 *       thread, off the hot path) and the window's global ranking is compared with the baseline
 *       explanation report by nDCG ({@link AttributionDrift}), alarm below 0.9.
 * </ul>
 *
 * <p>{@code record} allocates nothing; a sampled call takes one uncontended lock and copies the
 * feature vector. A label is joined by scanning the ring of the last {@code pendingCapacity} sampled
 * predictions (O(capacity), off the prediction path).
 *
 * <p>Thread-safe.
 */
public final class ExplainMonitor {
  /** The name of {@link #asCheck()}. */
  public static final String CHECK_NAME = "bias-and-attribution";

  private final int sampleEvery;
  private final double predictionThreshold;
  private final double labelThreshold;
  private final int minLabelled;
  private final Map<BiasMetric, Double> tolerances;
  private final BiasReport baselineBias;
  private final Optional<ShapExplainer> explainer;
  private final Optional<ExplanationReport> baselineExplanation;
  private final double ndcgThreshold;
  private final int minExplained;
  private final Clock clock;
  private final List<Consumer<ExplainWindowReport>> windowListeners;
  private final List<Consumer<ExplainWindowReport>> alertListeners;

  private final ReentrantLock lock = new ReentrantLock();
  private final ReentrantLock closeLock = new ReentrantLock();
  // window state, under lock
  private final long[] predictionCells = new long[4]; // facet d (2) x predicted (2)
  private final long[] labelledCells = new long[8];   // BiasCounts layout: facet x label x predicted
  private long sampled;
  private long labelled;
  private final double[][] reservoir;
  private int reservoirSize;
  private long reservoirSeen;
  private final SplittableRandom random;
  // pending sampled predictions awaiting labels: a ring
  private final long[] pendingIds;
  private final byte[] pendingState; // 0 empty, else 1 + (facet << 1 | predicted)
  private int pendingNext;

  private ExplainMonitor(Builder b) {
    this.sampleEvery = b.sampleEvery;
    this.predictionThreshold = b.predictionThreshold;
    this.labelThreshold = b.labelThreshold;
    this.minLabelled = b.minLabelled;
    this.tolerances = Map.copyOf(b.tolerances);
    this.baselineBias = b.baselineBias;
    this.explainer = Optional.ofNullable(b.explainer);
    this.baselineExplanation = Optional.ofNullable(b.baselineExplanation);
    this.ndcgThreshold = b.ndcgThreshold;
    this.minExplained = b.minExplained;
    this.clock = b.clock;
    this.windowListeners = List.copyOf(b.windowListeners);
    this.alertListeners = List.copyOf(b.alertListeners);
    int features = b.explainer == null ? 0 : b.explainer.featureNames().size();
    this.reservoir = new double[b.explainer == null ? 0 : b.maxExplained][features];
    this.random = new SplittableRandom(b.seed);
    this.pendingIds = new long[b.pendingCapacity];
    this.pendingState = new byte[b.pendingCapacity];
  }

  /**
   * Starts a monitor against the bias report stored with the model version.
   *
   * @param baselineBias the model version's bias report (its post-training values are the baseline)
   * @return a builder
   */
  public static Builder builder(BiasReport baselineBias) {
    return new Builder(baselineBias);
  }

  /** Whether a prediction id is in the sample: a 64-bit mix of the id, 0 modulo sampleEvery. */
  private boolean sampled(long predictionId) {
    long h = predictionId * 0x9E3779B97F4A7C15L;
    h ^= h >>> 32;
    h *= 0xD6E8FEB86659FD93L;
    h ^= h >>> 32;
    return Long.remainderUnsigned(h, sampleEvery) == 0;
  }

  /**
   * Records one prediction. Unsampled predictions return at once; sampled ones are counted and
   * their features kept for the window's explanations. Allocates nothing.
   *
   * @param predictionId the id a late label will carry
   * @param features the model's input, same order as the explainer's features (read during the call only)
   * @param inFacetD whether the prediction is for the sensitive facet d
   * @param prediction the model output; positive when greater than the prediction threshold
   */
  public void record(long predictionId, double[] features, boolean inFacetD, double prediction) {
    if (!sampled(predictionId)) {
      return;
    }
    boolean positive = prediction > predictionThreshold;
    lock.lock();
    try {
      predictionCells[(inFacetD ? 2 : 0) | (positive ? 1 : 0)]++;
      sampled++;
      if (reservoir.length > 0 && features.length == reservoir[0].length) {
        long seen = reservoirSeen++;
        int slot = seen < reservoir.length ? (int) seen : (int) random.nextLong(seen + 1);
        if (slot < reservoir.length) {
          System.arraycopy(features, 0, reservoir[slot], 0, features.length);
          reservoirSize = Math.max(reservoirSize, slot + 1);
        }
      }
      pendingIds[pendingNext] = predictionId;
      pendingState[pendingNext] = (byte) (1 + ((inFacetD ? 2 : 0) | (positive ? 1 : 0)));
      pendingNext = pendingNext + 1 == pendingIds.length ? 0 : pendingNext + 1;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Joins a late label to its sampled prediction; the labelled prediction counts in the window
   * open now.
   *
   * @param predictionId the prediction's id
   * @param label the true outcome; positive when greater than the label threshold
   * @return true if the prediction was sampled and still pending (each is joined at most once)
   */
  public boolean recordOutcome(long predictionId, double label) {
    if (!sampled(predictionId)) {
      return false;
    }
    boolean positive = label > labelThreshold;
    lock.lock();
    try {
      for (int i = 0; i < pendingIds.length; i++) {
        if (pendingState[i] != 0 && pendingIds[i] == predictionId) {
          int bits = pendingState[i] - 1;
          pendingState[i] = 0;
          labelledCells[BiasCounts.cell((bits & 2) != 0, positive, (bits & 1) != 0)]++;
          labelled++;
          return true;
        }
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Closes the window: computes the report, hands it to the listeners and starts a new window.
   *
   * @return the report
   * @throws ModelFunctionException if the explainer's model fails on a sampled input
   */
  public ExplainWindowReport closeWindow() {
    return close(Optional.empty());
  }

  /**
   * A listener for {@code PredictionMonitor.Builder.onWindow}: closes this monitor's window whenever
   * the prediction monitor closes one, and carries its data-drift report. Bias and attribution
   * alarms then reach only this monitor's own {@link Builder#onAlert} listeners; prefer
   * {@link #asCheck()}, which makes them alarm the prediction monitor's report.
   *
   * @return the listener
   */
  public Consumer<DriftReport> closeWithDataDrift() {
    return report -> close(Optional.of(report));
  }

  /**
   * This monitor as a window check named {@value #CHECK_NAME}, for
   * {@code PredictionMonitor.Builder.check(...)}. Each call of its {@code evaluate} closes this
   * monitor's window (so the two monitors' windows coincide), notifies this monitor's listeners and
   * returns:
   * <ul>
   *   <li>one {@link CheckValue} per monitored bias metric, named {@code "<METRIC> shift"}: the window
   *       value minus the baseline value (NaN when either is undefined), threshold the metric's
   *       tolerance, breached when |shift| &gt; tolerance;
   *   <li>with attributions configured, {@code "attribution nDCG"}: the nDCG of the window's ranking,
   *       threshold the nDCG threshold, breached below it;
   *   <li>verdict {@code DRIFT} if any value is breached, {@code OK} if some value is defined,
   *       {@code NOT_EVALUATED} (with the reasons) if none is — e.g. a window without sampled
   *       predictions.
   * </ul>
   * A failure of the explainer's model surfaces as the check's exception, which the prediction
   * monitor reports as {@code NOT_EVALUATED}.
   *
   * @return the check; every call returns an equivalent check of this monitor
   */
  public WindowCheck asCheck() {
    return asCheck(CHECK_NAME);
  }

  /**
   * {@link #asCheck()} with another name, e.g. to run two explain monitors (two facets) on one
   * prediction monitor.
   *
   * @param name the check's name, matching {@link dev.mlops.Names#PATTERN}
   * @return the check
   * @throws IllegalArgumentException if the name is invalid
   */
  public WindowCheck asCheck(String name) {
    String checkName = dev.mlops.Names.requireValid("check name", name);
    return new WindowCheck() {
      @Override
      public String name() {
        return checkName;
      }

      @Override
      public CheckResult evaluate(Instant windowStart, Instant windowEnd) {
        return toCheckResult(checkName, close(Optional.empty()));
      }

      @Override
      public String toString() {
        return "ExplainMonitor check '" + checkName + "'";
      }
    };
  }

  static CheckResult toCheckResult(String name, ExplainWindowReport r) {
    List<CheckValue> values = new ArrayList<>();
    List<String> drifted = new ArrayList<>();
    // metric names by reason, so "too few labels" is said once for all the label-based metrics
    Map<String, List<String>> undefined = new java.util.LinkedHashMap<>();
    for (BiasDrift b : r.bias()) {
      double shift = b.window().isDefined() && !Double.isNaN(b.baseline()) ? b.window().value() - b.baseline() : Double.NaN;
      values.add(new CheckValue(b.metric() + " shift", shift, b.tolerance(), b.violated()));
      if (b.violated()) {
        drifted.add(String.format(java.util.Locale.ROOT, "%s %.4f -> %.4f (tolerance %s)", b.metric(), b.baseline(),
            b.window().value(), b.tolerance()));
      } else if (Double.isNaN(shift)) {
        undefined.computeIfAbsent(b.window().reason().orElse("undefined in the baseline"), k -> new ArrayList<>())
            .add(b.metric().name());
      }
    }
    r.attribution().ifPresent(a -> {
      values.add(new CheckValue("attribution nDCG", a.ndcg(), a.threshold(), a.drift()));
      if (a.drift()) {
        drifted.add(String.format(java.util.Locale.ROOT, "attribution nDCG %.4f < %.2f (window ranking %s)", a.ndcg(),
            a.threshold(), a.windowRanking()));
      }
      a.reason().ifPresent(reason -> undefined.computeIfAbsent(reason, k -> new ArrayList<>()).add("attribution nDCG"));
    });
    String counts = r.sampledPredictions() + " sampled, " + r.labelledPredictions() + " labelled";
    String why = undefined.entrySet().stream().map(e -> String.join(", ", e.getValue()) + " (" + e.getKey() + ")")
        .collect(java.util.stream.Collectors.joining("; "));
    if (values.stream().allMatch(v -> Double.isNaN(v.value()))) {
      return CheckResult.notEvaluated(name, counts + "; nothing defined: " + why);
    }
    String detail = counts + "; " + (drifted.isEmpty() ? "no bias or attribution drift" : "DRIFT: " + String.join("; ", drifted))
        + (undefined.isEmpty() ? "" : "; undefined: " + why);
    return CheckResult.of(name, values, detail);
  }

  private ExplainWindowReport close(Optional<DriftReport> dataDrift) {
    closeLock.lock();
    try {
      long[] predictions;
      long[] labelledCounts;
      long sampledCount;
      long labelledCount;
      List<double[]> rows = new ArrayList<>();
      lock.lock();
      try {
        predictions = predictionCells.clone();
        labelledCounts = labelledCells.clone();
        sampledCount = sampled;
        labelledCount = labelled;
        for (int i = 0; i < reservoirSize; i++) {
          rows.add(reservoir[i].clone());
        }
        java.util.Arrays.fill(predictionCells, 0);
        java.util.Arrays.fill(labelledCells, 0);
        sampled = 0;
        labelled = 0;
        reservoirSize = 0;
        reservoirSeen = 0;
      } finally {
        lock.unlock();
      }
      ExplainWindowReport report = new ExplainWindowReport(clock.instant(), sampledCount, labelledCount,
          biasDrift(predictions, labelledCounts, labelledCount), attributionDrift(rows), dataDrift);
      for (Consumer<ExplainWindowReport> l : windowListeners) {
        l.accept(report);
      }
      if (report.alarm()) {
        for (Consumer<ExplainWindowReport> l : alertListeners) {
          l.accept(report);
        }
      }
      return report;
    } finally {
      closeLock.unlock();
    }
  }

  private List<BiasDrift> biasDrift(long[] predictions, long[] labelledCounts, long labelledCount) {
    // prediction-only metrics: a BiasCounts whose labels are all negative yields DPPL and DI exactly
    long[] asCells = new long[8];
    for (int c = 0; c < 4; c++) {
      asCells[((c & 2) != 0 ? 4 : 0) | (c & 1)] = predictions[c];
    }
    Map<BiasMetric, MetricValue> fromPredictions = byMetric(BiasCounts.ofRaw(asCells, 1, true).postTraining());
    Map<BiasMetric, MetricValue> fromLabels = byMetric(BiasCounts.ofRaw(labelledCounts, 1, true).postTraining());
    List<BiasDrift> out = new ArrayList<>();
    for (BiasMetric m : tolerances.keySet().stream().sorted().toList()) {
      MetricValue window;
      if (m == BiasMetric.DPPL || m == BiasMetric.DI) {
        window = fromPredictions.get(m);
      } else if (labelledCount < minLabelled) {
        window = MetricValue.undefined(m, labelledCount + " labelled predictions in this window, fewer than " + minLabelled);
      } else {
        window = fromLabels.get(m);
      }
      double baseline = baselineBias.find(m).map(MetricValue::value).orElse(Double.NaN);
      out.add(BiasDrift.of(m, baseline, window, tolerances.get(m)));
    }
    return out;
  }

  private static Map<BiasMetric, MetricValue> byMetric(List<MetricValue> values) {
    Map<BiasMetric, MetricValue> map = new EnumMap<>(BiasMetric.class);
    values.forEach(v -> map.put(v.metric(), v));
    return map;
  }

  private Optional<AttributionDrift> attributionDrift(List<double[]> rows) {
    if (explainer.isEmpty() || baselineExplanation.isEmpty()) {
      return Optional.empty();
    }
    ExplanationReport baseline = baselineExplanation.get();
    List<double[]> finite = new ArrayList<>();
    for (double[] r : rows) {
      boolean ok = true;
      for (double v : r) {
        ok &= Double.isFinite(v);
      }
      if (ok) {
        finite.add(r);
      }
    }
    if (finite.size() < minExplained) {
      return Optional.of(AttributionDrift.undefined(baseline.ranking(), finite.size()
          + " sampled inputs with finite features in this window, fewer than " + minExplained, ndcgThreshold));
    }
    ExplanationReport window = explainer.get().explainAll(finite.toArray(new double[0][]));
    return Optional.of(AttributionDrift.compare(baseline.featureNames(), baseline.globalImportance(), window.globalImportance(),
        ndcgThreshold));
  }

  /**
   * Configures an {@link ExplainMonitor}.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private final BiasReport baselineBias;
    private int sampleEvery = 10;
    private double predictionThreshold = 0.5;
    private double labelThreshold = 0.5;
    private int minLabelled = 30;
    private final Map<BiasMetric, Double> tolerances = new EnumMap<>(BiasMetric.class);
    private ShapExplainer explainer;
    private ExplanationReport baselineExplanation;
    private double ndcgThreshold = AttributionDrift.DEFAULT_THRESHOLD;
    private int maxExplained = 100;
    private int minExplained = 10;
    private int pendingCapacity = 4096;
    private long seed;
    private Clock clock = Clock.systemUTC();
    private final List<Consumer<ExplainWindowReport>> windowListeners = new ArrayList<>();
    private final List<Consumer<ExplainWindowReport>> alertListeners = new ArrayList<>();

    private Builder(BiasReport baselineBias) {
      this.baselineBias = Objects.requireNonNull(baselineBias, "baselineBias");
      // the bounded metrics; DCA, DCR and TE are unbounded ratios of small counts, too noisy for a
      // fixed default tolerance at window sample sizes: opt in with tolerance(metric, t)
      Set<BiasMetric> monitored = EnumSet.of(BiasMetric.DPPL, BiasMetric.DI, BiasMetric.RD, BiasMetric.DAR, BiasMetric.DRR,
          BiasMetric.AD, BiasMetric.CDDPL, BiasMetric.GE);
      for (BiasMetric m : monitored) {
        tolerances.put(m, m == BiasMetric.DI ? 0.2 : 0.1);
      }
    }

    /**
     * Samples one prediction in {@code n} (by a hash of its id). Default 10.
     *
     * @param n at least 1 (1 samples every prediction)
     * @return this builder
     */
    public Builder sampleEvery(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("sampleEvery must be >= 1, got " + n);
      }
      this.sampleEvery = n;
      return this;
    }

    /**
     * A prediction is positive when greater than this (default 0.5).
     *
     * @param threshold the threshold
     * @return this builder
     */
    public Builder predictionThreshold(double threshold) {
      this.predictionThreshold = threshold;
      return this;
    }

    /**
     * A label is positive when greater than this (default 0.5).
     *
     * @param threshold the threshold
     * @return this builder
     */
    public Builder labelThreshold(double threshold) {
      this.labelThreshold = threshold;
      return this;
    }

    /**
     * Label-based metrics need at least this many labelled predictions in a window (default 30).
     *
     * @param n at least 1
     * @return this builder
     */
    public Builder minLabelled(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("minLabelled must be >= 1, got " + n);
      }
      this.minLabelled = n;
      return this;
    }

    /**
     * Sets the tolerance of one metric (adding it to the monitored set; FT cannot be monitored).
     *
     * @param metric a post-training metric other than FT
     * @param tolerance the largest accepted |window − baseline|, ≥ 0
     * @return this builder
     */
    public Builder tolerance(BiasMetric metric, double tolerance) {
      if (metric.stage() != BiasMetric.Stage.POST_TRAINING || metric == BiasMetric.FT) {
        throw new IllegalArgumentException(metric + " cannot be monitored per window; monitored metrics are post-training ones except FT");
      }
      if (!(tolerance >= 0)) {
        throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
      }
      tolerances.put(metric, tolerance);
      return this;
    }

    /**
     * Explains sampled predictions each window and compares their ranking with the baseline's.
     *
     * @param explainer the explainer (its features are the recorded feature vectors)
     * @param baseline the model version's explanation report
     * @return this builder
     */
    public Builder attributions(ShapExplainer explainer, ExplanationReport baseline) {
      this.explainer = Objects.requireNonNull(explainer, "explainer");
      this.baselineExplanation = Objects.requireNonNull(baseline, "baseline");
      if (!explainer.featureNames().equals(baseline.featureNames())) {
        throw new IllegalArgumentException("explainer features " + explainer.featureNames()
            + " differ from the baseline's " + baseline.featureNames());
      }
      return this;
    }

    /**
     * Alarm when nDCG falls below this (default 0.9).
     *
     * @param threshold in (0, 1]
     * @return this builder
     */
    public Builder ndcgThreshold(double threshold) {
      if (!(threshold > 0 && threshold <= 1)) {
        throw new IllegalArgumentException("nDCG threshold must be in (0, 1], got " + threshold);
      }
      this.ndcgThreshold = threshold;
      return this;
    }

    /**
     * Explains at most {@code max} sampled inputs per window (reservoir sample) and needs at least
     * {@code min} for an nDCG. Defaults 100 and 10.
     *
     * @param min at least 1
     * @param max at least min
     * @return this builder
     */
    public Builder explained(int min, int max) {
      if (min < 1 || max < min) {
        throw new IllegalArgumentException("need 1 <= min <= max, got " + min + ", " + max);
      }
      this.minExplained = min;
      this.maxExplained = max;
      return this;
    }

    /**
     * Sampled predictions kept waiting for labels (default 4096; the oldest is dropped).
     *
     * @param capacity at least 1
     * @return this builder
     */
    public Builder pendingCapacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("pendingCapacity must be >= 1, got " + capacity);
      }
      this.pendingCapacity = capacity;
      return this;
    }

    /**
     * The seed of the reservoir sample.
     *
     * @param seed the seed
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * The clock stamping reports (default UTC system clock).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Called with every window report, on the closing thread.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder onWindow(Consumer<ExplainWindowReport> listener) {
      windowListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Called with every report that alarms ({@link ExplainWindowReport#alarm()}).
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder onAlert(Consumer<ExplainWindowReport> listener) {
      alertListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Builds the monitor.
     *
     * @return the monitor
     * @throws IllegalArgumentException if the baseline bias report has no post-training metrics
     */
    public ExplainMonitor build() {
      if (baselineBias.prediction().isEmpty()) {
        throw new IllegalArgumentException("the baseline bias report has no post-training metrics (facet "
            + baselineBias.facet() + "); analyse it with BiasSpec.withPrediction");
      }
      return new ExplainMonitor(this);
    }
  }
}
