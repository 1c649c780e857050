package dev.mlops.features;

import java.util.Objects;

/**
 * What a push stored.
 *
 * <p>Immutable and thread-safe.
 *
 * @param view the view's name
 * @param dataVersion the data version written ({@link FeatureViewVersion#dataVersion()})
 * @param rows rows in the batch
 * @param offlineSegmentCreated false if an identical batch had been pushed before (nothing new stored offline)
 * @param onlineRowsWritten latest-per-entity rows newly written to the online table
 */
public record PushResult(String view, int dataVersion, int rows, boolean offlineSegmentCreated, int onlineRowsWritten) {
  /** Validates. */
  public PushResult {
    Objects.requireNonNull(view, "view");
  }
}
