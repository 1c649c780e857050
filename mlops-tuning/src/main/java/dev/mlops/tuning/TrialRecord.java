package dev.mlops.tuning;

import dev.mlops.RunId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What is known of one trial: what samplers and pruners read, and what a study reports.
 *
 * <p>Immutable and thread-safe.
 *
 * @param number the trial number, from 0, unique in the study
 * @param run the experiment run that records the trial
 * @param state where the trial is
 * @param distributions the suggested parameters, in suggestion order
 * @param params each suggested parameter's internal value (see {@link Param})
 * @param value the objective value; present only when {@link TrialState#COMPLETE}
 * @param intermediate the values reported by step
 * @param reason why it was pruned or failed; empty otherwise
 */
public record TrialRecord(int number, RunId run, TrialState state, Map<String, Param> distributions,
    Map<String, Double> params, Optional<Double> value, NavigableMap<Long, Double> intermediate,
    Optional<String> reason) {
  /** Validates and copies. */
  public TrialRecord {
    if (number < 0) {
      throw new IllegalArgumentException("trial number must be >= 0, got " + number);
    }
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(state, "state");
    distributions = Collections.unmodifiableMap(new LinkedHashMap<>(distributions));
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    if (!distributions.keySet().equals(params.keySet())) {
      throw new IllegalArgumentException("trial " + number + ": params " + params.keySet()
          + " do not match distributions " + distributions.keySet());
    }
    Objects.requireNonNull(value, "value");
    intermediate = Collections.unmodifiableNavigableMap(new TreeMap<>(intermediate));
    Objects.requireNonNull(reason, "reason");
  }

  /**
   * @param name a parameter name
   * @return the parameter's value as logged on the run, if the trial has it
   */
  public Optional<String> displayed(String name) {
    Param p = distributions.get(name);
    return p == null ? Optional.empty() : Optional.of(p.display(params.get(name)));
  }

  /** @return every parameter as displayed, in suggestion order */
  public Map<String, String> displayedParams() {
    Map<String, String> out = new LinkedHashMap<>();
    distributions.forEach((n, p) -> out.put(n, p.display(params.get(n))));
    return Collections.unmodifiableMap(out);
  }

  /** @return the last reported step, if any */
  public Optional<Long> lastStep() {
    return intermediate.isEmpty() ? Optional.empty() : Optional.of(intermediate.lastKey());
  }
}
