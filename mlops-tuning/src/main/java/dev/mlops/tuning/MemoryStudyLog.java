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
  public synchronized List<TrialEvent> events() {
    return List.copyOf(events);
  }
}
