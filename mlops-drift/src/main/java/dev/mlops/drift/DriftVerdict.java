package dev.mlops.drift;

/**
 * What a drift evaluation concluded for one feature.
 *
 * <p>Immutable and thread-safe.
 */
public enum DriftVerdict {
  /** The feature's window matches its baseline within the threshold. */
  NO_DRIFT,
  /** The feature drifted: its test crossed the threshold with enough effect, or its missing rate rose. */
  DRIFT,
  /** Too few values in the window (or in the baseline) to judge. */
  INSUFFICIENT_DATA
}
