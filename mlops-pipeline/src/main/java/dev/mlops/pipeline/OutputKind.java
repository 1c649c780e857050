package dev.mlops.pipeline;

/**
 * What a step output is. Every kind is recorded as a string in the execution log; its digest is
 * what enters the cache keys of the steps that read it.
 *
 * <p>Immutable and thread-safe.
 */
public enum OutputKind {
  /** Bytes stored as a content-addressed artifact; the value is the artifact's digest (hex). */
  ARTIFACT,
  /** A dataset identified by its digest (hex), logged as a run input. */
  DATASET,
  /** A number, logged as a run metric; the value is {@link Double#toString(double)}. */
  METRIC,
  /** A string handed to later steps. */
  PARAMETER,
  /** The per-item values of a map step's output, one per line, in item order. */
  LIST
}
