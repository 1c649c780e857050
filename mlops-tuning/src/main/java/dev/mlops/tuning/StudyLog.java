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
 * ({@link #start} writes a trial's {@code Started} event, {@link #append} the others).
 * Today the only implementation is in memory ({@link #inMemory()}); a store-backed log (trial
 * numbers through the store's create-if-absent, leases, resume) is the next step of the design,
 * see {@code docs/tuning.md}.
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
   * Appends an event.
   *
   * @param event the event
   */
  void append(TrialEvent event);

  /**
   * Records that a trial's lease expired, at most once per trial whoever calls it: several
   * workers may find the same stale trial, one of them wins.
   *
   * @param expired the event
   * @return whether this call recorded it (false if the trial was already expired)
   */
  boolean expire(TrialEvent.Expired expired);

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
   * Replays events into trials. An {@link TrialEvent.Expired} is final: it wins over an
   * {@link TrialEvent.Ended} whichever comes first.
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
