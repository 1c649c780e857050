package dev.mlops.features;

/**
 * Whether a feature had a usable value at the time it was read.
 *
 * <p>Immutable and thread-safe.
 */
public enum FeatureStatus {
  /** The latest row at or before the read time is within the view's TTL and has a value. */
  PRESENT,
  /** The latest row at or before the read time is older than the view's TTL. */
  EXPIRED,
  /** No row at or before the read time, or the latest one has no value for this feature. */
  NOT_FOUND
}
