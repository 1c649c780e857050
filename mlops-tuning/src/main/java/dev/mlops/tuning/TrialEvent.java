package dev.mlops.tuning;

import dev.mlops.RunId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of a study's log. A study's state is the replay of its events
 * ({@link StudyLog#trials()}), so the log can later live in the object store as append-only
 * entries that several processes write.
 *
 * <p>Implementations are immutable and thread-safe records.
 */
public sealed interface TrialEvent {
  /** @return the trial the event belongs to */
  int number();

  /**
   * A trial began; its run exists.
   *
   * @param number the trial number
   * @param run the run recording it
   * @param at when
   */
  record Started(int number, RunId run, Instant at) implements TrialEvent {
    /** Validates. */
    public Started {
      Objects.requireNonNull(run, "run");
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * A parameter was suggested.
   *
   * @param number the trial number
   * @param param the parameter
   * @param value its internal value
   */
  record Suggested(int number, Param param, double value) implements TrialEvent {
    /** Validates. */
    public Suggested {
      Objects.requireNonNull(param, "param");
      if (!param.contains(value)) {
        throw new IllegalArgumentException("parameter '" + param.name() + "': " + value + " is outside " + param);
      }
    }
  }

  /**
   * The objective reported an intermediate value.
   *
   * @param number the trial number
   * @param step the step
   * @param value the value
   */
  record Reported(int number, long step, double value) implements TrialEvent {}

  /**
   * A trial ended.
   *
   * @param number the trial number
   * @param state COMPLETE, PRUNED or FAILED
   * @param value the value when COMPLETE
   * @param reason why it was pruned or failed
   * @param at when
   */
  record Ended(int number, TrialState state, Optional<Double> value, Optional<String> reason, Instant at)
      implements TrialEvent {
    /** Validates. */
    public Ended {
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(at, "at");
      if (state == TrialState.RUNNING) {
        throw new IllegalArgumentException("trial " + number + ": an Ended event cannot have state RUNNING");
      }
      if ((state == TrialState.COMPLETE) != value.isPresent()) {
        throw new IllegalArgumentException("trial " + number + ": a value is present exactly when COMPLETE, got "
            + state + " with " + value);
      }
    }
  }

  /**
   * The trial's owner is alive (written by {@link Trial#report} at most every third of the
   * study's lease).
   *
   * @param number the trial number
   * @param at when
   */
  record Heartbeat(int number, Instant at) implements TrialEvent {
    /** Validates. */
    public Heartbeat {
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * Another worker found the trial's lease expired and failed it. Final: an {@link Ended} its
   * owner writes afterwards (or before, if it is listed first) does not change the outcome.
   *
   * @param number the trial number
   * @param reason why, naming the last sign of life and the lease
   * @param at when
   */
  record Expired(int number, String reason, Instant at) implements TrialEvent {
    /** Validates. */
    public Expired {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(at, "at");
    }
  }
}
