package dev.mlops.tuning;

import dev.mlops.Run;
import dev.mlops.RunId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One evaluation of the objective: it suggests parameters (each logged as a param of the trial's
 * run), reports intermediate values (logged as the run's metric series) and asks the study's
 * pruner whether to stop.
 *
 * <p>Suggesting a parameter twice with the same distribution returns the same value; with a
 * different distribution it throws {@link IllegalArgumentException} naming the parameter.
 *
 * <p>Not thread-safe; confine to the thread running the objective.
 */
public final class Trial {
  private final int number;
  private final Run run;
  private final Study study;
  private final StudyHistory history;
  private final StudyHistory prunerHistory;
  private final Map<String, Map.Entry<Param, Double>> joint;
  private final Map<String, Param> distributions = new LinkedHashMap<>();
  private final Map<String, Double> values = new LinkedHashMap<>();
  private final TreeMap<Long, Double> intermediate = new TreeMap<>();
  private Optional<String> pruneReason = Optional.empty();
  private java.time.Instant lastBeat;

  Trial(int number, Run run, Study study, StudyHistory history, StudyHistory prunerHistory,
      Map<String, Map.Entry<Param, Double>> joint) {
    this.number = number;
    this.run = run;
    this.study = study;
    this.history = history;
    this.prunerHistory = prunerHistory;
    this.joint = joint;
    this.lastBeat = study.clock().instant();
  }

  /** @return the trial number, from 0 */
  public int number() {
    return number;
  }

  /** @return the run recording this trial; the objective may log to it (artifacts, metrics) */
  public Run run() {
    return run;
  }

  /** @return the run's id */
  public RunId runId() {
    return run.id();
  }

  /**
   * Suggests a real value in {@code [low, high]}.
   *
   * @param name the parameter name
   * @param low lower bound
   * @param high upper bound
   * @param log whether the scale is logarithmic
   * @return the value
   * @throws IllegalArgumentException naming the parameter for an inverted range, a non-positive
   *     log bound, or a different range than an earlier suggestion of the same name
   */
  public double suggestFloat(String name, double low, double high, boolean log) {
    return suggest(new FloatParam(name, low, high, log));
  }

  /**
   * Suggests a real value in {@code [low, high]} on a linear scale.
   *
   * @param name the parameter name
   * @param low lower bound
   * @param high upper bound
   * @return the value
   * @throws IllegalArgumentException as {@link #suggestFloat(String, double, double, boolean)}
   */
  public double suggestFloat(String name, double low, double high) {
    return suggestFloat(name, low, high, false);
  }

  /**
   * Suggests an integer {@code low, low + step, ... <= high}.
   *
   * @param name the parameter name
   * @param low lowest value
   * @param high highest value
   * @param step grid step
   * @param log whether the scale is logarithmic (then step must be 1)
   * @return the value
   * @throws IllegalArgumentException naming the parameter as {@link IntParam} does, or for a
   *     different range than an earlier suggestion of the same name
   */
  public long suggestInt(String name, long low, long high, long step, boolean log) {
    return (long) suggest(new IntParam(name, low, high, step, log));
  }

  /**
   * Suggests an integer in {@code [low, high]}, step 1, linear scale.
   *
   * @param name the parameter name
   * @param low lowest value
   * @param high highest value
   * @return the value
   * @throws IllegalArgumentException as {@link #suggestInt(String, long, long, long, boolean)}
   */
  public long suggestInt(String name, long low, long high) {
    return suggestInt(name, low, high, 1, false);
  }

  /**
   * Suggests one of the choices.
   *
   * @param name the parameter name
   * @param choices the choices
   * @return the chosen one
   * @throws IllegalArgumentException naming the parameter when there are no choices, or for other
   *     choices than an earlier suggestion of the same name
   */
  public String suggestCategorical(String name, List<String> choices) {
    CategoricalParam p = new CategoricalParam(name, choices);
    return p.choices().get((int) suggest(p));
  }

  /**
   * Suggests one of the choices.
   *
   * @param name the parameter name
   * @param choices the choices
   * @return the chosen one
   * @throws IllegalArgumentException as {@link #suggestCategorical(String, List)}
   */
  public String suggestCategorical(String name, String... choices) {
    return suggestCategorical(name, List.of(choices));
  }

  /**
   * @param name a suggested real parameter
   * @return its value
   * @throws IllegalArgumentException if no real parameter of that name was suggested
   */
  public double floatValue(String name) {
    return value(name, FloatParam.class);
  }

  /**
   * @param name a suggested integer parameter
   * @return its value
   * @throws IllegalArgumentException if no integer parameter of that name was suggested
   */
  public long intValue(String name) {
    return (long) value(name, IntParam.class);
  }

  /**
   * @param name a suggested categorical parameter
   * @return its value
   * @throws IllegalArgumentException if no categorical parameter of that name was suggested
   */
  public String categoricalValue(String name) {
    return ((CategoricalParam) distributions.get(name)).choices().get((int) value(name, CategoricalParam.class));
  }

  /**
   * @param name a parameter name
   * @return whether this trial has that parameter (false for a conditional one that does not apply)
   */
  public boolean has(String name) {
    return distributions.containsKey(name);
  }

  /**
   * Records an intermediate value: kept for the pruner and logged as the run's metric
   * {@link Study#INTERMEDIATE_METRIC} at {@code step}; also renews the trial's lease (a
   * {@link TrialEvent.Heartbeat} at most every third of the study's lease).
   *
   * @param step the step (epoch, iteration), {@code >= 0}
   * @param value the value; must not be NaN
   * @throws IllegalArgumentException if step is negative or value NaN
   */
  public void report(long step, double value) {
    if (step < 0) {
      throw new IllegalArgumentException("trial " + number + ": step must be >= 0, got " + step);
    }
    if (Double.isNaN(value)) {
      throw new IllegalArgumentException("trial " + number + ": reported value at step " + step + " is NaN");
    }
    intermediate.put(step, value);
    run.logMetric(Study.INTERMEDIATE_METRIC, value, step);
    study.appendEvent(new TrialEvent.Reported(number, step, value));
    java.time.Instant now = study.clock().instant();
    if (!now.isBefore(lastBeat.plus(study.lease().dividedBy(3)))) {
      study.appendEvent(new TrialEvent.Heartbeat(number, now));
      lastBeat = now;
    }
  }

  /**
   * Asks the study's pruner whether to stop now; if so, the objective should throw
   * {@link TrialPrunedException}.
   *
   * @return whether to prune
   */
  public boolean shouldPrune() {
    pruneReason = study.pruner().prune(prunerHistory, snapshot());
    return pruneReason.isPresent();
  }

  Optional<String> pruneReason() {
    return pruneReason;
  }


  Optional<String> displayed(String name) {
    Param p = distributions.get(name);
    return p == null ? Optional.empty() : Optional.of(p.display(values.get(name)));
  }

  /** Suggests (or returns the earlier suggestion of) a parameter. */
  double suggest(Param param) {
    Objects.requireNonNull(param, "param");
    Param earlier = distributions.get(param.name());
    if (earlier != null) {
      if (!earlier.equals(param)) {
        throw new IllegalArgumentException("parameter '" + param.name() + "' suggested twice with different "
            + "distributions: first " + earlier + ", now " + param);
      }
      return values.get(param.name());
    }
    Map.Entry<Param, Double> fixed = joint.get(param.name());
    double v = fixed != null && fixed.getKey().equals(param)
        ? fixed.getValue()
        : study.sampler().sample(history, snapshot(), param);
    if (!param.contains(v)) {
      throw new IllegalStateException("sampler " + study.sampler() + " returned " + v + " for " + param);
    }
    distributions.put(param.name(), param);
    values.put(param.name(), v);
    run.logParam(param.name(), param.display(v));
    study.appendEvent(new TrialEvent.Suggested(number, param, v));
    return v;
  }

  TrialRecord snapshot() {
    return new TrialRecord(number, run.id(), TrialState.RUNNING, distributions, values, Optional.empty(),
        intermediate, Optional.empty());
  }

  private double value(String name, Class<? extends Param> kind) {
    Param p = distributions.get(name);
    if (!kind.isInstance(p)) {
      throw new IllegalArgumentException("trial " + number + " has no " + kind.getSimpleName() + " '" + name
          + "'; it has " + distributions.keySet());
    }
    return values.get(name);
  }
}
