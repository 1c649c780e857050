package dev.mlops.tuning;

import dev.mlops.RunId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where a study keeps its state: trial numbers and an append-only list of {@link TrialEvent}s
 ({@link #start} writes a trial's {@code Started} event, {@link #append} the ones while it
 * runs, {@link #finish} the one that decides how it ended). Implementations: in memory
 * ({@link #inMemory()}) and in an object store ({@link StoreStudyLog}).
 *
 * <p>Implementations must be thread-safe.
 */
public interface StudyLog {
  /**
   * Starts a trial: allocates the next trial number (no gaps, no duplicates) and records its
   * {@link TrialEvent.Started} event in one step, so no number is ever taken without a trial.
   *
   * @param run the run that records the trial, already started
   * @param at when
   * @return the trial number, from 0
   */
  int start(RunId run, java.time.Instant at);

  /**
   * Appends an event of a running trial ({@link TrialEvent.Suggested}, {@link TrialEvent.Reported},
   * {@link TrialEvent.Heartbeat}).
   *
   * @param event the event
   * @throws IllegalArgumentException for a {@code Started}, {@code Ended} or {@code Expired} event
   */
  void append(TrialEvent event);

  /**
   * Decides how a trial ended, at most once per trial whoever calls it: the owner's
   * {@link TrialEvent.Ended} and another worker's {@link TrialEvent.Expired} (its lease ran out)
   * compete for one slot and the first write wins, so the owner and an expiring worker that race
   * agree on the outcome.
   *
   * @param terminal an {@code Ended} or {@code Expired} event
   * @return whether this call decided the trial (false if it had already ended)
   * @throws IllegalArgumentException for any other kind of event
   */
  boolean finish(TrialEvent terminal);

  /**
   * @param event an event
   * @return whether it is an {@code Ended} or {@code Expired} event, which only
   *     {@link #finish} records
   */
  static boolean isTerminal(TrialEvent event) {
    return event instanceof TrialEvent.Ended || event instanceof TrialEvent.Expired;
  }

  /** @return every event so far; each trial's events in the order they were appended */
  List<TrialEvent> events();

  /** @return a new empty log held in memory; thread-safe */
  static StudyLog inMemory() {
    return new MemoryStudyLog();
  }

  /**
   * Replays the events into trial records.
   *
   * @return the trials by number
   * @throws IllegalStateException if an event refers to a trial that has not started
   */
  default List<TrialRecord> trials() {
    return replay(events());
  }

  /**
   * Replays events into trials. Logs written by {@link #finish} hold one terminal event per
   * trial; in a study stored by an earlier version, where both could be present, an
   * {@link TrialEvent.Expired} wins over an {@link TrialEvent.Ended} whichever comes first.
   *
   * @param events events in append order
   * @return the trials they describe, by number
   * @throws IllegalStateException if an event refers to a trial that has not started
   */
  static List<TrialRecord> replay(List<TrialEvent> events) {
    final class Building {
      RunId run;
      TrialState state = TrialState.RUNNING;
      Map<String, Param> dists = new LinkedHashMap<>();
      Map<String, Double> params = new LinkedHashMap<>();
      TreeMap<Long, Double> inter = new TreeMap<>();
      Optional<Double> value = Optional.empty();
      Optional<String> reason = Optional.empty();
      boolean expired;
    }
    TreeMap<Integer, Building> byNumber = new TreeMap<>();
    for (TrialEvent e : events) {
      if (e instanceof TrialEvent.Started s) {
        Building b = new Building();
        b.run = s.run();
        byNumber.put(s.number(), b);
        continue;
      }
      Building b = byNumber.get(e.number());
      if (b == null) {
        throw new IllegalStateException("event " + e + " refers to trial " + e.number() + ", which has not started");
      }
      if (e instanceof TrialEvent.Suggested s) {
        b.dists.put(s.param().name(), s.param());
        b.params.put(s.param().name(), s.value());
      } else if (e instanceof TrialEvent.Reported r) {
        b.inter.put(r.step(), r.value());
      } else if (e instanceof TrialEvent.Ended end) {
        if (!b.expired) {
          b.state = end.state();
          b.value = end.value();
          b.reason = end.reason();
        }
      } else if (e instanceof TrialEvent.Expired x) {
        b.expired = true;
        b.state = TrialState.FAILED;
        b.value = Optional.empty();
        b.reason = Optional.of(x.reason());
      }
    }
    List<TrialRecord> out = new ArrayList<>(byNumber.size());
    byNumber.forEach((n, b) -> out.add(
        new TrialRecord(n, b.run, b.state, b.dists, b.params, b.value, b.inter, b.reason)));
    return out;
  }
}
