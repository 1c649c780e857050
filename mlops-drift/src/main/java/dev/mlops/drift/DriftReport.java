package dev.mlops.drift;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The verdict on one closed monitoring window: each feature's test result and verdict, the share
 * of features that drifted and the dataset verdict it implies, prediction statistics, (when
 * late labels are joined) model quality, and the results of the monitor's {@link WindowCheck}s
 * (bias drift, attribution drift, ...). {@link #snapshot()} holds the counts it was computed from,
 * to store and merge with other instances'; it carries no check state, so a report evaluated from
 * a merged snapshot has only the data-quality checks. With {@link DataQualityRules} on the monitor,
 * {@link #dataQuality()} holds the window's data-quality counts and the {@code data-quality-*}
 * checks (first in {@link #checks()}) its violations. {@link #alarm()} is the one alert rule.
 *
 * <p>Immutable and thread-safe.
 *
 * @param start when the window opened
 * @param end when it closed
 * @param records predictions counted
 * @param features per-feature results: numeric features first, then categorical, in profile order
 * @param evaluatedFeatures features with enough data to judge
 * @param driftedFeatures features whose verdict is {@link DriftVerdict#DRIFT}
 * @param driftedShare driftedFeatures / evaluatedFeatures (0 when none was evaluated)
 * @param datasetDrift whether driftedShare reached the monitor's dataset threshold
 * @param predictionMean mean of the finite predictions, if any
 * @param invalidPredictions NaN or infinite predictions
 * @param quality model quality from late labels, if the monitor joins outcomes
 * @param snapshot the window's counts
 * @param checks the data-quality check results ({@code data-quality-range}, {@code -domain},
 *     {@code -type}, {@code -completeness}, {@code -features}, those the rules call for), then the
 *     {@link WindowCheck} results in the order the checks were registered (none for a report
 *     evaluated from a snapshot)
 * @param dataQuality the window's data-quality counts, if the monitor has {@link DataQualityRules}
 */
public record DriftReport(Instant start, Instant end, long records, List<FeatureDrift> features, int evaluatedFeatures,
    int driftedFeatures, double driftedShare, boolean datasetDrift, OptionalDouble predictionMean,
    long invalidPredictions, Optional<QualitySummary> quality, WindowSnapshot snapshot, List<CheckResult> checks,
    Optional<DataQualitySummary> dataQuality) {

  /** @throws IllegalArgumentException if counts are inconsistent or two checks share a name */
  public DriftReport {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    features = List.copyOf(features);
    Objects.requireNonNull(predictionMean, "predictionMean");
    Objects.requireNonNull(quality, "quality");
    Objects.requireNonNull(snapshot, "snapshot");
    checks = List.copyOf(checks);
    Objects.requireNonNull(dataQuality, "dataQuality");
    if (checks.stream().map(CheckResult::name).distinct().count() != checks.size()) {
      throw new IllegalArgumentException("check names must be unique, got "
          + checks.stream().map(CheckResult::name).toList());
    }
    if (records < 0 || evaluatedFeatures < 0 || driftedFeatures < 0 || driftedFeatures > evaluatedFeatures
        || evaluatedFeatures > features.size()) {
      throw new IllegalArgumentException("inconsistent counts: records " + records + ", evaluated "
          + evaluatedFeatures + ", drifted " + driftedFeatures + " of " + features.size() + " features");
    }
  }

  /**
   * A report without check results (the form before window checks existed).
   *
   * @param start when the window opened
   * @param end when it closed
   * @param records predictions counted
   * @param features per-feature results
   * @param evaluatedFeatures features with enough data to judge
   * @param driftedFeatures features that drifted
   * @param driftedShare driftedFeatures / evaluatedFeatures
   * @param datasetDrift whether driftedShare reached the dataset threshold
   * @param predictionMean mean of the finite predictions, if any
   * @param invalidPredictions NaN or infinite predictions
   * @param quality model quality from late labels, if any
   * @param snapshot the window's counts
   * @throws IllegalArgumentException if counts are inconsistent
   */
  public DriftReport(Instant start, Instant end, long records, List<FeatureDrift> features, int evaluatedFeatures,
      int driftedFeatures, double driftedShare, boolean datasetDrift, OptionalDouble predictionMean,
      long invalidPredictions, Optional<QualitySummary> quality, WindowSnapshot snapshot) {
    this(start, end, records, features, evaluatedFeatures, driftedFeatures, driftedShare, datasetDrift, predictionMean,
        invalidPredictions, quality, snapshot, List.of(), Optional.empty());
  }

  /**
   * A report without data-quality counts (the form before data-quality rules existed).
   *
   * @param start when the window opened
   * @param end when it closed
   * @param records predictions counted
   * @param features per-feature results
   * @param evaluatedFeatures features with enough data to judge
   * @param driftedFeatures features that drifted
   * @param driftedShare driftedFeatures / evaluatedFeatures
   * @param datasetDrift whether driftedShare reached the dataset threshold
   * @param predictionMean mean of the finite predictions, if any
   * @param invalidPredictions NaN or infinite predictions
   * @param quality model quality from late labels, if any
   * @param snapshot the window's counts
   * @param checks the window-check results
   * @throws IllegalArgumentException if counts are inconsistent or two checks share a name
   */
  public DriftReport(Instant start, Instant end, long records, List<FeatureDrift> features, int evaluatedFeatures,
      int driftedFeatures, double driftedShare, boolean datasetDrift, OptionalDouble predictionMean,
      long invalidPredictions, Optional<QualitySummary> quality, WindowSnapshot snapshot, List<CheckResult> checks) {
    this(start, end, records, features, evaluatedFeatures, driftedFeatures, driftedShare, datasetDrift, predictionMean,
        invalidPredictions, quality, snapshot, checks, Optional.empty());
  }

  /** This report with those check results instead of its own (the monitor adds them after evaluating counts). */
  DriftReport withChecks(List<CheckResult> checks) {
    return new DriftReport(start, end, records, features, evaluatedFeatures, driftedFeatures, driftedShare, datasetDrift,
        predictionMean, invalidPredictions, quality, snapshot, checks, dataQuality);
  }

  /**
   * @param name a check's name
   * @return that check's result, or empty
   */
  public Optional<CheckResult> check(String name) {
    return checks.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /**
   * @param name feature name
   * @return that feature's line, or empty
   */
  public Optional<FeatureDrift> feature(String name) {
    return features.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  /**
   * Whether the window deserves an alert — the rule by which {@link PredictionMonitor.Builder#onAlert}
   * listeners are called. True exactly when at least one of:
   * <ul>
   *   <li>{@link #datasetDrift()}: the share of drifted features reached the dataset threshold;
   *   <li>concept drift: the detector on late labels signalled drift in this window
   *       ({@link QualitySummary#conceptDrifts()} &gt; 0);
   *   <li>a {@link WindowCheck}'s verdict is {@link CheckVerdict#DRIFT}, a data-quality violation included.
   * </ul>
   * A single drifted feature below the dataset threshold, and a check that was
   * {@link CheckVerdict#NOT_EVALUATED}, do not alarm.
   *
   * @return whether the window alarms
   */
  public boolean alarm() {
    return datasetDrift || quality.map(q -> q.conceptDrifts() > 0).orElse(false) || checkDrift();
  }

  /** @return whether any window check's verdict is {@link CheckVerdict#DRIFT} */
  public boolean checkDrift() {
    return checks.stream().anyMatch(c -> c.verdict() == CheckVerdict.DRIFT);
  }

  /** @return a human-readable table of the report */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "window %s .. %s, %d records: %s (%d of %d features drifted, %.0f%%)%s%n",
        start, end, records, datasetDrift ? "DATASET DRIFT" : "no dataset drift", driftedFeatures, evaluatedFeatures,
        100 * driftedShare, alarm() ? ", ALARM" : ""));
    sb.append(String.format(Locale.ROOT, "  %-20s %-27s %10s %10s %8s %-17s %8s %8s%n",
        "feature", "test", "statistic", "p-value", "effect", "verdict", "values", "missing"));
    for (FeatureDrift f : features) {
      String stat = f.result().map(r -> String.format(Locale.ROOT, "%.4f", r.statistic())).orElse("-");
      String p = f.result().flatMap(r -> r.pValue().isPresent()
          ? Optional.of(String.format(Locale.ROOT, "%.3g", r.pValue().getAsDouble())) : Optional.empty()).orElse("-");
      String effect = f.result().map(r -> String.format(Locale.ROOT, "%.4f", r.effectSize())).orElse("-");
      sb.append(String.format(Locale.ROOT, "  %-20s %-27s %10s %10s %8s %-17s %8d %7.1f%%%s%n", f.name(),
          f.threshold().test(), stat, p, effect, f.verdict(), f.count(), 100 * f.missingRate(),
          f.missingRateDrift() ? " (rose)" : ""));
    }
    sb.append(String.format(Locale.ROOT, "  predictions: mean %s, %d invalid%n",
        predictionMean.isPresent() ? String.format(Locale.ROOT, "%.4f", predictionMean.getAsDouble()) : "-",
        invalidPredictions));
    quality.ifPresent(q -> sb.append(String.format(Locale.ROOT,
        "  quality: %s %s over %d labelled predictions; %d evicted unlabelled, %d labels unmatched; "
            + "%d concept drifts, detector %s%n",
        q.metric(), q.value().isPresent() ? String.format(Locale.ROOT, "%.4f", q.value().getAsDouble()) : "-",
        q.outcomes(), q.evicted(), q.unmatched(), q.conceptDrifts(), q.detectorState())));
    dataQuality.ifPresent(dq -> {
      sb.append(String.format(Locale.ROOT, "  data quality%s: %-20s %8s %8s %8s %8s %8s %12s%n",
          dq.counted() ? "" : " (no counts in the snapshot)", "feature", "missing", "absent", "type",
          "range", "domain", "completeness"));
      for (FeatureQuality f : dq.features()) {
        sb.append(String.format(Locale.ROOT, "    %-34s %8d %8d %8d %8d %8d %12s%n", f.name(), f.missing(), f.absent(),
            f.typeMismatches(), f.outOfRange(), f.outOfDomain(), number(f.completeness())));
      }
      sb.append(String.format(Locale.ROOT, "    extra features: %d values in %d records%n", dq.extraFeatures(),
          dq.recordsWithExtraFeatures()));
    });
    for (CheckResult c : checks) {
      sb.append(String.format(Locale.ROOT, "  check %-24s %-13s %s%n", c.name(), c.verdict(),
          c.detail().strip().replace("\n", "\n" + " ".repeat(40))));
      for (CheckValue v : c.values()) {
        sb.append(String.format(Locale.ROOT, "    %-30s %10s  threshold %10s%s%n", v.name(), number(v.value()),
            number(v.threshold()), v.breached() ? "  BREACHED" : ""));
      }
    }
    return sb.toString();
  }

  private static String number(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
  }
}
