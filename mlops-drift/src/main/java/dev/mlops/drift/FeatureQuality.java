package dev.mlops.drift;

import java.util.Objects;

/**
 * One feature's data-quality counts in a monitoring window ({@link DataQualitySummary}): values
 * missing, the feature absent from the input, values of the wrong type, numeric values outside the
 * rule's range and categories outside the rule's domain. Counts of a kind the feature has no rule
 * for, or that its input form cannot produce, are 0.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the feature
 * @param categorical whether it is categorical
 * @param missing records whose value is missing (NaN, a negative code, null, or absent)
 * @param absent records whose input did not carry the feature at all (only {@link MonitorInput}
 *     can tell; these are also counted in {@code missing})
 * @param typeMismatches values of a type the feature cannot take: for a categorical feature a code
 *     that names no category or a value that is not a String, Long or Boolean; for a numeric one a
 *     non-number given to {@link MonitorInput#put(String, Object)} (recorded as missing)
 * @param outOfRange numeric values outside the rule's range, ±Inf included (0 without a range rule)
 * @param outOfDomain categorical values outside the rule's allowed categories, unknown categories
 *     included (0 without a domain rule)
 * @param completeness share of the window's records with a value, {@code 1 - missing / records};
 *     NaN for an empty window
 */
public record FeatureQuality(String name, boolean categorical, long missing, long absent, long typeMismatches,
    long outOfRange, long outOfDomain, double completeness) {
  /** @throws IllegalArgumentException if a count is negative */
  public FeatureQuality {
    Objects.requireNonNull(name, "name");
    if (missing < 0 || absent < 0 || typeMismatches < 0 || outOfRange < 0 || outOfDomain < 0) {
      throw new IllegalArgumentException("data-quality counts of feature '" + name + "' must not be negative");
    }
  }
}
