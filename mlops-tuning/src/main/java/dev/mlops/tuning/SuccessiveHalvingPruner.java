package dev.mlops.tuning;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * Asynchronous successive halving (ASHA; Li et al., "A System for Massively Parallel
 * Hyperparameter Tuning", MLSys 2020). Rung {@code k} sits at step
 * {@code minResource * reductionFactor^(minEarlyStoppingRate + k)}. When a trial first reports a
 * step at or beyond a rung, its value there is compared with the values every trial of the study
 * (running, complete or pruned) had at that rung; it goes on only if it is among the best
 * {@code max(1, floor(n / reductionFactor))} of those {@code n}, else it is pruned. A trial's value
 * at a rung is the one it reported at its first step at or beyond the rung.
 *
 * <p>Immutable and thread-safe.
 */
public final class SuccessiveHalvingPruner implements Pruner {
  private final long minResource;
  private final int reductionFactor;
  private final int minEarlyStoppingRate;
  private final IntPredicate sameBracket;

  /**
   * @param minResource the step of the first rung, {@code >= 1}
   * @param reductionFactor {@code >= 2}; about 1 in this many trials is promoted at each rung
   * @param minEarlyStoppingRate rungs skipped at the bottom, {@code >= 0}
   * @throws IllegalArgumentException naming the bad setting
   */
  public SuccessiveHalvingPruner(long minResource, int reductionFactor, int minEarlyStoppingRate) {
    this(minResource, reductionFactor, minEarlyStoppingRate, n -> true);
  }

  /** Optuna's documented defaults with a first rung at step 1: reduction factor 4, no rungs skipped. */
  public SuccessiveHalvingPruner() {
    this(1, 4, 0);
  }

  SuccessiveHalvingPruner(long minResource, int reductionFactor, int minEarlyStoppingRate, IntPredicate sameBracket) {
    if (minResource < 1) {
      throw new IllegalArgumentException("minResource must be >= 1, got " + minResource);
    }
    if (reductionFactor < 2) {
      throw new IllegalArgumentException("reductionFactor must be >= 2, got " + reductionFactor);
    }
    if (minEarlyStoppingRate < 0) {
      throw new IllegalArgumentException("minEarlyStoppingRate must be >= 0, got " + minEarlyStoppingRate);
    }
    this.minResource = minResource;
    this.reductionFactor = reductionFactor;
    this.minEarlyStoppingRate = minEarlyStoppingRate;
    this.sameBracket = sameBracket;
  }

  /** The step of rung k, saturating at Long.MAX_VALUE. */
  long rungStep(int k) {
    double s = minResource * Math.pow(reductionFactor, minEarlyStoppingRate + (double) k);
    return s >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) s;
  }

  @Override
  public Optional<String> prune(StudyHistory history, TrialRecord current) {
    Optional<Long> last = current.lastStep();
    if (last.isEmpty()) {
      return Optional.empty();
    }
    long step = last.get();
    int rung = -1;
    while (rungStep(rung + 1) <= step) {
      rung++;
    }
    if (rung < 0) {
      return Optional.empty();
    }
    long rungAt = rungStep(rung);
    // the decision at this rung was taken when the trial first crossed it
    Long previous = current.intermediate().lowerKey(step);
    if (previous != null && previous >= rungAt) {
      return Optional.empty();
    }
    double mine = current.intermediate().get(step);
    List<Double> values = new ArrayList<>();
    values.add(mine);
    for (TrialRecord t : history.trials()) {
      if (t.number() == current.number() || !sameBracket.test(t.number())) {
        continue;
      }
      Map.Entry<Long, Double> at = t.intermediate().ceilingEntry(rungAt);
      if (at != null) {
        values.add(at.getValue());
      }
    }
    Direction d = history.direction();
    values.sort((a, b) -> Double.compare(d.loss(a), d.loss(b)));
    int promote = Math.max(1, values.size() / reductionFactor);
    double cutoff = values.get(promote - 1);
    if (d.better(cutoff, mine)) {
      return Optional.of("successive halving: value " + mine + " at rung " + rung + " (step " + rungAt
          + ") is not among the best " + promote + " of " + values.size() + " trials there (cut-off " + cutoff + ")");
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "SuccessiveHalvingPruner[minResource=" + minResource + ", reductionFactor=" + reductionFactor
        + ", minEarlyStoppingRate=" + minEarlyStoppingRate + "]";
  }
}
