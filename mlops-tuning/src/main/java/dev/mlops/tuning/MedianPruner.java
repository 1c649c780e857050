package dev.mlops.tuning;

import java.util.List;
import java.util.Optional;

/**
 * The median stopping rule (Golovin et al., "Google Vizier", KDD 2017): a trial is pruned at step
 * {@code s} when its best intermediate value so far is worse than the median of the values the
 * completed trials reported at step {@code s}. No trial is pruned before {@code nStartupTrials}
 * trials completed, before step {@code nWarmupSteps}, or between checks every
 * {@code intervalSteps} steps.
 *
 * <p>Immutable and thread-safe.
 */
public final class MedianPruner implements Pruner {
  private final int nStartupTrials;
  private final long nWarmupSteps;
  private final long intervalSteps;

  /**
   * @param nStartupTrials completed trials needed before pruning, {@code >= 0}
   * @param nWarmupSteps steps of each trial never pruned, {@code >= 0}
   * @param intervalSteps check every this many steps after the warm-up, {@code >= 1}
   * @throws IllegalArgumentException naming the bad setting
   */
  public MedianPruner(int nStartupTrials, long nWarmupSteps, long intervalSteps) {
    if (nStartupTrials < 0) {
      throw new IllegalArgumentException("nStartupTrials must be >= 0, got " + nStartupTrials);
    }
    if (nWarmupSteps < 0) {
      throw new IllegalArgumentException("nWarmupSteps must be >= 0, got " + nWarmupSteps);
    }
    if (intervalSteps < 1) {
      throw new IllegalArgumentException("intervalSteps must be >= 1, got " + intervalSteps);
    }
    this.nStartupTrials = nStartupTrials;
    this.nWarmupSteps = nWarmupSteps;
    this.intervalSteps = intervalSteps;
  }

  /** Optuna's documented defaults: 5 startup trials, no warm-up, every step. */
  public MedianPruner() {
    this(5, 0, 1);
  }

  @Override
  public Optional<String> prune(StudyHistory history, TrialRecord current) {
    Optional<Long> last = current.lastStep();
    if (last.isEmpty()) {
      return Optional.empty();
    }
    long step = last.get();
    if (step < nWarmupSteps || (step - nWarmupSteps) % intervalSteps != 0) {
      return Optional.empty();
    }
    List<TrialRecord> complete = history.complete();
    if (complete.size() < nStartupTrials) {
      return Optional.empty();
    }
    double[] others = complete.stream()
        .map(t -> t.intermediate().get(step))
        .filter(v -> v != null)
        .mapToDouble(Double::doubleValue)
        .sorted()
        .toArray();
    if (others.length == 0) {
      return Optional.empty();
    }
    Direction d = history.direction();
    double best = current.intermediate().headMap(step + 1).values().stream()
        .mapToDouble(Double::doubleValue)
        .reduce((a, b) -> d.better(a, b) ? a : b)
        .orElseThrow();
    double median = median(others);
    if (d.better(median, best)) {
      return Optional.of("median rule: best intermediate value " + best + " by step " + step
          + " is worse than the median " + median + " of " + others.length + " completed trials at that step");
    }
    return Optional.empty();
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  @Override
  public String toString() {
    return "MedianPruner[nStartupTrials=" + nStartupTrials + ", nWarmupSteps=" + nWarmupSteps + ", intervalSteps="
        + intervalSteps + "]";
  }
}
