package dev.mlops.features;

/**
 * Where pushed rows go.
 *
 * <p>Immutable and thread-safe.
 */
public enum PushTarget {
  /** The offline log and the online table (the default). */
  ONLINE_AND_OFFLINE,
  /** The offline log only (backfills); {@link FeatureStore#materialize} brings them online. */
  OFFLINE
}
