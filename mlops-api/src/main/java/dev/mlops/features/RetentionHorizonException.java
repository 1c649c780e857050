package dev.mlops.features;

import dev.mlops.MlopsException;
import java.time.Instant;
import java.util.Objects;

/**
 * An online read asked for a time before the horizon of a retention sweep: superseded rows older
 * than the horizon may have been deleted ({@link FeatureView#onlineRetention()}), so the answer
 * cannot be given correctly, and the read fails instead of answering from the rows that are left.
 * Training sets read offline segments, which retention never deletes, and do not throw it.
 *
 * <p>Immutable and thread-safe.
 */
public final class RetentionHorizonException extends MlopsException {
  private static final long serialVersionUID = 1L;

  private final String view;
  private final Instant asOf;
  private final Instant horizon;

  /**
   * @param view the feature view read
   * @param asOf the time the read asked for
   * @param horizon the newest retention horizon recorded for the view's rows
   */
  public RetentionHorizonException(String view, Instant asOf, Instant horizon) {
    super("online read of feature view '" + Objects.requireNonNull(view, "view") + "' as of "
        + Objects.requireNonNull(asOf, "asOf") + " is older than its retention horizon "
        + Objects.requireNonNull(horizon, "horizon") + ": superseded rows before the horizon may have been "
        + "deleted; read at or after the horizon, or build a training set (offline segments are kept)");
    this.view = view;
    this.asOf = asOf;
    this.horizon = horizon;
  }

  /** @return the feature view read */
  public String view() {
    return view;
  }

  /** @return the time the read asked for */
  public Instant asOf() {
    return asOf;
  }

  /** @return the retention horizon it lies before */
  public Instant horizon() {
    return horizon;
  }
}
