package dev.mlops.pipeline.trigger;

/**
 * The kind of event a retrain trigger reacts to.
 *
 * <p>Immutable and thread-safe.
 */
public enum TriggerSource {
  /** A drift or quality alarm of a {@code PredictionMonitor} ({@link AlarmTrigger}). */
  ALARM,
  /** A fixed-rate or cron schedule ({@link ScheduleTrigger}). */
  SCHEDULE,
  /** A dataset digest that changed ({@link DataTrigger}). */
  DATA
}
