package dev.mlops.tuning;

import java.util.ArrayList;
import java.util.List;

/** A {@link StudyLog} in memory. Thread-safe. */
final class MemoryStudyLog implements StudyLog {
  private final List<TrialEvent> events = new ArrayList<>();
  private int next;

  @Override
  public synchronized int nextTrialNumber() {
    return next++;
  }

  @Override
  public synchronized void append(TrialEvent event) {
    events.add(java.util.Objects.requireNonNull(event, "event"));
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
