package dev.mlops.drift;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A window's data-quality counts under a monitor's {@link DataQualityRules}
 * ({@link DriftReport#dataQuality()}): per feature the {@link FeatureQuality} counts, and for the
 * whole window the features given that the baseline does not know. The violations these counts
 * amount to are the report's {@code data-quality-*} {@link CheckResult}s.
 *
 * <p>Immutable and thread-safe.
 *
 * @param records the window's records
 * @param features per feature, numeric first, then categorical, in baseline order
 * @param extraFeatures values of features unknown to the baseline given to
 *     {@link MonitorInput#put(String, Object)}, plus vector positions a {@link VectorBinding} does
 *     not map, per record
 * @param recordsWithExtraFeatures records that carried at least one such feature
 * @param counted whether the window's snapshot carries counts under these rules; false for a
 *     snapshot written by a monitor without them (or with other rules, or before snapshot format
 *     3): then only missing values and completeness are known, every other count is 0 and the
 *     checks that need them are {@link CheckVerdict#NOT_EVALUATED}
 */
public record DataQualitySummary(long records, List<FeatureQuality> features, long extraFeatures,
    long recordsWithExtraFeatures, boolean counted) {
  /** Validates and copies. */
  public DataQualitySummary {
    features = List.copyOf(Objects.requireNonNull(features, "features"));
  }

  /**
   * @param name a feature
   * @return its counts, or empty
   */
  public Optional<FeatureQuality> feature(String name) {
    return features.stream().filter(f -> f.name().equals(name)).findFirst();
  }
}
