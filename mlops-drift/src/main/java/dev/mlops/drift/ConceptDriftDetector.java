package dev.mlops.drift;

/**
 * A streaming concept-drift detector over a numeric stream (an error indicator 0/1, a loss, a
 * metric). Implementations: ADWIN, DDM, EDDM, Page-Hinkley, HDDM_A, HDDM_W, KSWIN, CUSUM, each
 * built with its own validated builder that defaults to the published parameters.
 *
 * <p>{@link #update(double)} allocates nothing. After a {@link DriftState#DRIFT} the detector
 * restarts as its method prescribes (see each implementation), so callers simply keep feeding it.
 *
 * <p>Not thread-safe; confine to one thread (the monitor keeps one per thread or stripe).
 */
public interface ConceptDriftDetector {

  /**
   * Consumes one input.
   *
   * @param x the next value; NaN is ignored (counted by callers, never thrown)
   * @return the state right after consuming x
   */
  DriftState update(double x);

  /** @return the state after the latest input (STABLE before any) */
  DriftState state();

  /** @return inputs consumed since creation (not reset by drift) */
  long count();

  /** Forgets everything, as if newly built with the same parameters. */
  void reset();

  /**
   * Serializes parameters and state to a versioned byte form that
   * {@link ConceptDriftDetectors#restore(byte[])} reads back into an equivalent detector.
   *
   * @return the bytes
   */
  byte[] toBytes();
}
