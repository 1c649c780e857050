package dev.mlops.drift;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The verdict on one closed monitoring window: each feature's test result and verdict, the share
 * of features that drifted and the dataset verdict it implies, prediction statistics, and (when
 * late labels are joined) model quality. {@link #snapshot()} holds the counts it was computed from,
 * to store and merge with other instances'.
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
 */
public record DriftReport(Instant start, Instant end, long records, List<FeatureDrift> features, int evaluatedFeatures,
    int driftedFeatures, double driftedShare, boolean datasetDrift, OptionalDouble predictionMean,
    long invalidPredictions, Optional<QualitySummary> quality, WindowSnapshot snapshot) {

  /** @throws IllegalArgumentException if counts are inconsistent */
  public DriftReport {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    features = List.copyOf(features);
    Objects.requireNonNull(predictionMean, "predictionMean");
    Objects.requireNonNull(quality, "quality");
    Objects.requireNonNull(snapshot, "snapshot");
    if (records < 0 || evaluatedFeatures < 0 || driftedFeatures < 0 || driftedFeatures > evaluatedFeatures
        || evaluatedFeatures > features.size()) {
      throw new IllegalArgumentException("inconsistent counts: records " + records + ", evaluated "
          + evaluatedFeatures + ", drifted " + driftedFeatures + " of " + features.size() + " features");
    }
  }

  /**
   * @param name feature name
   * @return that feature's line, or empty
   */
  public Optional<FeatureDrift> feature(String name) {
    return features.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  /** @return whether the window deserves an alert: dataset drift, or concept drift on late labels */
  public boolean alarm() {
    return datasetDrift || quality.map(q -> q.conceptDrifts() > 0).orElse(false);
  }

  /** @return a human-readable table of the report */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "window %s .. %s, %d records: %s (%d of %d features drifted, %.0f%%)%n",
        start, end, records, datasetDrift ? "DATASET DRIFT" : "no dataset drift", driftedFeatures, evaluatedFeatures,
        100 * driftedShare));
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
    return sb.toString();
  }
}
