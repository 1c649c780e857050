package dev.mlops.benchmarks.tuning;

import dev.mlops.RunId;
import dev.mlops.tuning.CategoricalParam;
import dev.mlops.tuning.Direction;
import dev.mlops.tuning.FloatParam;
import dev.mlops.tuning.IntParam;
import dev.mlops.tuning.Param;
import dev.mlops.tuning.Pruner;
import dev.mlops.tuning.Sampler;
import dev.mlops.tuning.StudyHistory;
import dev.mlops.tuning.TrialRecord;
import dev.mlops.tuning.TrialState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Drives a {@link Sampler} (and a {@link Pruner}) the way {@code Study} does — joint sample at
 * trial start, then each suggestion with the history and the trial so far — but without a
 * workspace, so the numbers measure the sampler, not run logging.
 *
 * <p>Not thread-safe: one harness per thread.
 */
final class Harness {
  private static final RunId RUN = RunId.of("bench");
  private final Sampler sampler;
  private final List<TrialRecord> trials = new ArrayList<>();

  Harness(Sampler sampler) {
    this.sampler = sampler;
  }

  List<TrialRecord> trials() {
    return trials;
  }

  StudyHistory history() {
    return new StudyHistory(Direction.MINIMIZE, trials);
  }

  /** One trial in progress. */
  final class Bare implements Objectives.Ask {
    final int number;
    final StudyHistory history;
    final Map<String, Map.Entry<Param, Double>> joint;
    final Map<String, Param> dists = new LinkedHashMap<>();
    final Map<String, Double> values = new LinkedHashMap<>();
    final TreeMap<Long, Double> intermediate = new TreeMap<>();

    Bare(StudyHistory history) {
      this.number = trials.size();
      this.history = history;
      this.joint = sampler.sampleJoint(history, number);
    }

    double suggest(Param p) {
      Map.Entry<Param, Double> fixed = joint.get(p.name());
      double v = fixed != null && fixed.getKey().equals(p) ? fixed.getValue()
          : sampler.sample(history, snapshot(TrialState.RUNNING, Optional.empty()), p);
      dists.put(p.name(), p);
      values.put(p.name(), v);
      return v;
    }

    TrialRecord snapshot(TrialState state, Optional<Double> value) {
      return new TrialRecord(number, RUN, state, dists, values, value, intermediate, Optional.empty());
    }

    @Override
    public double suggestFloat(String name, double low, double high, boolean log) {
      return suggest(new FloatParam(name, low, high, log));
    }

    @Override
    public long suggestInt(String name, long low, long high) {
      return (long) suggest(new IntParam(name, low, high, 1, false));
    }

    @Override
    public String suggestCategorical(String name, List<String> choices) {
      CategoricalParam p = new CategoricalParam(name, choices);
      return choices.get((int) suggest(p));
    }
  }

  /** Starts a trial against the current history. */
  Bare start() {
    return new Bare(history());
  }

  /** Runs one complete trial of {@code objective}; returns its value. */
  double run(Objectives.Named objective) {
    Bare t = start();
    double v = objective.f().applyAsDouble(t);
    trials.add(t.snapshot(TrialState.COMPLETE, Optional.of(v)));
    return v;
  }

  /** Ends a trial as pruned or complete. */
  void end(Bare t, TrialState state, Optional<Double> value) {
    trials.add(t.snapshot(state, value));
  }
}
