package dev.mlops.tuning;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Hyperband (Li et al., "Hyperband: A Novel Bandit-Based Approach to Hyperparameter
 * Optimization", JMLR 2018) run asynchronously: {@code floor(log_eta(maxResource / minResource)) + 1}
 * brackets, each a {@link SuccessiveHalvingPruner} whose first rung is one step of {@code eta}
 * later than the previous bracket's. Each trial belongs to one bracket, chosen from its number with
 * probability proportional to Hyperband's bracket sizes (the most aggressive bracket gets the most
 * trials), and is compared only with the trials of its bracket.
 *
 * <p>Immutable and thread-safe.
 */
public final class HyperbandPruner implements Pruner {
  private final long minResource;
  private final long maxResource;
  private final int reductionFactor;
  private final List<SuccessiveHalvingPruner> brackets = new ArrayList<>();
  private final long[] cumulativeWeights;

  /**
   * @param minResource the first rung's step in the most aggressive bracket, {@code >= 1}
   * @param maxResource the steps a full trial runs, {@code >= minResource}
   * @param reductionFactor eta, {@code >= 2}
   * @throws IllegalArgumentException naming the bad setting
   */
  public HyperbandPruner(long minResource, long maxResource, int reductionFactor) {
    if (minResource < 1) {
      throw new IllegalArgumentException("minResource must be >= 1, got " + minResource);
    }
    if (maxResource < minResource) {
      throw new IllegalArgumentException("maxResource must be >= minResource " + minResource + ", got " + maxResource);
    }
    if (reductionFactor < 2) {
      throw new IllegalArgumentException("reductionFactor must be >= 2, got " + reductionFactor);
    }
    this.minResource = minResource;
    this.maxResource = maxResource;
    this.reductionFactor = reductionFactor;
    int sMax = 0;
    while (minResource * Math.pow(reductionFactor, sMax + 1) <= maxResource) {
      sMax++;
    }
    cumulativeWeights = new long[sMax + 1];
    long acc = 0;
    for (int rate = 0; rate <= sMax; rate++) {
      final int bracket = rate;
      brackets.add(new SuccessiveHalvingPruner(minResource, reductionFactor, rate, n -> bracketOf(n) == bracket));
      acc += (long) Math.ceil((sMax + 1.0) / (sMax + 1.0 - rate) * Math.pow(reductionFactor, sMax - rate));
      cumulativeWeights[rate] = acc;
    }
  }

  /** @return how many brackets there are */
  public int brackets() {
    return brackets.size();
  }

  /**
   * @param trialNumber a trial number
   * @return its bracket, 0 the most aggressive
   */
  public int bracketOf(int trialNumber) {
    long total = cumulativeWeights[cumulativeWeights.length - 1];
    long draw = RandomSampler.random(0, trialNumber, "hyperband").nextLong(total);
    int b = 0;
    while (cumulativeWeights[b] <= draw) {
      b++;
    }
    return b;
  }

  @Override
  public Optional<String> prune(StudyHistory history, TrialRecord current) {
    int b = bracketOf(current.number());
    return brackets.get(b).prune(history, current).map(reason -> "hyperband bracket " + b + ": " + reason);
  }

  @Override
  public String toString() {
    return "HyperbandPruner[minResource=" + minResource + ", maxResource=" + maxResource + ", reductionFactor="
        + reductionFactor + ", brackets=" + brackets.size() + "]";
  }
}
