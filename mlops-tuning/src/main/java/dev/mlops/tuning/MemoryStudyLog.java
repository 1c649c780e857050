package dev.mlops.tuning;

import java.util.ArrayList;
import java.util.List;

/** A {@link StudyLog} in memory. Thread-safe. */
final class MemoryStudyLog implements StudyLog {
  private final List<TrialEvent> events = new ArrayList<>();
  private final java.util.Set<Integer> finished = new java.util.HashSet<>();
  private int next;

  @Override
  public synchronized int start(dev.mlops.RunId run, java.time.Instant at) {
    events.add(new TrialEvent.Started(next, run, at));
    return next++;
  }

  @Override
  public synchronized void append(TrialEvent event) {
    StoreStudyLog.requireRunningEvent(event);
    events.add(event);
  }

  @Override
  public synchronized boolean finish(TrialEvent terminal) {
    StoreStudyLog.requireTerminal(terminal);
    if (!finished.add(terminal.number())) {
      return false;
    }
    events.add(terminal);
    return true;
  }

  @Override
  public synchronized List<TrialEvent> events() {
    return List.copyOf(events);
  }
}
