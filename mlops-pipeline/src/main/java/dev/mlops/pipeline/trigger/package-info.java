/**
 * Continuous training: retrain triggers that start a pipeline's executions on a drift or quality
 * alarm ({@link dev.mlops.pipeline.trigger.AlarmTrigger}), a schedule
 * ({@link dev.mlops.pipeline.trigger.ScheduleTrigger}) or new data
 * ({@link dev.mlops.pipeline.trigger.DataTrigger}), with a cooldown, a cap on running executions and
 * de-duplication across a fleet of processes sharing a store. Entry point:
 * {@link dev.mlops.pipeline.trigger.Triggers}. Every firing and suppressed firing is a record in a
 * hash-chained log per pipeline ({@link dev.mlops.pipeline.trigger.Triggers#history}).
 */
package dev.mlops.pipeline.trigger;
