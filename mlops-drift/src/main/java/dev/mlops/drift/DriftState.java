package dev.mlops.drift;

/** What a concept-drift detector concluded after its latest input. */
public enum DriftState {
  /** No evidence of change. */
  STABLE,
  /** Evidence of change is building up; the warning zone of the method. */
  WARNING,
  /** Change detected at this input. */
  DRIFT
}
