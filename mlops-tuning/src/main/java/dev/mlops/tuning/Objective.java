package dev.mlops.tuning;

/**
 * The function a study optimizes. It may suggest parameters define-by-run, report intermediate
 * values and stop early when {@link Trial#shouldPrune()} says so by throwing
 * {@link TrialPrunedException}. Throwing anything else, or returning NaN, fails the trial only.
 *
 * <p>Called from the thread that runs {@link Study#optimize}.
 */
@FunctionalInterface
public interface Objective {
  /**
   * @param trial the trial to evaluate
   * @return the objective value
   * @throws Exception if the evaluation fails; the trial is then FAILED and the study goes on
   */
  double evaluate(Trial trial) throws Exception;
}
