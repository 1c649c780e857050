package dev.mlops.tuning;

import java.util.Map;

/**
 * Chooses parameter values. A sampler is stateless between calls: what it returns depends only on
 * its configuration (including its seed), the history, and the trial, so the same seed and the
 * same history give the same values, in any process.
 *
 * <p>Implementations must be thread-safe.
 */
public interface Sampler {
  /**
   * Samples one parameter of a running trial.
   *
   * @param history the other trials
   * @param current the trial being sampled, with the parameters suggested so far
   * @param param the parameter to sample
   * @return an internal value that {@code param.contains}
   */
  double sample(StudyHistory history, TrialRecord current, Param param);

  /**
   * Samples several parameters jointly when a trial starts (multivariate samplers); a parameter
   * suggested later with the same distribution takes the value returned here.
   *
   * @param history the other trials
   * @param number the new trial's number
   * @return internal values by parameter name, with their distributions; empty by default
   */
  default Map<String, Map.Entry<Param, Double>> sampleJoint(StudyHistory history, int number) {
    return Map.of();
  }
}
