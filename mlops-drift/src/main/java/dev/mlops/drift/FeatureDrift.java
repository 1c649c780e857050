package dev.mlops.drift;

import dev.mlops.Names;
import java.util.Objects;
import java.util.Optional;

/**
 * One feature's line of a {@link DriftReport}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name feature name
 * @param categorical whether the feature is categorical
 * @param verdict the conclusion
 * @param result the test result; empty when there were too few values to test
 * @param threshold the threshold the result was judged by
 * @param count values tested (finite numeric values, or non-missing codes)
 * @param missing NaN values or negative codes
 * @param invalid infinite numeric values, or unknown category codes
 * @param missingRate missing share of the window's values for this feature
 * @param baselineMissingRate missing share in the baseline
 * @param missingRateDrift whether the missing rate rose by more than the monitor's tolerance
 */
public record FeatureDrift(String name, boolean categorical, DriftVerdict verdict, Optional<DriftTestResult> result,
    DriftThreshold threshold, long count, long missing, long invalid, double missingRate,
    double baselineMissingRate, boolean missingRateDrift) {

  /** @throws IllegalArgumentException if a count is negative or the name is invalid */
  public FeatureDrift {
    Names.requireValid("feature name", name);
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(threshold, "threshold");
    if (count < 0 || missing < 0 || invalid < 0) {
      throw new IllegalArgumentException("feature '" + name + "' counts must be >= 0");
    }
  }
}
