package dev.mlops.drift;

import dev.mlops.Names;
import java.time.Instant;

/**
 * A per-window check that is not a per-feature data-drift test — bias drift, feature-attribution
 * drift, a business rule — registered with {@link PredictionMonitor.Builder#check(WindowCheck)}.
 * Its {@link CheckResult} is part of the window's {@link DriftReport}, and a
 * {@link CheckVerdict#DRIFT} verdict makes the report {@link DriftReport#alarm() alarm}, so the
 * monitor's {@code onAlert} listeners (deployment gates, retraining triggers) see it like data drift.
 *
 * <p>When it is called: once per closed window, after the window's counts are evaluated and before
 * any listener runs, on the thread that evaluates windows (the builder's executor, or the caller of
 * {@link PredictionMonitor#closeWindow()} / {@link PredictionMonitor#closeWindowIfDue()}); never
 * from {@code record}. Windows are evaluated one at a time, in order, so a check is never called
 * concurrently by one monitor. It may be slow (it delays that window's listeners, not recording).
 * A check that throws yields {@link CheckVerdict#NOT_EVALUATED} with the exception's message, logged
 * through SLF4J; the window still closes.
 *
 * <p>Checks are per instance: a check keeps its own state (typically it samples the traffic the
 * serving code also passes to it) and runs where the window closes. {@link WindowSnapshot}s carry
 * no check state, and {@link PredictionMonitor#evaluate(WindowSnapshot)} of a fleet's merged
 * snapshot runs no {@code WindowCheck}s (only the monitor's data-quality checks, whose counters are
 * in the snapshot).
 *
 * <p>Implementations must be thread-safe if the serving code feeds them from other threads while
 * the monitor calls {@link #evaluate}.
 */
public interface WindowCheck {
  /**
   * @return the check's name, unique within a monitor, matching {@link Names#PATTERN}; the
   *     result's {@link CheckResult#name()} should be the same
   */
  String name();

  /**
   * Judges the window that just closed and starts the check's next window.
   *
   * @param windowStart when the window opened (the monitor's clock)
   * @param windowEnd when it closed
   * @return the verdict and the values judged; never null
   */
  CheckResult evaluate(Instant windowStart, Instant windowEnd);
}
