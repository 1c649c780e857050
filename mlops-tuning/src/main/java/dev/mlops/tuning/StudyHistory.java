package dev.mlops.tuning;

import java.util.List;
import java.util.Objects;

/**
 * What a sampler or pruner sees of a study: its direction and its trials by number (the trial
 * being sampled is not among them).
 *
 * <p>Immutable and thread-safe.
 *
 * @param direction minimize or maximize
 * @param trials the other trials, ordered by number
 */
public record StudyHistory(Direction direction, List<TrialRecord> trials) {
  /** Validates and copies. */
  public StudyHistory {
    Objects.requireNonNull(direction, "direction");
    trials = List.copyOf(trials);
  }

  /** @return the trials that completed with a value */
  public List<TrialRecord> complete() {
    return trials.stream().filter(t -> t.state() == TrialState.COMPLETE).toList();
  }
}
