package dev.mlops.features;

/**
 * Which offline rows a materialization brings online.
 *
 * <p>Immutable and thread-safe.
 */
public enum MaterializationMode {
  /** Every row with event time up to now. */
  FULL,
  /** Rows with event time after the previous materialization's watermark, up to now. */
  INCREMENTAL
}
