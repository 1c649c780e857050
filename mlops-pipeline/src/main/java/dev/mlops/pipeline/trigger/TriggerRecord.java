package dev.mlops.pipeline.trigger;

import dev.mlops.Names;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of a pipeline's trigger history: a firing or a suppressed firing, with its cause.
 *
 * <p>Immutable and thread-safe.
 *
 * @param seq the entry's number in the pipeline's trigger log, from 1
 * @param at when the trigger handled the event (the clock of the process that recorded it)
 * @param pipeline the pipeline
 * @param trigger the trigger's name
 * @param source the kind of event
 * @param event the event's identity, the de-duplication key: {@code w<start>-<end>} (an alarm's
 *     window, epoch milliseconds), {@code b<bucket start>} (an alarm bucketed by time),
 *     {@code t<due>} (a scheduled instant) or {@code d<hex>} (a dataset digest)
 * @param cause what happened, for a person (the alarm's summary, the due time, the digest)
 * @param outcome fired, suppressed (and why) or failed
 * @param executionId the started execution, when {@code outcome} is {@link TriggerOutcome#FIRED}
 * @param reason why it was suppressed or failed; empty when fired
 * @param instance the process that recorded it ({@link Triggers.Builder#instance})
 */
public record TriggerRecord(long seq, Instant at, String pipeline, String trigger, TriggerSource source, String event,
    String cause, TriggerOutcome outcome, Optional<String> executionId, Optional<String> reason, String instance) {

  /**
   * Validates.
   *
   * @throws IllegalArgumentException if seq &lt; 1, a name is invalid, a FIRED record has no
   *     execution id or another outcome has no reason
   */
  public TriggerRecord {
    if (seq < 1) {
      throw new IllegalArgumentException("seq must be >= 1, got " + seq);
    }
    Objects.requireNonNull(at, "at");
    Names.requireValid("pipeline name", pipeline);
    Names.requireValid("trigger name", trigger);
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(executionId, "executionId");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(instance, "instance");
    if (outcome == TriggerOutcome.FIRED && executionId.isEmpty()) {
      throw new IllegalArgumentException("a FIRED trigger record needs the execution id");
    }
    if (outcome != TriggerOutcome.FIRED && reason.isEmpty()) {
      throw new IllegalArgumentException("a " + outcome + " trigger record needs a reason");
    }
  }
}
