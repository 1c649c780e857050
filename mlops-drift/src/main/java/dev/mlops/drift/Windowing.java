package dev.mlops.drift;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link PredictionMonitor} cuts the prediction stream into windows. A window is made of
 * panes of {@code step} records (or of {@code step} time); a tumbling window is one pane, a sliding
 * window of {@code size} covers the latest {@code size / step} panes and is evaluated each time a
 * pane closes.
 *
 * <p>Count panes close at exactly {@code step} records, however many threads record: pane
 * {@code k} holds the records with arrival numbers {@code [k·step, (k+1)·step)} (see
 * {@link PredictionMonitor}); no record is lost or counted twice, and only
 * {@link PredictionMonitor#closeWindow()} can cut a pane short. Time panes are aligned to
 * multiples of {@code step} since the epoch of the monitor's clock and close at the first check
 * after their end (every 32 records per stripe of the monitor) or at
 * {@link PredictionMonitor#closeWindowIfDue()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class Windowing {
  private enum Kind { COUNT, TIME, MANUAL }

  private final Kind kind;
  private final long size;
  private final long step;

  private Windowing(Kind kind, long size, long step) {
    this.kind = kind;
    this.size = size;
    this.step = step;
  }

  /**
   * @param records records per window, at least 1
   * @return tumbling count windows
   * @throws IllegalArgumentException if {@code records < 1}
   */
  public static Windowing tumbling(long records) {
    return sliding(records, records);
  }

  /**
   * @param records records per window
   * @param every records between evaluations; must divide {@code records}
   * @return sliding count windows
   * @throws IllegalArgumentException if either is {@code < 1}, every does not divide records, or the
   *     window would have more than 1024 panes
   */
  public static Windowing sliding(long records, long every) {
    check(records, every, "records");
    return new Windowing(Kind.COUNT, records, every);
  }

  /**
   * @param length window length, at least 1 ms
   * @return tumbling time windows
   * @throws IllegalArgumentException if length is under 1 ms
   */
  public static Windowing tumbling(Duration length) {
    return sliding(length, length);
  }

  /**
   * @param length window length
   * @param every time between evaluations; must divide {@code length}
   * @return sliding time windows
   * @throws IllegalArgumentException if either is under 1 ms, every does not divide length, or the
   *     window would have more than 1024 panes
   */
  public static Windowing sliding(Duration length, Duration every) {
    Objects.requireNonNull(length, "length");
    Objects.requireNonNull(every, "every");
    check(length.toMillis(), every.toMillis(), "milliseconds");
    return new Windowing(Kind.TIME, length.toMillis(), every.toMillis());
  }

  /** @return windows that close only when {@link PredictionMonitor#closeWindow()} is called */
  public static Windowing manual() {
    return new Windowing(Kind.MANUAL, 1, 1);
  }

  private static void check(long size, long step, String unit) {
    if (size < 1 || step < 1) {
      throw new IllegalArgumentException("window size and step must be at least 1 " + unit + ", got " + size + " and " + step);
    }
    if (size % step != 0) {
      throw new IllegalArgumentException("window step " + step + " must divide window size " + size + " (" + unit + ")");
    }
    if (size / step > 1024) {
      throw new IllegalArgumentException("a window may have at most 1024 panes, got " + size / step);
    }
  }

  boolean byCount() {
    return kind == Kind.COUNT;
  }

  boolean byTime() {
    return kind == Kind.TIME;
  }

  /** @return the pane length: records for count windows, milliseconds for time windows */
  long step() {
    return step;
  }

  /** @return panes per window */
  int panes() {
    return (int) (size / step);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case MANUAL -> "manual windows";
      case COUNT -> size == step ? "tumbling windows of " + size + " records"
          : "sliding windows of " + size + " records every " + step;
      case TIME -> size == step ? "tumbling windows of " + Duration.ofMillis(size)
          : "sliding windows of " + Duration.ofMillis(size) + " every " + Duration.ofMillis(step);
    };
  }
}
