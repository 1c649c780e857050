package dev.mlops.governance;

import dev.mlops.Digest;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one {@link GarbageCollector} pass found and did.
 *
 * <p>Immutable and thread-safe.
 *
 * @param at when the pass started, by the collector's clock
 * @param dryRun whether nothing was written or deleted
 * @param blobs artifact blobs in the store
 * @param referenced how many of them something references
 * @param deleted unreferenced blobs first seen unreferenced more than the grace period ago:
 *     deleted, or on a dry run the ones that would be
 * @param waiting unreferenced blobs still within the grace period (newly seen ones included)
 * @param deletedSegments metric segment keys ({@code runs/<id>/metrics/…}) of ended, tombstoned
 *     runs tombstoned more than the grace period ago: deleted, or on a dry run the ones that would be
 * @param waitingRuns ended, tombstoned runs whose segments are still within the grace period
 * @param deletedFeatureRows keys of online feature rows superseded beyond their view's online
 *     retention and first seen so more than the grace period ago: deleted, or on a dry run the ones
 *     that would be (empty without mlops-features on the classpath)
 * @param waitingFeatureRows how many such rows are still within the grace period (newly seen ones included)
 */
public record GcReport(Instant at, boolean dryRun, long blobs, long referenced, List<Digest> deleted,
    List<Digest> waiting, List<String> deletedSegments, List<String> waitingRuns, List<String> deletedFeatureRows,
    long waitingFeatureRows) {
  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if {@code waitingFeatureRows} is negative
   */
  public GcReport {
    Objects.requireNonNull(at, "at");
    deleted = List.copyOf(deleted);
    waiting = List.copyOf(waiting);
    deletedSegments = List.copyOf(deletedSegments);
    waitingRuns = List.copyOf(waitingRuns);
    deletedFeatureRows = List.copyOf(deletedFeatureRows);
    if (waitingFeatureRows < 0) {
      throw new IllegalArgumentException("waitingFeatureRows must be >= 0, got " + waitingFeatureRows);
    }
  }

  /**
   * A report without feature rows.
   *
   * @param at when the pass started
   * @param dryRun whether nothing was written or deleted
   * @param blobs artifact blobs in the store
   * @param referenced how many of them something references
   * @param deleted blobs deleted (or that would be)
   * @param waiting blobs within the grace period
   * @param deletedSegments metric segments deleted (or that would be)
   * @param waitingRuns tombstoned runs within the grace period
   */
  public GcReport(Instant at, boolean dryRun, long blobs, long referenced, List<Digest> deleted, List<Digest> waiting,
      List<String> deletedSegments, List<String> waitingRuns) {
    this(at, dryRun, blobs, referenced, deleted, waiting, deletedSegments, waitingRuns, List.of(), 0);
  }

  /**
   * A report of blobs only (no metric segments).
   *
   * @param at when the pass started
   * @param dryRun whether nothing was written or deleted
   * @param blobs artifact blobs in the store
   * @param referenced how many of them something references
   * @param deleted blobs deleted (or that would be)
   * @param waiting blobs within the grace period
   */
  public GcReport(Instant at, boolean dryRun, long blobs, long referenced, List<Digest> deleted, List<Digest> waiting) {
    this(at, dryRun, blobs, referenced, deleted, waiting, List.of(), List.of(), List.of(), 0);
  }

  @Override
  public String toString() {
    return (dryRun ? "dry run: " : "") + blobs + " blobs, " + referenced + " referenced, "
        + deleted.size() + (dryRun ? " would be deleted, " : " deleted, ") + waiting.size() + " within the grace period"
        + (deletedSegments.isEmpty() && waitingRuns.isEmpty() ? "" : "; metric segments of tombstoned runs: "
            + deletedSegments.size() + (dryRun ? " would be deleted, " : " deleted, ") + waitingRuns.size()
            + " runs within the grace period")
        + (deletedFeatureRows.isEmpty() && waitingFeatureRows == 0 ? "" : "; superseded online feature rows: "
            + deletedFeatureRows.size() + (dryRun ? " would be deleted, " : " deleted, ") + waitingFeatureRows
            + " within the grace period");
  }
}
