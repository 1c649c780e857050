package dev.mlops.drift;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Model quality from late ground truth joined to predictions during a window.
 *
 * <p>Immutable and thread-safe.
 *
 * @param metric how errors were computed
 * @param outcomes labels joined to a buffered prediction
 * @param value accuracy or mean absolute error over those outcomes; empty if none
 * @param evicted predictions dropped unlabeled from the full buffer
 * @param unmatched labels whose prediction id was not (or no longer) buffered, or that were NaN
 * @param conceptDrifts drifts the concept-drift detector signalled on the error stream
 * @param detectorState the detector's state when the window closed
 */
public record QualitySummary(QualityMetric metric, long outcomes, OptionalDouble value, long evicted,
    long unmatched, long conceptDrifts, DriftState detectorState) {

  /** @throws IllegalArgumentException if a count is negative */
  public QualitySummary {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(detectorState, "detectorState");
    if (outcomes < 0 || evicted < 0 || unmatched < 0 || conceptDrifts < 0) {
      throw new IllegalArgumentException("counts must be >= 0: outcomes " + outcomes + ", evicted " + evicted
          + ", unmatched " + unmatched + ", concept drifts " + conceptDrifts);
    }
  }
}
