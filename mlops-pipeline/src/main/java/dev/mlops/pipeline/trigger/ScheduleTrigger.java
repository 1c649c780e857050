package dev.mlops.pipeline.trigger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A retrain trigger on a {@link Schedule}. Each due instant is one event; in a fleet every process
 * computes the same instants and the first to claim one starts the execution. Created by
 * {@link Triggers#onSchedule}; run it with {@link #start} on the host's scheduler, or call
 * {@link #poll()} from your own.
 *
 * <p>Instants that were due before the trigger was created are not fired (no back-fill), and after a
 * pause (a long GC, a suspended machine, a clock jump) only the latest due instant fires. A due
 * instant held back by the cooldown or the cap is tried again at every poll (the suppression is
 * recorded once) until it fires or the next instant is due, which replaces it — so a cooldown as
 * long as the period, or an execution still running at the due time, delays a firing instead of
 * dropping it.
 *
 * <p>Thread-safe.
 */
public final class ScheduleTrigger implements AutoCloseable {
  /** Execution parameter: the due instant (ISO-8601). */
  public static final String PARAM_DUE = "mlops.trigger.due";
  /** How long the trigger waits at most between two looks at the clock, by default. */
  public static final Duration DEFAULT_RECHECK = Duration.ofMinutes(1);

  private static final Logger LOG = LoggerFactory.getLogger(ScheduleTrigger.class);

  private final TriggerGate gate;
  private final Schedule schedule;
  private final Clock clock;
  private Instant handled;
  /** Set while {@link #handled} was held back by the cooldown or the cap: it is tried again. */
  private Optional<TriggerOutcome> heldAs = Optional.empty();
  private ScheduledExecutorService executor;
  private Duration recheck;
  private ScheduledFuture<?> next;
  private boolean closed;

  ScheduleTrigger(TriggerGate gate, Schedule schedule, Clock clock) {
    this.gate = gate;
    this.schedule = schedule;
    this.clock = clock;
    this.handled = schedule.latestDue(clock.instant()).orElse(Instant.MIN);
  }

  /** @return the trigger's name */
  public String name() {
    return gate.trigger();
  }

  /**
   * Runs the trigger on {@code executor}: {@link #poll()} at each due instant, looking at the clock
   * at least every {@link #DEFAULT_RECHECK}.
   *
   * @param executor the host's scheduler; the trigger never shuts it down
   * @return this trigger
   * @throws IllegalStateException if already started or closed
   */
  public ScheduleTrigger start(ScheduledExecutorService executor) {
    return start(executor, DEFAULT_RECHECK);
  }

  /**
   * Like {@link #start(ScheduledExecutorService)}, looking at the clock at least every
   * {@code recheck} (so a clock that jumps forward is noticed within it).
   *
   * @param executor the host's scheduler; the trigger never shuts it down
   * @param recheck the longest wait between two looks at the clock, at least 1 ms
   * @return this trigger
   * @throws IllegalArgumentException if recheck is under 1 ms
   * @throws IllegalStateException if already started or closed
   */
  public synchronized ScheduleTrigger start(ScheduledExecutorService executor, Duration recheck) {
    Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(recheck, "recheck");
    if (recheck.toMillis() < 1) {
      throw new IllegalArgumentException("recheck must be at least 1 ms, got " + recheck);
    }
    if (closed || this.executor != null) {
      throw new IllegalStateException(this + " is already " + (closed ? "closed" : "started"));
    }
    this.executor = executor;
    this.recheck = recheck;
    scheduleNext();
    return this;
  }

  /**
   * Fires if an instant became due since the last one handled (or since the trigger was created),
   * or tries again the latest due instant if the cooldown or the cap held it back.
   *
   * @return the record written, or empty if nothing was due (or the instant is held back again,
   *     which is not recorded twice)
   * @throws dev.mlops.CorruptDataException if the stored trigger log or claim is unreadable
   */
  public Optional<TriggerRecord> poll() {
    Instant due;
    Optional<TriggerOutcome> quietIf;
    synchronized (this) {
      Optional<Instant> latest = schedule.latestDue(clock.instant());
      if (latest.isEmpty()) {
        return Optional.empty();
      }
      if (latest.get().isAfter(handled)) {
        quietIf = Optional.empty();
      } else if (heldAs.isPresent() && latest.get().equals(handled)) {
        quietIf = heldAs; // held back by the cooldown or the cap: look again, record only a change
      } else {
        return Optional.empty();
      }
      due = latest.get();
      handled = due;
      heldAs = Optional.empty();
    }
    Optional<TriggerRecord> r = gate.fire("t" + due.toEpochMilli(), "schedule " + schedule + " due at " + due,
        Map.of(PARAM_DUE, due.toString()), quietIf);
    TriggerOutcome outcome = r.map(TriggerRecord::outcome).orElseGet(quietIf::orElseThrow);
    if (outcome == TriggerOutcome.COOLDOWN || outcome == TriggerOutcome.CONCURRENCY_CAP) {
      synchronized (this) {
        if (handled.equals(due)) {
          heldAs = Optional.of(outcome);
        }
      }
    }
    return r;
  }

  private void tick() {
    try {
      poll();
    } catch (RuntimeException e) {
      LOG.warn("{} failed; it goes on at its next due time", this, e);
    } finally {
      synchronized (this) {
        if (!closed) {
          try {
            scheduleNext();
          } catch (RejectedExecutionException shutDown) {
            // the host shut its scheduler down: the trigger stops with it
            closed = true;
          }
        }
      }
    }
  }

  /** Caller holds the lock. */
  private void scheduleNext() {
    Instant now = clock.instant();
    long wait = schedule.nextDue(now).map(d -> Duration.between(now, d).toMillis()).orElse(Long.MAX_VALUE);
    next = executor.schedule(this::tick, Math.max(0, Math.min(wait, recheck.toMillis())), TimeUnit.MILLISECONDS);
  }

  /**
   * Stops the schedule (a firing under way completes). Idempotent. The trigger also stops when the
   * host's scheduler is shut down.
   */
  @Override
  public synchronized void close() {
    closed = true;
    if (next != null) {
      next.cancel(false);
    }
  }

  @Override
  public String toString() {
    return "schedule trigger '" + gate.trigger() + "' of pipeline '" + gate.pipeline() + "' (" + schedule + ")";
  }
}
