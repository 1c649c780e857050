package dev.mlops.pipeline.trigger;

import dev.mlops.pipeline.PipelineLauncher;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one trigger's {@link TriggerPolicy} to an event and records the result: the part every
 * trigger source shares. In order: an event already claimed is a {@link TriggerOutcome#DUPLICATE};
 * a firing within the cooldown is {@link TriggerOutcome#COOLDOWN}; a pipeline at its cap is
 * {@link TriggerOutcome#CONCURRENCY_CAP} (these two leave the event unclaimed, so a later look at
 * the same event may fire); then the event is claimed with create-if-absent (with its boundary
 * key too, for an alarm bucketed with a tolerance) — losing that is
 * {@link TriggerOutcome#LOST_RACE} — and the winner starts the execution.
 *
 * <p>Thread-safe: decisions of one pipeline's triggers are serialized on its {@link TriggerLog}.
 */
final class TriggerGate {
  private static final Logger LOG = LoggerFactory.getLogger(TriggerGate.class);

  private final TriggerLog log;
  private final String trigger;
  private final TriggerSource source;
  private final PipelineLauncher launcher;
  private final TriggerPolicy policy;
  private final Clock clock;
  private final String instance;

  TriggerGate(TriggerLog log, String trigger, TriggerSource source, PipelineLauncher launcher, TriggerPolicy policy,
      Clock clock, String instance) {
    this.log = log;
    this.trigger = trigger;
    this.source = source;
    this.launcher = launcher;
    this.policy = policy;
    this.clock = clock;
    this.instance = instance;
  }

  String trigger() {
    return trigger;
  }

  String pipeline() {
    return launcher.pipelineName();
  }

  /**
   * Decides on one event and records the decision.
   *
   * @param event the de-duplication key (a valid key segment), the one recorded
   * @param claims the keys claimed for the event, in one global order (usually just {@code event};
   *     an alarm bucketed with a tolerance near a bucket boundary claims the boundary too): any of
   *     them claimed already makes a DUPLICATE; the trigger fires only if this process creates them
   *     all, and stops at the first it loses (LOST_RACE), keeping the ones it created
   * @param cause what happened, for a person
   * @param eventParameters parameters describing the event, added to the policy's
   * @param quietIf a suppression already recorded for this event by this process: when the
   *     decision is the same again, it is not recorded a second time (empty: always record)
   * @return the stored record, or empty if the decision repeated {@code quietIf}
   */
  Optional<TriggerRecord> fire(String event, String cause, Map<String, String> eventParameters,
      Optional<TriggerOutcome> quietIf) {
    return fire(event, List.of(event), cause, eventParameters, quietIf);
  }

  Optional<TriggerRecord> fire(String event, List<String> claims, String cause, Map<String, String> eventParameters,
      Optional<TriggerOutcome> quietIf) {
    synchronized (log) {
      Instant now = clock.instant();
      Optional<String> claimed = claimedAlready(event, claims);
      if (claimed.isPresent()) {
        return record(now, event, claims, cause, TriggerOutcome.DUPLICATE, Optional.empty(), claimed.get(), quietIf);
      }
      log.refresh();
      if (policy.cooldown().isPresent()) {
        Optional<TriggerRecord> last = log.lastFired(trigger);
        Optional<Instant> until = last.map(l -> plusSaturating(l.at(), policy.cooldown().get()));
        if (until.isPresent() && now.isBefore(until.get())) {
          return record(now, event, claims, cause, TriggerOutcome.COOLDOWN, Optional.empty(),
              "last fired at " + last.get().at() + " (execution " + last.get().executionId().orElse("?")
                  + "); cooldown " + policy.cooldown().get() + " lasts until "
                  + (until.get().equals(Instant.MAX) ? "the end of time" : until.get()), quietIf);
        }
      }
      int running = launcher.runningExecutions();
      if (running >= policy.maxConcurrent()) {
        return record(now, event, claims, cause, TriggerOutcome.CONCURRENCY_CAP, Optional.empty(),
            running + " executions running, at most " + policy.maxConcurrent() + " allowed", quietIf);
      }
      for (String key : claims) {
        if (!log.claim(trigger, key, now, instance)) {
          String winner = log.claimant(trigger, key).orElse("another process");
          return record(now, event, claims, cause, TriggerOutcome.LOST_RACE, Optional.empty(),
              describe(event, key) + " was claimed at the same time by " + winner, quietIf);
        }
      }
      Map<String, String> parameters = new HashMap<>(policy.parameters());
      parameters.putAll(eventParameters);
      parameters.put(Triggers.PARAM_TRIGGER, trigger);
      parameters.put(Triggers.PARAM_EVENT, event);
      String executionId;
      try {
        executionId = launcher.start(Map.copyOf(parameters), "trigger " + trigger + ": " + cause);
      } catch (RuntimeException e) {
        LOG.warn("trigger '{}' of pipeline '{}' could not start an execution for event {}", trigger, pipeline(), event, e);
        return record(now, event, claims, cause, TriggerOutcome.FAILED, Optional.empty(),
            "starting the execution threw " + e, Optional.empty());
      }
      return Optional.of(log.append(now, trigger, source, event, cause, TriggerOutcome.FIRED,
          Optional.of(executionId), Optional.empty(), instance));
    }
  }

  /** @return why the event is a duplicate, if one of its claims exists */
  private Optional<String> claimedAlready(String event, List<String> claims) {
    for (String key : claims) {
      Optional<String> claimant = log.claimant(trigger, key);
      if (claimant.isPresent()) {
        return Optional.of(describe(event, key) + " was already claimed by " + claimant.get());
      }
    }
    return Optional.empty();
  }

  /** @return at + d, or {@link Instant#MAX} if that is beyond it (a cooldown of "for ever") */
  private static Instant plusSaturating(Instant at, java.time.Duration d) {
    try {
      return at.plus(d);
    } catch (java.time.DateTimeException | ArithmeticException beyond) {
      return Instant.MAX;
    }
  }

  private static String describe(String event, String key) {
    return key.equals(event) ? "event " + event
        : "boundary " + key + " of event " + event + " (within the tolerance)";
  }

  private Optional<TriggerRecord> record(Instant now, String event, List<String> claims, String cause,
      TriggerOutcome outcome, Optional<String> executionId, String reason, Optional<TriggerOutcome> quietIf) {
    if (outcome == TriggerOutcome.COOLDOWN || outcome == TriggerOutcome.CONCURRENCY_CAP) {
      // the firing that causes the cooldown (or fills the cap) may be another process's firing of
      // this very event: then it is a duplicate, not a policy suppression
      Optional<String> claimed = claimedAlready(event, claims);
      if (claimed.isPresent()) {
        outcome = TriggerOutcome.DUPLICATE;
        reason = claimed.get();
      }
    }
    if (quietIf.isPresent() && quietIf.get() == outcome) {
      return Optional.empty();
    }
    return Optional.of(log.append(now, trigger, source, event, cause, outcome, executionId, Optional.of(reason),
        instance));
  }
}
