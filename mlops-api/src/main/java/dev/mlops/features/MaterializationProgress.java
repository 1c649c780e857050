package dev.mlops.features;

import java.time.Instant;
import java.util.Objects;

/**
 * How far a materialization has got; reported after each offline segment and returned at the end.
 *
 * <p>Immutable and thread-safe.
 *
 * @param view the view's name
 * @param from exclusive lower bound of event times brought online ({@link Instant#MIN} for a full run)
 * @param to inclusive upper bound, the new watermark
 * @param segmentsDone offline segments read so far
 * @param segmentsTotal offline segments to read
 * @param rowsRead rows read so far
 * @param onlineRowsWritten latest-per-entity rows written to the online table so far
 * @param done whether this is the final report
 */
public record MaterializationProgress(String view, Instant from, Instant to, int segmentsDone, int segmentsTotal,
    long rowsRead, long onlineRowsWritten, boolean done) {
  /** Validates. */
  public MaterializationProgress {
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
  }
}
