package dev.mlops.drift;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches every prediction of a model against its {@link BaselineProfile}: {@code record(...)}
 * counts each feature value into the baseline's histogram bins, and when a window closes
 * ({@link Windowing}) the counts become an immutable {@link DriftReport} handed to the listeners.
 * Optionally joins late ground truth ({@link #recordOutcome(long, double)}) to feed quality metrics
 * and a {@link ConceptDriftDetector} on the error stream.
 *
 * <p>The hot path: {@code record} allocates nothing (after a thread's first call), takes one
 * uncontended lock word of the thread's stripe (a thread that finds its stripe busy moves to the
 * next free one and stays there), and per numeric feature does a
 * branch-free four-step search over at most 16 bin edges, a counter increment and an addition. NaN
 * counts as missing and ±Inf as invalid, per feature; neither is ever thrown. Window evaluation
 * and listeners run off the hot path on the builder's executor (or on the caller of
 * {@link #closeWindow()}), one window at a time, in order.
 *
 * <p>Count windows close at exactly their count. Each record takes an arrival number from one
 * atomic counter (one {@code getAndIncrement} on a cache line that all recording threads share;
 * manual and time windows do not use it); window {@code k} of {@code Windowing.tumbling(n)}
 * holds arrivals {@code [k·n, (k+1)·n)}. The thread that records a window's last arrival takes the
 * window's counts out of the stripes (waiting for records of that window still being written) and
 * allocates its snapshot, once per window; records that arrive for the next window meanwhile wait
 * for that drain (microseconds: one pass over the stripes) before they are counted.
 *
 * <p>Window checks ({@link Builder#check(WindowCheck)}): per-window judgements that are not
 * per-feature tests — bias drift, feature-attribution drift — run when a window closes, after its
 * counts are evaluated and before listeners, on the same thread; their results are part of the
 * report, and a {@link CheckVerdict#DRIFT} verdict alarms like data drift ({@link DriftReport#alarm()}).
 *
 * <p>Data quality ({@link Builder#dataQuality(DataQualityRules)}): {@code record} also counts, per
 * feature, numeric values outside their range, categories outside their domain, categorical
 * inputs of the wrong type, and (through {@link MonitorInput}) features absent from the input and
 * features the baseline does not know — a comparison and an increment per feature, still without
 * allocating. When the window closes the counts become the report's
 * {@link DriftReport#dataQuality()} and its {@code data-quality-*} {@link CheckResult}s (range,
 * domain, type, completeness, features), so a violation alarms like a window check. The counts
 * are part of the {@link WindowSnapshot} and merge across a fleet like the drift counts.
 *
 * <p>Fleets: every report carries its {@link WindowSnapshot}; instances built on the same baseline
 * write snapshots to shared storage, and any instance merges them and calls
 * {@link #evaluate(WindowSnapshot)} for one fleet-wide verdict. Counts merge exactly. Window checks
 * are per instance: they run where a window closes, and a merged snapshot carries no check state
 * (the data-quality checks are the exception: their counters are in the snapshot).
 *
 * <p>Thread-safe.
 */
public final class PredictionMonitor {
  private static final Logger LOG = LoggerFactory.getLogger(PredictionMonitor.class);
  private static final int FLUSH_EVERY = 32;
  /**
   * The category code of a categorical value that is of the right type but not one of the
   * baseline's categories: for data quality it is out of domain, where every other code beyond the
   * categories is a type mismatch. For drift both count as unknown ("other"). {@link MonitorInput}
   * passes it for a String, Long or Boolean that is not a category.
   */
  public static final int UNKNOWN_CATEGORY = Integer.MAX_VALUE;
  /** The code {@link MonitorInput} passes for a categorical value of the wrong type. */
  static final int WRONG_TYPE = Integer.MAX_VALUE - 1;

  private final MonitorLayout layout;
  private final double[] edges;
  private final int numeric;
  private final int categorical;
  private final MonitorStripe[] stripes;
  private final int stripeMask;
  /** Each thread's current stripe: starts at a hash of its id, moves when it finds the stripe busy. */
  private final ThreadLocal<int[]> homeStripe;
  private final Windowing windowing;
  private final Clock clock;
  private final Executor executor;
  private final DriftEvaluator evaluator;
  private final List<Consumer<DriftReport>> windowListeners;
  private final List<Consumer<DriftReport>> alertListeners;
  private final List<WindowCheck> checks;
  /** The data-quality rules resolved against the layout; null without rules. */
  private final QualityPlan quality;

  // Count windows: every record takes an arrival number; pane k holds arrivals [k * step, (k + 1) * step).
  private final boolean countWindows;
  private final long paneRecords;
  private final AtomicLong arrivals = new AtomicLong();
  /** Count windows: the arrival number that ends the open pane; later arrivals wait until it is drained. */
  private volatile long paneEnd;
  /** Count windows: records of the open pane already taken out by {@link #closeWindow()}; under drainLock. */
  private long paneCut;
  /** Serializes taking counts out of the stripes (and paneStartMillis, paneEnd, paneCut). Never held while listeners run. */
  private final DrainLock drainLock = new DrainLock();
  /** Count panes drained by the recording thread that completed them, waiting for evaluation in order. */
  private final ConcurrentLinkedQueue<WindowSnapshot> drainedPanes = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean closeRequested = new AtomicBoolean();
  private final Runnable closeTask = this::runRequestedClose;
  private final ReentrantLock closeLock = new ReentrantLock();
  private volatile long paneStartMillis;
  private volatile long paneEndMillis;
  private final ArrayDeque<WindowSnapshot> panes = new ArrayDeque<>();
  private volatile Optional<DriftReport> lastReport = Optional.empty();

  // Delayed labels.
  private final Optional<QualityMetric> metric;
  private final PendingPredictions[] pending;
  private final int pendingMask;
  private final OutcomeState outcomes;

  /** The lock under which counts are taken out of the stripes. */
  private static final class DrainLock extends SpinLocked {}

  /**
   * Quality accumulators and the concept-drift detector, guarded by their own lock. Error sums are
   * kept scaled by {@link WindowSnapshot#SUM_SCALE} so they cannot overflow.
   */
  private static final class OutcomeState extends SpinLocked {
    final ConceptDriftDetector detector;
    long windowOutcomes;
    double windowErrorSum;
    long windowUnmatched;
    long windowConceptDrifts;
    long totalOutcomes;
    double totalErrorSum;
    long totalUnmatched;
    long totalConceptDrifts;

    OutcomeState(ConceptDriftDetector detector) {
      this.detector = detector;
    }
  }

  private PredictionMonitor(Builder b) {
    this.layout = b.layout();
    this.quality = b.quality;
    this.edges = layout.edges;
    this.numeric = layout.numeric;
    this.categorical = layout.categorical;
    int n = b.stripes > 0 ? b.stripes : defaultStripes();
    this.stripes = new MonitorStripe[n];
    for (int i = 0; i < n; i++) {
      stripes[i] = new MonitorStripe(layout, quality);
    }
    this.stripeMask = n - 1;
    this.homeStripe = ThreadLocal.withInitial(
        () -> new int[] {PendingPredictions.hash(Thread.currentThread().getId()) & stripeMask});
    this.windowing = b.windowing;
    this.clock = b.clock;
    this.executor = b.executor;
    DriftThreshold[] numericThresholds = new DriftThreshold[numeric];
    for (int f = 0; f < numeric; f++) {
      numericThresholds[f] = b.thresholds.getOrDefault(layout.numericName(f), b.numericThreshold);
    }
    DriftThreshold[] categoricalThresholds = new DriftThreshold[categorical];
    for (int j = 0; j < categorical; j++) {
      categoricalThresholds[j] = b.thresholds.getOrDefault(layout.categoricalName(j), b.categoricalThreshold);
    }
    this.metric = Optional.ofNullable(b.metric);
    this.evaluator = new DriftEvaluator(layout, numericThresholds, categoricalThresholds, b.minSamples,
        b.missingRateTolerance, b.datasetDriftShare, metric, quality);
    this.windowListeners = List.copyOf(b.windowListeners);
    this.alertListeners = List.copyOf(b.alertListeners);
    this.checks = List.copyOf(b.checks);
    if (b.metric != null) {
      int segments = n;
      int perSegment = Math.max(1, (b.outcomeCapacity + segments - 1) / segments);
      pending = new PendingPredictions[segments];
      for (int i = 0; i < segments; i++) {
        pending[i] = new PendingPredictions(perSegment);
      }
      pendingMask = segments - 1;
      ConceptDriftDetector detector = b.detector != null ? b.detector.get()
          : b.metric == QualityMetric.ACCURACY ? Ddm.builder().build() : Adwin.builder().build();
      outcomes = new OutcomeState(Objects.requireNonNull(detector, "concept drift detector supplier returned null"));
    } else {
      pending = null;
      pendingMask = 0;
      outcomes = null;
    }
    this.countWindows = windowing.byCount();
    this.paneRecords = windowing.step();
    this.paneEnd = countWindows ? paneRecords : Long.MAX_VALUE;
    long now = clock.millis();
    paneStartMillis = windowing.byTime() ? Math.floorDiv(now, windowing.step()) * windowing.step() : now;
    paneEndMillis = windowing.byTime() ? paneStartMillis + windowing.step() : Long.MAX_VALUE;
  }

  private static int defaultStripes() {
    int cpus = Runtime.getRuntime().availableProcessors();
    return Math.min(64, Integer.highestOneBit(Math.max(1, cpus * 2 - 1)) << 1);
  }

  /**
   * Starts building a monitor against a baseline.
   *
   * @param baseline the profile live traffic is compared with
   * @return a builder with the defaults described on each setter
   */
  public static Builder builder(BaselineProfile baseline) {
    return new Builder(baseline);
  }

  // ---------------------------------------------------------------------------------------------
  // Hot path

  /**
   * Records a prediction of a model without categorical features.
   *
   * @param numeric the numeric features, in profile order; NaN = missing
   * @param prediction the model's output (NaN and ±Inf are counted as invalid)
   * @throws IllegalArgumentException naming expected and actual counts if the profile has
   *     categorical features or numeric has the wrong length
   */
  public void record(double[] numeric, double prediction) {
    if (categorical != 0) {
      throw wrongCount("categorical", categorical, 0);
    }
    count(numeric, null, null, 0, prediction);
  }

  /**
   * Records a prediction.
   *
   * @param numeric the numeric features, in profile order; NaN = missing
   * @param categoricalCodes category codes, in profile order; negative = missing, out of range =
   *     unknown (for data quality, {@link #UNKNOWN_CATEGORY} is out of domain and any other code
   *     beyond the categories a type mismatch)
   * @param prediction the model's output
   * @throws IllegalArgumentException naming expected and actual counts if a length is wrong
   */
  public void record(double[] numeric, int[] categoricalCodes, double prediction) {
    if (categoricalCodes.length != categorical) {
      throw wrongCount("categorical", categorical, categoricalCodes.length);
    }
    count(numeric, categoricalCodes, null, 0, prediction);
  }

  /**
   * Records a prediction and buffers it for {@link #recordOutcome(long, double)}.
   *
   * @param predictionId an id the label will carry; a repeated id replaces the earlier prediction
   * @param numeric the numeric features
   * @param prediction the model's output
   * @throws IllegalArgumentException if a length is wrong
   * @throws IllegalStateException if the builder did not configure {@link Builder#outcomes}
   */
  public void record(long predictionId, double[] numeric, double prediction) {
    requireOutcomes();
    record(numeric, prediction);
    buffer(predictionId, prediction);
  }

  /**
   * Records a prediction with categorical features and buffers it for late labels.
   *
   * @param predictionId an id the label will carry; a repeated id replaces the earlier prediction
   * @param numeric the numeric features
   * @param categoricalCodes category codes
   * @param prediction the model's output
   * @throws IllegalArgumentException if a length is wrong
   * @throws IllegalStateException if the builder did not configure {@link Builder#outcomes}
   */
  public void record(long predictionId, double[] numeric, int[] categoricalCodes, double prediction) {
    requireOutcomes();
    record(numeric, categoricalCodes, prediction);
    buffer(predictionId, prediction);
  }

  /**
   * A reusable row buffer for recording by feature name or from an {@link dev.mlops.features.OnlineVector}.
   *
   * @return a new input, to be confined to one thread
   */
  public MonitorInput newInput() {
    return new MonitorInput(this, layout);
  }

  /**
   * Resolves, once, which positions of an {@link dev.mlops.features.OnlineVector} feed which
   * baseline features: a position of feature {@code view:f} feeds the baseline feature named
   * {@code view:f}, or else the one named {@code f}; positions matching no baseline feature are
   * skipped.
   *
   * @param vectorFeatures the features of the vector's positions, usually
   *     {@link dev.mlops.features.OnlineReader#features()}
   * @return the binding, for {@link MonitorInput#set(dev.mlops.features.OnlineVector, VectorBinding)}
   * @throws IllegalArgumentException if no position matches a baseline feature or two match the same
   *     one (the message lists the vector's and the baseline's features)
   */
  public VectorBinding bind(List<dev.mlops.features.FeatureRef> vectorFeatures) {
    return VectorBinding.of(layout, List.copyOf(Objects.requireNonNull(vectorFeatures, "vectorFeatures")));
  }

  /**
   * For {@link MonitorInput}: arrays of the right lengths by construction; {@code shape} per slot
   * 0 = absent, 1 = given, 2 = given with the wrong type; {@code extras} values of unknown features.
   */
  void recordRow(double[] values, int[] codes, byte[] shape, int extras, double prediction) {
    count(values, categorical == 0 ? null : codes, shape, extras, prediction);
  }

  /** For {@link MonitorInput}, with a prediction id. */
  void recordRow(long predictionId, double[] values, int[] codes, byte[] shape, int extras, double prediction) {
    requireOutcomes();
    count(values, categorical == 0 ? null : codes, shape, extras, prediction);
    buffer(predictionId, prediction);
  }

  private void count(double[] values, int[] codes, byte[] shape, int extras, double prediction) {
    if (values.length != numeric) {
      throw wrongCount("numeric", numeric, values.length);
    }
    long arrival = -1;
    if (countWindows) {
      arrival = arrivals.getAndIncrement();
      if (arrival >= paneEnd) {
        awaitPane(arrival);
      }
    }
    MonitorStripe s = acquire();
    int flushed = 0;
    try {
      final QualityPlan qp = quality;
      if (qp == null) {
        countValues(s, values);
      } else {
        countValuesChecked(s, values, qp);
      }
      if (codes != null) {
        if (qp == null) {
          countCodes(s, codes);
        } else {
          countCodesChecked(s, codes, qp);
        }
      }
      if (qp != null && shape != null) {
        countShape(s, shape, extras, qp);
      }
      if (prediction - prediction == 0) {
        s.predictions++;
        s.predictionSum += prediction * WindowSnapshot.SUM_SCALE;
      } else {
        s.predictionsInvalid++;
      }
      s.records++;
      if (arrival < 0 && ++s.sinceFlush >= FLUSH_EVERY) {
        flushed = s.sinceFlush;
        s.sinceFlush = 0;
      }
    } finally {
      s.unlock();
    }
    if (arrival >= 0) {
      // Only the holder of a pane's last arrival number moves paneEnd past it, so this is exact.
      if (arrival + 1 == paneEnd) {
        completePane(arrival + 1);
      }
    } else if (flushed != 0) {
      onFlush(flushed);
    }
  }

  /**
   * Count windows: this record belongs to a later pane than the open one; wait (spinning, then
   * yielding) until the thread that took the open pane's last arrival has drained it. The wait
   * lasts one drain of the stripes, or until records of the open pane still being written land.
   */
  private void awaitPane(long arrival) {
    int spins = 0;
    while (paneEnd <= arrival) {
      if (++spins < 64) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
  }

  /**
   * Count windows: called by the thread that recorded the pane's last arrival. Takes the pane's
   * records out of the stripes (waiting for any still being written), queues the pane for
   * evaluation, opens the next pane and asks the executor to evaluate.
   */
  private void completePane(long end) {
    drainLock.lock();
    try {
      long want = paneRecords - paneCut;
      if (want > 0) {
        long now = clock.millis();
        drainedPanes.add(collect(paneStartMillis, now, true, want));
        paneStartMillis = now;
      }
    } finally {
      // Even if the clock or the drain failed, the next pane opens: records never wait forever.
      paneCut = 0;
      paneEnd = end + paneRecords; // releases the records waiting for the next pane
      drainLock.unlock();
    }
    requestClose();
  }

  private void countValues(MonitorStripe s, double[] values) {
    final double[] e = edges;
    final long[] counts = s.binCounts;
    final double[] sums = s.binSums;
    for (int f = 0, base = 0; f < values.length; f++, base += MonitorLayout.SLOTS) {
      double v = values[f];
      if (v - v != 0) { // NaN or infinite
        if (v != v) {
          s.missing[f]++;
        } else {
          s.infinite[f]++;
        }
        continue;
      }
      int i = e[base + 7] <= v ? 8 : 0;
      i += e[base + i + 3] <= v ? 4 : 0;
      i += e[base + i + 1] <= v ? 2 : 0;
      i += e[base + i] <= v ? 1 : 0;
      counts[base + i]++;
      sums[base + i] += v * WindowSnapshot.SUM_SCALE;
    }
  }

  /**
   * {@link #countValues} plus the range check, without a comparison or a store per feature: a
   * finite value is in {@code [min, max]} exactly when neither {@code v - min} nor {@code max - v}
   * is negative (the difference of two distinct doubles is never zero, so never {@code -0.0}; an
   * infinite bound gives +Inf), so the loop ors the two differences' sign bits into a register and
   * a row with a set sign bit takes a second pass that increments the features' out-of-range
   * counters (quality slots {@code 0..numeric-1}).
   */
  private void countValuesChecked(MonitorStripe s, double[] values, QualityPlan qp) {
    final double[] e = edges;
    final long[] counts = s.binCounts;
    final double[] sums = s.binSums;
    final double[] bounds = qp.bounds;
    long out = 0;
    for (int f = 0, base = 0; f < values.length; f++, base += MonitorLayout.SLOTS) {
      double v = values[f];
      if (v - v != 0) { // NaN or infinite
        if (v != v) {
          s.missing[f]++;
        } else {
          s.infinite[f]++;
        }
        continue;
      }
      int i = e[base + 7] <= v ? 8 : 0;
      i += e[base + i + 3] <= v ? 4 : 0;
      i += e[base + i + 1] <= v ? 2 : 0;
      i += e[base + i] <= v ? 1 : 0;
      counts[base + i]++;
      sums[base + i] += v * WindowSnapshot.SUM_SCALE;
      out |= Double.doubleToRawLongBits(v - bounds[2 * f]) | Double.doubleToRawLongBits(bounds[2 * f + 1] - v);
    }
    if (out < 0) {
      countOutOfRange(s.quality, values, bounds);
    }
  }

  /** The second pass of {@link #countValuesChecked} for a row with a value out of range. */
  private static void countOutOfRange(long[] q, double[] values, double[] bounds) {
    for (int f = 0; f < values.length; f++) {
      double v = values[f];
      if (v < bounds[2 * f] || v > bounds[2 * f + 1]) { // false for NaN; ±Inf are counted at evaluation
        if (v - v == 0) {
          q[f]++;
        }
      }
    }
  }

  /**
   * {@link #countCodes} plus the domain and type checks; as for ranges, known categories outside
   * the domain are only noted in the loop and counted in a second pass.
   */
  private void countCodesChecked(MonitorStripe s, int[] codes, QualityPlan qp) {
    final MonitorLayout l = layout;
    final long[] cats = s.categorical;
    final long[] q = s.quality;
    final int[] disallowed = qp.disallowed;
    final int n = numeric;
    int out = 0;
    for (int j = 0; j < codes.length; j++) {
      int code = codes[j];
      int off = l.categoricalOffset[j];
      if (code >= 0 && code < l.cardinality[j]) {
        int c = l.codeOffset[j] + code;
        cats[off + l.bucketOfCode[c]]++;
        out |= disallowed[c];
      } else if (code < 0) {
        cats[off + l.buckets[j]]++;
      } else {
        cats[off + l.buckets[j] - 1]++;
        cats[off + l.buckets[j] + 1]++;
        q[code == UNKNOWN_CATEGORY ? n + j : qp.typeBase + n + j]++;
      }
    }
    if (out != 0) {
      for (int j = 0; j < codes.length; j++) {
        int code = codes[j];
        if (code >= 0 && code < l.cardinality[j]) {
          q[n + j] += disallowed[l.codeOffset[j] + code];
        }
      }
    }
  }

  /** Features absent from a {@link MonitorInput} row, numeric type mismatches there, and extra features. */
  private static void countShape(MonitorStripe s, byte[] shape, int extras, QualityPlan qp) {
    final long[] q = s.quality;
    final int absent = qp.absentBase;
    final int type = qp.typeBase;
    for (int slot = 0; slot < shape.length; slot++) {
      int k = shape[slot];
      q[absent + slot] += k == 0 ? 1 : 0;
      q[type + slot] += k >> 1;
    }
    if (extras != 0) {
      q[qp.extra] += extras;
      q[qp.extra + 1]++;
    }
  }

  private void countCodes(MonitorStripe s, int[] codes) {
    final MonitorLayout l = layout;
    final long[] cats = s.categorical;
    for (int j = 0; j < codes.length; j++) {
      int code = codes[j];
      int off = l.categoricalOffset[j];
      if (code >= 0 && code < l.cardinality[j]) {
        cats[off + l.bucketOfCode[l.codeOffset[j] + code]]++;
      } else if (code < 0) {
        cats[off + l.buckets[j]]++;
      } else {
        cats[off + l.buckets[j] - 1]++;
        cats[off + l.buckets[j] + 1]++;
      }
    }
  }

  private MonitorStripe acquire() {
    int[] home = homeStripe.get();
    MonitorStripe s = stripes[home[0]];
    if (s.tryLock()) {
      return s;
    }
    // Busy: another thread shares this stripe. Take the next free one and stay there, so threads
    // that keep colliding spread over the stripes instead of sharing cache lines.
    int i = home[0];
    int spins = 0;
    while (true) {
      i = (i + 1) & stripeMask;
      s = stripes[i];
      if (s.tryLock()) {
        home[0] = i;
        return s;
      }
      if (++spins > stripes.length) {
        Thread.onSpinWait();
      }
    }
  }

  private void buffer(long id, double prediction) {
    PendingPredictions p = pending[PendingPredictions.hash(id) & pendingMask];
    p.lock();
    try {
      p.put(id, prediction);
    } finally {
      p.unlock();
    }
  }

  private void onFlush(int records) {
    if (windowing.byTime() && clock.millis() >= paneEndMillis) {
      requestClose();
    }
  }

  private void requestClose() {
    if (closeRequested.compareAndSet(false, true)) {
      try {
        executor.execute(closeTask);
      } catch (RuntimeException e) {
        closeRequested.set(false); // rejected: the next flush asks again
      }
    }
  }

  private void runRequestedClose() {
    // Cleared first: a pane queued while this runs either is evaluated here or asks again.
    closeRequested.set(false);
    closeWindowIfDue();
  }

  private static IllegalArgumentException wrongCount(String kind, int expected, int actual) {
    return new IllegalArgumentException("expected " + expected + " " + kind + " features, got " + actual);
  }

  private void requireOutcomes() {
    if (pending == null) {
      throw new IllegalStateException("this monitor does not join late labels; configure Builder.outcomes(...)");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Late labels

  /**
   * Joins a late label to its buffered prediction, updates the quality metric and feeds the error
   * to the concept-drift detector. Allocates nothing.
   *
   * @param predictionId the id given to {@code record}
   * @param label the ground truth (NaN is counted as unmatched)
   * @return whether a buffered prediction was found (false: unknown id, evicted, already labelled)
   * @throws IllegalStateException if the builder did not configure {@link Builder#outcomes}
   */
  public boolean recordOutcome(long predictionId, double label) {
    requireOutcomes();
    double prediction = Double.NaN;
    boolean found = false;
    if (label == label) {
      PendingPredictions p = pending[PendingPredictions.hash(predictionId) & pendingMask];
      p.lock();
      try {
        int r = p.take(predictionId);
        if (r >= 0) {
          found = true;
          prediction = p.predictionAt(r);
        }
      } finally {
        p.unlock();
      }
    }
    OutcomeState o = outcomes;
    o.lock();
    try {
      if (!found) {
        o.windowUnmatched++;
        o.totalUnmatched++;
      } else {
        double error = metric.orElseThrow().error(prediction, label);
        double scaled = error * WindowSnapshot.SUM_SCALE;
        o.windowOutcomes++;
        o.windowErrorSum += scaled;
        o.totalOutcomes++;
        o.totalErrorSum += scaled;
        if (o.detector.update(error) == DriftState.DRIFT) {
          o.windowConceptDrifts++;
          o.totalConceptDrifts++;
        }
      }
    } finally {
      o.unlock();
    }
    return found;
  }

  /**
   * @return quality since the monitor was built (outcomes, metric, evictions, concept drifts)
   * @throws IllegalStateException if the builder did not configure {@link Builder#outcomes}
   */
  public QualitySummary quality() {
    requireOutcomes();
    long evicted = 0;
    for (PendingPredictions p : pending) {
      p.lock();
      try {
        evicted += p.evictedTotal;
      } finally {
        p.unlock();
      }
    }
    OutcomeState o = outcomes;
    o.lock();
    try {
      QualityMetric m = metric.orElseThrow();
      return new QualitySummary(m, o.totalOutcomes, o.totalOutcomes == 0 ? java.util.OptionalDouble.empty()
          : java.util.OptionalDouble.of(m.summarize(o.totalErrorSum / o.totalOutcomes * WindowSnapshot.SUM_UNSCALE)),
          evicted, o.totalUnmatched, o.totalConceptDrifts, o.detector.state());
    } finally {
      o.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Windows

  /**
   * Closes the open window now (whatever the windowing), evaluates it and notifies listeners on the
   * calling thread. Count windows that completed before the call are evaluated and reported first.
   * Count windows stay aligned to arrival numbers: cutting the window of records
   * {@code [k·n, (k+1)·n)} early reports the records so far, and the rest of that range then
   * closes as a shorter window at record {@code (k+1)·n}.
   *
   * @return the report
   */
  public DriftReport closeWindow() {
    closeLock.lock();
    try {
      long now = clock.millis();
      return closePane(now, now);
    } finally {
      closeLock.unlock();
    }
  }

  /**
   * Closes the open window if it is due (its time is up), or evaluates count windows that are
   * complete but not yet reported (they are normally reported by the executor) — for time windows
   * when traffic may stop, call this from a scheduler. Listeners run on the calling thread. On
   * return, every count window completed by a {@code record} call that returned before this call
   * has been reported (here or by the executor) and is in {@link #lastReport()} or earlier.
   *
   * @return the latest report, if a window closed here
   */
  public Optional<DriftReport> closeWindowIfDue() {
    closeLock.lock();
    try {
      if (countWindows) {
        return evaluateDrainedPanes();
      }
      if (windowing.byTime()) {
        long now = clock.millis();
        if (now >= paneEndMillis) {
          long end = paneEndMillis;
          DriftReport report = closePane(end, end);
          long step = windowing.step();
          long aligned = Math.floorDiv(now, step) * step;
          // Panes that passed without any traffic count as empty panes of a sliding window.
          long skipped = (aligned - end) / step;
          for (long i = Math.max(0, skipped - windowing.panes()); i < skipped; i++) {
            pushPane(WindowSnapshot.empty(layout, quality, end + i * step, end + (i + 1) * step));
          }
          paneStartMillis = aligned;
          paneEndMillis = aligned + step;
          return Optional.of(report);
        }
      }
      return Optional.empty();
    } finally {
      closeLock.unlock();
    }
  }

  /** @return the report of the latest closed window, if any */
  public Optional<DriftReport> lastReport() {
    return lastReport;
  }

  /**
   * @return the counts of the open window so far (nothing is reset)
   */
  public WindowSnapshot snapshot() {
    closeLock.lock();
    try {
      return collect(paneStartMillis, clock.millis(), false, 0);
    } finally {
      closeLock.unlock();
    }
  }

  /**
   * Evaluates a snapshot against this monitor's baseline and thresholds — typically the merge of
   * the same window's snapshots from every instance of a fleet.
   *
   * @param snapshot counts taken by a monitor on the same baseline profile
   * @return the report
   * @throws IllegalArgumentException if the snapshot was taken against another baseline
   */
  public DriftReport evaluate(WindowSnapshot snapshot) {
    return evaluator.evaluate(Objects.requireNonNull(snapshot, "snapshot"));
  }

  /** Evaluates the count panes drained so far, in order. Caller holds closeLock. */
  private Optional<DriftReport> evaluateDrainedPanes() {
    DriftReport last = null;
    for (WindowSnapshot pane; (pane = drainedPanes.poll()) != null; ) {
      last = evaluatePane(pane);
    }
    return Optional.ofNullable(last);
  }

  /** Takes the open pane out of the stripes and evaluates it. Caller holds closeLock. */
  private DriftReport closePane(long endMillis, long nextStartMillis) {
    WindowSnapshot pane;
    List<WindowSnapshot> earlier = new ArrayList<>();
    drainLock.lock();
    try {
      // Count panes completed before this cut are reported before it.
      for (WindowSnapshot p; (p = drainedPanes.poll()) != null; ) {
        earlier.add(p);
      }
      pane = collect(paneStartMillis, endMillis, true, 0);
      if (countWindows) {
        paneCut += pane.records;
      }
      paneStartMillis = nextStartMillis;
    } finally {
      drainLock.unlock();
    }
    for (WindowSnapshot p : earlier) {
      evaluatePane(p);
    }
    return evaluatePane(pane);
  }

  /** Adds a closed pane to the window, evaluates it and notifies. Caller holds closeLock. */
  private DriftReport evaluatePane(WindowSnapshot pane) {
    pushPane(pane);
    WindowSnapshot window = null;
    for (WindowSnapshot p : panes) {
      window = window == null ? p : window.merge(p);
    }
    DriftReport report = evaluator.evaluate(window);
    if (!checks.isEmpty()) {
      List<CheckResult> all = new ArrayList<>(report.checks()); // the data-quality checks come first
      all.addAll(runChecks(report.start(), report.end()));
      report = report.withChecks(all);
    }
    lastReport = Optional.of(report);
    for (Consumer<DriftReport> l : windowListeners) {
      notify(l, report);
    }
    if (report.alarm()) {
      for (Consumer<DriftReport> l : alertListeners) {
        notify(l, report);
      }
    }
    return report;
  }

  /** Runs every window check on the closing thread; a failing check is NOT_EVALUATED, never fatal. */
  private List<CheckResult> runChecks(Instant start, Instant end) {
    List<CheckResult> results = new ArrayList<>(checks.size());
    for (WindowCheck c : checks) {
      CheckResult r;
      try {
        r = c.evaluate(start, end);
        if (r == null) {
          r = CheckResult.notEvaluated(c.name(), "the check returned no result");
          LOG.warn("window check '{}' returned null for window {} .. {}", c.name(), start, end);
        } else if (!r.name().equals(c.name())) {
          r = new CheckResult(c.name(), r.verdict(), r.values(), r.detail());
        }
      } catch (RuntimeException e) {
        LOG.warn("window check '{}' failed on window {} .. {}; reported as NOT_EVALUATED", c.name(), start, end, e);
        String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getName()
            : e.getClass().getSimpleName() + ": " + e.getMessage();
        r = CheckResult.notEvaluated(c.name(), "the check threw " + message);
      }
      results.add(r);
    }
    return results;
  }

  private void pushPane(WindowSnapshot pane) {
    panes.addLast(pane);
    while (panes.size() > windowing.panes()) {
      panes.removeFirst();
    }
  }

  private static void notify(Consumer<DriftReport> listener, DriftReport report) {
    try {
      listener.accept(report);
    } catch (RuntimeException e) {
      // A failing listener must not stop the others or the monitor; surface it like an uncaught one.
      Thread t = Thread.currentThread();
      t.getUncaughtExceptionHandler().uncaughtException(t, e);
    }
  }

  /**
   * Sums (and with {@code reset}, takes out) the stripes' counts. With {@code wantRecords > 0}
   * (only with reset), sweeps again until that many records were taken: records that took their
   * arrival number in the pane may still be being written.
   */
  private WindowSnapshot collect(long startMillis, long endMillis, boolean reset, long wantRecords) {
    long[] counts = new long[numeric * MonitorLayout.SLOTS];
    double[] sums = new double[counts.length];
    long[] missing = new long[numeric];
    long[] infinite = new long[numeric];
    long[] cats = new long[layout.categoricalSlots];
    long[] q = new long[quality == null ? 0 : quality.slots];
    double[] scalars = new double[5];
    long records = 0;
    long predictions = 0;
    long invalid = 0;
    for (int sweeps = 1; ; sweeps++) {
      for (MonitorStripe s : stripes) {
        s.lock();
        try {
          records += s.records;
          predictions += s.predictions;
          invalid += s.predictionsInvalid;
          s.drainInto(counts, sums, missing, infinite, cats, q, scalars, reset);
        } finally {
          s.unlock();
        }
      }
      if (records >= wantRecords || !reset) {
        break;
      }
      if (sweeps < 64) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
    long outcomesCount = 0;
    double errorSum = 0;
    long unmatched = 0;
    long drifts = 0;
    long evicted = 0;
    DriftState state = DriftState.STABLE;
    if (outcomes != null) {
      for (PendingPredictions p : pending) {
        p.lock();
        try {
          evicted += p.evicted;
          if (reset) {
            p.evicted = 0;
          }
        } finally {
          p.unlock();
        }
      }
      OutcomeState o = outcomes;
      o.lock();
      try {
        outcomesCount = o.windowOutcomes;
        errorSum = o.windowErrorSum;
        unmatched = o.windowUnmatched;
        drifts = o.windowConceptDrifts;
        state = drifts > 0 ? DriftState.DRIFT : o.detector.state();
        if (reset) {
          o.windowOutcomes = 0;
          o.windowErrorSum = 0;
          o.windowUnmatched = 0;
          o.windowConceptDrifts = 0;
        }
      } finally {
        o.unlock();
      }
    }
    return new WindowSnapshot(layout.fingerprint, startMillis, endMillis, records, counts, sums, missing, infinite,
        cats, predictions, invalid, scalars[3], outcomesCount, errorSum, evicted, unmatched, drifts, state,
        quality == null ? 0 : quality.fingerprint, q);
  }

  /** @return the baseline this monitor compares against */
  public BaselineProfile baseline() {
    return layout.profile;
  }

  @Override
  public String toString() {
    return "PredictionMonitor[" + layout.numeric + " numeric, " + layout.categorical + " categorical features, "
        + windowing + ", " + stripes.length + " stripes" + metric.map(m -> ", outcomes by " + m).orElse("") + "]";
  }

  /**
   * Configures a {@link PredictionMonitor}. Every setter validates its argument immediately.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private final BaselineProfile profile;
    private Windowing windowing = Windowing.tumbling(10_000);
    private Clock clock = Clock.systemUTC();
    private Executor executor = ForkJoinPool.commonPool();
    private DriftThreshold numericThreshold = DriftThreshold.defaultFor(DriftTest.POPULATION_STABILITY_INDEX);
    private DriftThreshold categoricalThreshold = DriftThreshold.defaultFor(DriftTest.CHI_SQUARE);
    private final Map<String, DriftThreshold> thresholds = new HashMap<>();
    private long minSamples = 1_000;
    private double missingRateTolerance = 0.1;
    private double datasetDriftShare = 0.5;
    private final List<Consumer<DriftReport>> windowListeners = new ArrayList<>();
    private final List<Consumer<DriftReport>> alertListeners = new ArrayList<>();
    private final List<WindowCheck> checks = new ArrayList<>();
    private QualityMetric metric;
    private int outcomeCapacity;
    private Supplier<ConceptDriftDetector> detector;
    private int stripes;
    private MonitorLayout layout;
    private QualityPlan quality;

    private Builder(BaselineProfile profile) {
      this.profile = Objects.requireNonNull(profile, "baseline");
    }

    private MonitorLayout layout() {
      if (layout == null) {
        layout = new MonitorLayout(profile);
      }
      return layout;
    }

    /**
     * Counts data quality per window under these rules (see {@link PredictionMonitor} and
     * {@link DataQualityRules}); the violations are the report's {@code data-quality-*} checks.
     * Without rules (the default) nothing is counted or checked.
     *
     * @param rules the rules, e.g. {@link DataQualityRules#fromBaseline(BaselineProfile, double)}
     *     of this baseline
     * @return this
     * @throws IllegalArgumentException naming the feature if a rule names a feature the baseline
     *     lacks, a range names a categorical feature or a domain a numeric one, or a domain allows a
     *     category that is not one of the baseline's
     */
    public Builder dataQuality(DataQualityRules rules) {
      this.quality = new QualityPlan(layout(), Objects.requireNonNull(rules, "rules"));
      return this;
    }

    /**
     * @param windowing how windows are cut (default: tumbling windows of 10,000 records)
     * @return this
     * @throws NullPointerException if windowing is null
     */
    public Builder windowing(Windowing windowing) {
      this.windowing = Objects.requireNonNull(windowing, "windowing");
      return this;
    }

    /**
     * @param clock time source for window boundaries and report times (default: system UTC)
     * @return this
     * @throws NullPointerException if clock is null
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * @param executor runs window closing, evaluation and listeners when a window closes by
     *     itself (default: {@link ForkJoinPool#commonPool()}); {@code Runnable::run} closes on the
     *     recording thread that noticed the window was due
     * @return this
     * @throws NullPointerException if executor is null
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * @param threshold test and threshold for every numeric feature without its own (default: PSI >= 0.1)
     * @return this
     * @throws NullPointerException if threshold is null
     */
    public Builder numericThreshold(DriftThreshold threshold) {
      this.numericThreshold = Objects.requireNonNull(threshold, "threshold");
      return this;
    }

    /**
     * @param threshold test and threshold for every categorical feature without its own (default:
     *     chi-square {@code p < 0.05} with Cohen's {@code w >= 0.1})
     * @return this
     * @throws IllegalArgumentException if the test does not apply to categorical features
     */
    public Builder categoricalThreshold(DriftThreshold threshold) {
      Objects.requireNonNull(threshold, "threshold");
      if (!threshold.test().appliesToCategorical()) {
        throw new IllegalArgumentException(threshold.test() + " does not apply to categorical features");
      }
      this.categoricalThreshold = threshold;
      return this;
    }

    /**
     * @param feature a feature of the baseline
     * @param threshold its own test and threshold
     * @return this
     * @throws IllegalArgumentException if the baseline has no such feature, or the test does not
     *     apply to a categorical one
     */
    public Builder threshold(String feature, DriftThreshold threshold) {
      Objects.requireNonNull(feature, "feature");
      Objects.requireNonNull(threshold, "threshold");
      boolean isNumeric = profile.findNumeric(feature).isPresent();
      boolean isCategorical = profile.findCategorical(feature).isPresent();
      if (!isNumeric && !isCategorical) {
        throw new IllegalArgumentException("the baseline has no feature '" + feature + "'; it has "
            + profile.numericNames() + " and " + profile.categoricalFeatures().stream().map(CategoricalFeatureProfile::name).toList());
      }
      if (isCategorical && !threshold.test().appliesToCategorical()) {
        throw new IllegalArgumentException(threshold.test() + " does not apply to categorical feature '" + feature + "'");
      }
      thresholds.put(feature, threshold);
      return this;
    }

    /**
     * @param samples fewest values a feature needs in a window to be tested, at least 1 (default
     *     1000). Distances are biased upwards on small windows — PSI by about (bins - 1) / n, so
     *     0.15 for 16 bins and 100 values — and 1000 keeps unshifted windows well under the
     *     default thresholds
     * @return this
     * @throws IllegalArgumentException if {@code samples < 1}
     */
    public Builder minSamples(long samples) {
      if (samples < 1) {
        throw new IllegalArgumentException("min samples must be >= 1, got " + samples);
      }
      this.minSamples = samples;
      return this;
    }

    /**
     * @param tolerance a feature drifts if its missing rate exceeds the baseline's by more than
     *     this, in [0, 1] (default 0.1)
     * @return this
     * @throws IllegalArgumentException if outside [0, 1]
     */
    public Builder missingRateTolerance(double tolerance) {
      if (!(tolerance >= 0 && tolerance <= 1)) {
        throw new IllegalArgumentException("missing rate tolerance must be in [0, 1], got " + tolerance);
      }
      this.missingRateTolerance = tolerance;
      return this;
    }

    /**
     * @param share the dataset drifts when at least this share of evaluated features drifted, in
     *     (0, 1] (default 0.5)
     * @return this
     * @throws IllegalArgumentException if outside (0, 1]
     */
    public Builder datasetDriftShare(double share) {
      if (!(share > 0 && share <= 1)) {
        throw new IllegalArgumentException("dataset drift share must be in (0, 1], got " + share);
      }
      this.datasetDriftShare = share;
      return this;
    }

    /**
     * @param listener called with every closed window's report, off the hot path
     * @return this
     * @throws NullPointerException if listener is null
     */
    public Builder onWindow(Consumer<DriftReport> listener) {
      windowListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * @param listener called with a closed window's report when it {@link DriftReport#alarm() alarms}:
     *     dataset drift, concept drift on late labels, or a {@link #check(WindowCheck) window check}
     *     with verdict {@link CheckVerdict#DRIFT}
     * @return this
     * @throws NullPointerException if listener is null
     */
    public Builder onAlert(Consumer<DriftReport> listener) {
      alertListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Adds a check run once per closed window (see {@link WindowCheck} for when and on which
     * thread); its result appears in {@link DriftReport#checks()} in the order checks were added,
     * and a {@link CheckVerdict#DRIFT} verdict makes the report alarm. Repeatable.
     *
     * @param check the check
     * @return this
     * @throws IllegalArgumentException if its name is invalid, starts with {@code data-quality-}
     *     (reserved for the data-quality checks) or another check has the same name
     */
    public Builder check(WindowCheck check) {
      Objects.requireNonNull(check, "check");
      String name = dev.mlops.Names.requireValid("check name", check.name());
      if (name.startsWith(QualityPlan.PREFIX)) {
        throw new IllegalArgumentException("check name '" + name + "' starts with '" + QualityPlan.PREFIX
            + "', which is reserved for the monitor's data-quality checks");
      }
      if (checks.stream().anyMatch(c -> c.name().equals(name))) {
        throw new IllegalArgumentException("a check named '" + name + "' was already added; check names must be unique");
      }
      checks.add(check);
      return this;
    }

    /**
     * Joins late labels: predictions recorded with an id wait in a buffer of {@code capacity}
     * (the latest ones are kept; older unlabelled ones are evicted and counted).
     *
     * @param metric how a label is compared with its prediction
     * @param capacity predictions the buffer keeps, 1 to 2^26
     * @return this
     * @throws IllegalArgumentException if capacity is out of range
     */
    public Builder outcomes(QualityMetric metric, int capacity) {
      Objects.requireNonNull(metric, "metric");
      if (capacity < 1 || capacity > (1 << 26)) {
        throw new IllegalArgumentException("outcome buffer capacity must be in [1, 2^26], got " + capacity);
      }
      this.metric = metric;
      this.outcomeCapacity = capacity;
      return this;
    }

    /**
     * @param detector makes the concept-drift detector fed the error stream (default: {@link Ddm}
     *     for accuracy, {@link Adwin} for mean absolute error, with published parameters)
     * @return this
     * @throws NullPointerException if detector is null
     */
    public Builder conceptDriftDetector(Supplier<ConceptDriftDetector> detector) {
      this.detector = Objects.requireNonNull(detector, "detector");
      return this;
    }

    /**
     * @param stripes independent counter sets recording threads spread over, a power of two from
     *     1 to 256 (default: twice the processors, rounded up to a power of two, at most 64)
     * @return this
     * @throws IllegalArgumentException if not a power of two in range
     */
    public Builder stripes(int stripes) {
      if (stripes < 1 || stripes > 256 || Integer.bitCount(stripes) != 1) {
        throw new IllegalArgumentException("stripes must be a power of two in [1, 256], got " + stripes);
      }
      this.stripes = stripes;
      return this;
    }

    /**
     * @return the monitor
     * @throws IllegalStateException if a concept-drift detector was set without outcomes
     */
    public PredictionMonitor build() {
      if (detector != null && metric == null) {
        throw new IllegalStateException("a concept-drift detector needs outcomes(...) to feed it");
      }
      return new PredictionMonitor(this);
    }
  }
}
