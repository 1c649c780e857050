package dev.mlops.tuning;

import java.util.ArrayList;
import java.util.List;

/** A {@link StudyLog} in memory. Thread-safe. */
final class MemoryStudyLog implements StudyLog {
  private final List<TrialEvent> events = new ArrayList<>();
  private int next;

  @Override
  public synchronized int start(dev.mlops.RunId run, java.time.Instant at) {
    events.add(new TrialEvent.Started(next, run, at));
    return next++;
  }

  @Override
  public synchronized void append(TrialEvent event) {
    if (java.util.Objects.requireNonNull(event, "event") instanceof TrialEvent.Started) {
      throw new IllegalArgumentException("a trial is started with start(run, at), not append: " + event);
    }
    events.add(event);
  }

  @Override
  public synchronized boolean expire(TrialEvent.Expired expired) {
    boolean already = events.stream()
        .anyMatch(e -> e instanceof TrialEvent.Expired && e.number() == expired.number());
    if (!already) {
      events.add(expired);
    }
    return !already;
  }

  @Override
  public synchronized List<TrialEvent> events() {
    return List.copyOf(events);
  }
}
