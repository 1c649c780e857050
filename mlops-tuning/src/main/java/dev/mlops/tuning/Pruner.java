package dev.mlops.tuning;

import java.util.Optional;

/**
 * Decides whether a running trial should stop, from the intermediate values it and the other
 * trials reported.
 *
 * <p>Implementations must be thread-safe.
 */
public interface Pruner {
  /**
   * @param history the other trials
   * @param current the running trial, with its intermediate values so far
   * @return the reason to prune it now, or empty to let it go on
   */
  Optional<String> prune(StudyHistory history, TrialRecord current);

  /** @return a pruner that never prunes */
  static Pruner none() {
    return (history, current) -> Optional.empty();
  }
}
