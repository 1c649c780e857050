package dev.mlops.drift;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Turns a {@link WindowSnapshot} into a {@link DriftReport}: runs each feature's test against its
 * baseline bins, applies per-feature thresholds and the missing-rate tolerance, and derives the
 * dataset verdict from the share of drifted features; with data-quality rules, summarizes the
 * window's data-quality counts and judges them into {@code data-quality-*} check results.
 *
 * <p>Immutable and thread-safe.
 */
final class DriftEvaluator {
  private final MonitorLayout layout;
  private final DriftThreshold[] numericThresholds;
  private final DriftThreshold[] categoricalThresholds;
  private final long minSamples;
  private final double missingRateTolerance;
  private final double datasetDriftShare;
  private final Optional<QualityMetric> metric;
  /** Data-quality rules, or null. */
  private final QualityPlan quality;

  DriftEvaluator(MonitorLayout layout, DriftThreshold[] numericThresholds, DriftThreshold[] categoricalThresholds,
      long minSamples, double missingRateTolerance, double datasetDriftShare, Optional<QualityMetric> metric,
      QualityPlan quality) {
    this.layout = layout;
    this.numericThresholds = numericThresholds.clone();
    this.categoricalThresholds = categoricalThresholds.clone();
    this.minSamples = minSamples;
    this.missingRateTolerance = missingRateTolerance;
    this.datasetDriftShare = datasetDriftShare;
    this.metric = metric;
    this.quality = quality;
  }

  DriftReport evaluate(WindowSnapshot s) {
    if (s.fingerprint != layout.fingerprint) {
      throw new IllegalArgumentException("window snapshot was taken against a different baseline (fingerprint "
          + Long.toHexString(s.fingerprint) + ", this monitor's is " + Long.toHexString(layout.fingerprint) + ")");
    }
    List<FeatureDrift> features = new ArrayList<>();
    int evaluated = 0;
    int drifted = 0;
    for (int f = 0; f < layout.numeric; f++) {
      NumericFeatureProfile base = layout.profile.numericFeatures().get(f);
      int k = layout.bins[f];
      double[] counts = new double[k];
      double[] sums = new double[k];
      long valid = 0;
      for (int b = 0; b < k; b++) {
        counts[b] = s.binCounts[f * MonitorLayout.SLOTS + b];
        sums[b] = s.binSums[f * MonitorLayout.SLOTS + b];
        valid += s.binCounts[f * MonitorLayout.SLOTS + b];
      }
      FeatureDrift line = judge(base.name(), false, base.binned(), numericThresholds[f], counts, sums, valid,
          s.missing[f], s.infinite[f], valid + s.missing[f] + s.infinite[f], base.missingRate());
      features.add(line);
      evaluated += line.verdict() == DriftVerdict.INSUFFICIENT_DATA ? 0 : 1;
      drifted += line.verdict() == DriftVerdict.DRIFT ? 1 : 0;
    }
    for (int j = 0; j < layout.categorical; j++) {
      CategoricalFeatureProfile base = layout.profile.categoricalFeatures().get(j);
      int off = layout.categoricalOffset[j];
      int k = layout.buckets[j];
      double[] counts = new double[k];
      long valid = 0;
      for (int b = 0; b < k; b++) {
        counts[b] = s.categorical[off + b];
        valid += s.categorical[off + b];
      }
      long missing = s.categorical[off + k];
      long unknown = s.categorical[off + k + 1];
      FeatureDrift line = judge(base.name(), true, base.binned(), categoricalThresholds[j], counts, null, valid,
          missing, unknown, valid + missing, base.missingRate());
      features.add(line);
      evaluated += line.verdict() == DriftVerdict.INSUFFICIENT_DATA ? 0 : 1;
      drifted += line.verdict() == DriftVerdict.DRIFT ? 1 : 0;
    }
    double share = evaluated == 0 ? 0 : (double) drifted / evaluated;
    Optional<QualitySummary> quality = metric.map(m -> new QualitySummary(m, s.outcomes,
        s.outcomes == 0 ? OptionalDouble.empty()
            : OptionalDouble.of(m.summarize(s.errorSum / s.outcomes * WindowSnapshot.SUM_UNSCALE)),
        s.evicted, s.unmatched, s.conceptDrifts, s.detectorState));
    Optional<DataQualitySummary> dataQuality = Optional.empty();
    List<CheckResult> checks = List.of();
    if (this.quality != null) {
      DataQualitySummary summary = this.quality.summarize(s);
      dataQuality = Optional.of(summary);
      checks = this.quality.judge(summary);
    }
    return new DriftReport(Instant.ofEpochMilli(s.startMillis), Instant.ofEpochMilli(s.endMillis), s.records, features,
        evaluated, drifted, share, evaluated > 0 && share >= datasetDriftShare,
        s.predictions == 0 ? OptionalDouble.empty()
            : OptionalDouble.of(s.predictionSum / s.predictions * WindowSnapshot.SUM_UNSCALE),
        s.predictionsInvalid, quality, s, checks, dataQuality);
  }

  private FeatureDrift judge(String name, boolean categorical, BinnedBaseline base, DriftThreshold threshold,
      double[] counts, double[] sums, long valid, long missing, long invalid, long total, double baselineMissingRate) {
    double missingRate = total == 0 ? 0 : (double) missing / total;
    boolean missingDrift = total >= minSamples && missingRate - baselineMissingRate > missingRateTolerance;
    Optional<DriftTestResult> result = Optional.empty();
    boolean testDrift = false;
    if (valid >= minSamples && base.count > 0) {
      DriftTestResult r = threshold.test().evaluate(base, counts, sums);
      result = Optional.of(r);
      testDrift = threshold.isDrift(r);
    }
    DriftVerdict verdict = testDrift || missingDrift ? DriftVerdict.DRIFT
        : result.isPresent() ? DriftVerdict.NO_DRIFT : DriftVerdict.INSUFFICIENT_DATA;
    return new FeatureDrift(name, categorical, verdict, result, threshold, valid, missing, invalid, missingRate,
        baselineMissingRate, missingDrift);
  }
}
