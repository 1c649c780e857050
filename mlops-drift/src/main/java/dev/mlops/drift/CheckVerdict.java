package dev.mlops.drift;

/**
 * What a {@link WindowCheck} concluded for one window.
 *
 * <p>Immutable and thread-safe.
 */
public enum CheckVerdict {
  /** The check ran and found nothing beyond its thresholds. */
  OK,
  /** The check ran and a value crossed its threshold: the window's report {@link DriftReport#alarm() alarms}. */
  DRIFT,
  /**
   * The check could not judge the window: too little data, or it threw (the reason is in
   * {@link CheckResult#detail()}). Does not alarm.
   */
  NOT_EVALUATED
}
