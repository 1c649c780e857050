package dev.mlops.pipeline.trigger;

import dev.mlops.Digest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A retrain trigger on new data: it polls a dataset's digest and fires once per digest it has not
 * seen. Each digest is one event, claimed in the store, so a digest fires once for the whole
 * fleet and forever: a dataset that changes back to an earlier digest does not fire again (it is
 * recorded as a {@link TriggerOutcome#DUPLICATE}, once per process: a digest that keeps flipping
 * between values already settled — two replicas of a source answering in turn — is not recorded
 * again; the trigger remembers the last {@value #REMEMBERED} settled digests). The first digest a process
 * sees fires too if no process has claimed it before. A new digest suppressed by the cooldown or
 * the cap stays unclaimed: the trigger retries it at every poll and fires once the policy allows,
 * recording the suppression once, not at every poll. Created by {@link Triggers#onNewData}.
 *
 * <p>Thread-safe.
 */
public final class DataTrigger implements AutoCloseable {
  /** Execution parameter: the new digest ({@code sha256:<hex>}). */
  public static final String PARAM_DIGEST = "mlops.trigger.digest";

  /** How many settled digests (recorded as claimed before) a trigger remembers. */
  static final int REMEMBERED = 1024;

  private static final Logger LOG = LoggerFactory.getLogger(DataTrigger.class);

  private final TriggerGate gate;
  private final Supplier<Digest> digest;
  private Optional<Digest> handled = Optional.empty();
  /** Digests this trigger recorded as claimed by someone (DUPLICATE, LOST_RACE), most recent last; bounded. */
  private final Map<Digest, Boolean> settled = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Digest, Boolean> eldest) {
      return size() > REMEMBERED;
    }
  };
  private Optional<Digest> suppressedDigest = Optional.empty();
  private Optional<TriggerOutcome> suppressedAs = Optional.empty();
  private ScheduledFuture<?> polling;
  private boolean closed;

  DataTrigger(TriggerGate gate, Supplier<Digest> digest) {
    this.gate = gate;
    this.digest = digest;
  }

  /** @return the trigger's name */
  public String name() {
    return gate.trigger();
  }

  /**
   * Polls the digest on {@code executor} every {@code every}, starting now. A poll that fails
   * (the supplier throws) is logged and the polling goes on.
   *
   * @param executor the host's scheduler; the trigger never shuts it down
   * @param every time between polls, at least 1 ms
   * @return this trigger
   * @throws IllegalArgumentException if every is under 1 ms
   * @throws IllegalStateException if already started or closed
   */
  public synchronized DataTrigger start(ScheduledExecutorService executor, Duration every) {
    Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(every, "every");
    if (every.toMillis() < 1) {
      throw new IllegalArgumentException("poll interval must be at least 1 ms, got " + every);
    }
    if (closed || polling != null) {
      throw new IllegalStateException(this + " is already " + (closed ? "closed" : "started"));
    }
    polling = executor.scheduleWithFixedDelay(() -> {
      try {
        poll();
      } catch (RuntimeException e) {
        LOG.warn("{}: poll failed; polling goes on", this, e);
      }
    }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * Reads the digest once and fires if it is new.
   *
   * @return the record written, or empty if the digest is the one last handled, one this trigger
   *     already recorded as a duplicate, or a suppression of this digest already recorded by this
   *     trigger
   * @throws IllegalStateException if the supplier returns null
   * @throws dev.mlops.CorruptDataException if the stored trigger log or claim is unreadable
   */
  public synchronized Optional<TriggerRecord> poll() {
    Digest current = digest.get();
    if (current == null) {
      throw new IllegalStateException(this + ": the digest supplier returned null");
    }
    if (handled.equals(Optional.of(current))) {
      return Optional.empty();
    }
    if (settled.get(current) != null) {
      // claimed for ever, and this trigger already recorded that it is
      handled = Optional.of(current);
      suppressedDigest = Optional.empty();
      suppressedAs = Optional.empty();
      return Optional.empty();
    }
    Optional<TriggerOutcome> quietIf = suppressedDigest.equals(Optional.of(current)) ? suppressedAs : Optional.empty();
    Optional<TriggerRecord> r = gate.fire("d" + current.hex(), "new data: digest " + current,
        Map.of(PARAM_DIGEST, current.toString()), quietIf);
    TriggerOutcome outcome = r.map(TriggerRecord::outcome).orElseGet(quietIf::orElseThrow);
    if (outcome == TriggerOutcome.COOLDOWN || outcome == TriggerOutcome.CONCURRENCY_CAP) {
      suppressedDigest = Optional.of(current);
      suppressedAs = Optional.of(outcome);
    } else {
      handled = Optional.of(current);
      if (outcome == TriggerOutcome.DUPLICATE || outcome == TriggerOutcome.LOST_RACE) {
        settled.put(current, Boolean.TRUE);
      }
      suppressedDigest = Optional.empty();
      suppressedAs = Optional.empty();
    }
    return r;
  }

  /** Stops polling (a poll under way completes). Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    if (polling != null) {
      polling.cancel(false);
    }
  }

  @Override
  public String toString() {
    return "new-data trigger '" + gate.trigger() + "' of pipeline '" + gate.pipeline() + "'";
  }
}
