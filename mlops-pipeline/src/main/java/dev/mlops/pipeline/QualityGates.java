package dev.mlops.pipeline;

import dev.mlops.ModelVersion;
import dev.mlops.RunInfo;
import dev.mlops.Workspace;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The common quality gates, as {@link Condition}s for a condition step and as plain checks (used
 * by {@code dev.mlops.junit.PipelineAssertions} so a CI build can fail on a model that regressed):
 * a metric at least or at most a threshold, and a challenger against the version an alias (say
 * {@code production}) points at, on a metric recorded on both, with a minimum improvement.
 *
 * <p>A model version's metric is read from its training run ({@code lineage().trainingRun()}).
 *
 * <p>Immutable and thread-safe (static methods only).
 */
public final class QualityGates {
  private QualityGates() {}

  /**
   * @param ref a metric output, as {@code step.metric}
   * @param threshold the least value that passes
   * @return a condition holding when the metric is >= threshold
   */
  public static Condition metricAtLeast(String ref, double threshold) {
    return new MetricGate(ref, threshold, true);
  }

  /**
   * @param ref a metric output, as {@code step.metric}
   * @param threshold the greatest value that passes
   * @return a condition holding when the metric is {@code <=} threshold
   */
  public static Condition metricAtMost(String ref, double threshold) {
    return new MetricGate(ref, threshold, false);
  }

  private record MetricGate(String ref, double threshold, boolean atLeast) implements Condition {
    MetricGate {
      Objects.requireNonNull(ref, "ref");
      if (!Double.isFinite(threshold)) {
        throw new IllegalArgumentException("threshold must be finite, got " + threshold);
      }
    }

    @Override
    public Decision decide(ConditionContext ctx) {
      return compare(ref, ctx.input(ref).number(), threshold, atLeast);
    }

    @Override
    public List<String> reads() {
      return List.of(ref);
    }
  }

  /**
   * @param what names the value in the reason
   * @param value the value
   * @param threshold the threshold
   * @param atLeast true for value {@code >=} threshold, false for value {@code <=} threshold
   * @return the decision and a reason naming both values; a NaN value does not pass
   * @throws IllegalArgumentException if the threshold is not a finite number
   */
  public static Decision compare(String what, double value, double threshold, boolean atLeast) {
    if (!Double.isFinite(threshold)) {
      throw new IllegalArgumentException("threshold for " + what + " must be finite, got " + threshold);
    }
    boolean pass = atLeast ? value >= threshold : value <= threshold;
    return new Decision(pass, String.format(Locale.ROOT, "%s = %s %s %s %s", what, value,
        pass ? "is" : "is not", atLeast ? ">=" : "<=", threshold));
  }

  /**
   * A challenger gate: the challenger's metric (an output of this pipeline) must beat the metric of
   * the version {@code model@alias} points at by at least {@code minImprovement}. When the alias
   * points nowhere yet, the challenger passes (there is nothing to beat), and the reason says so.
   *
   * @param challengerRef the challenger's metric output, as {@code step.metric}
   * @param model the model name
   * @param alias the champion's alias, e.g. {@code production}
   * @param metric the metric on the champion's training run
   * @param higherIsBetter direction of the metric
   * @param minImprovement the least improvement that passes, >= 0
   * @return the condition
   */
  public static Condition beatsAlias(String challengerRef, String model, String alias, String metric,
      boolean higherIsBetter, double minImprovement) {
    Objects.requireNonNull(challengerRef, "challengerRef");
    checkMinImprovement(minImprovement);
    return new Condition() {
      @Override
      public Decision decide(ConditionContext ctx) {
        return challenge(ctx.workspace(), ctx.input(challengerRef).number(), model, alias, metric, higherIsBetter,
            minImprovement);
      }

      @Override
      public List<String> reads() {
        return List.of(challengerRef);
      }
    };
  }

  /**
   * Compares a challenger value with the champion version's metric.
   *
   * @param ws the workspace
   * @param challenger the challenger's value of the metric
   * @param model the model name
   * @param alias the champion's alias
   * @param metric the metric name on the champion's training run
   * @param higherIsBetter direction
   * @param minImprovement the least improvement that passes
   * @return the decision; the reason names both values. A NaN challenger does not pass, even when the alias points nowhere.
   * @throws IllegalArgumentException if {@code minImprovement} is negative, NaN or infinite
   * @throws IllegalStateException if the champion has no training run, its run has no such metric,
   *     or the metric is not a finite number there (naming the champion and the value)
   */
  public static Decision challenge(Workspace ws, double challenger, String model, String alias, String metric,
      boolean higherIsBetter, double minImprovement) {
    checkMinImprovement(minImprovement);
    if (Double.isNaN(challenger)) {
      return new Decision(false, String.format(Locale.ROOT, "%s: challenger NaN is not a number; it passes no gate"
          + " against %s@%s", metric, model, alias));
    }
    Optional<ModelVersion> champion = ws.registry().find(model + "@" + alias);
    if (champion.isEmpty()) {
      return new Decision(true, String.format(Locale.ROOT, "%s = %s; no version of %s has alias '%s' yet, nothing to beat",
          metric, challenger, model, alias));
    }
    double best = metricOf(ws, champion.get(), metric);
    if (!Double.isFinite(best)) {
      throw new IllegalStateException("champion " + model + "@" + alias + " (" + champion.get().ref() + ") has metric '"
          + metric + "' = " + best + " on its training run; a challenger cannot be compared with it");
    }
    double gain = higherIsBetter ? challenger - best : best - challenger;
    boolean pass = gain >= minImprovement;
    return new Decision(pass, String.format(Locale.ROOT, "%s: challenger %s vs %s@%s (%s) %s; improvement %s %s required %s",
        metric, challenger, model, alias, champion.get().ref(), best, gain, pass ? ">=" : "<", minImprovement));
  }

  private static void checkMinImprovement(double minImprovement) {
    if (!(minImprovement >= 0) || Double.isInfinite(minImprovement)) {
      throw new IllegalArgumentException("minImprovement must be a finite number >= 0, got " + minImprovement);
    }
  }

  /**
   * @param ws the workspace
   * @param version a model version
   * @param metric a metric name
   * @return the latest value of that metric on the version's training run
   * @throws IllegalStateException naming the version if it has no training run or no such metric
   */
  public static double metricOf(Workspace ws, ModelVersion version, String metric) {
    RunInfo run = ws.experiments().getRun(version.lineage().trainingRun().orElseThrow(() -> new IllegalStateException(
        "model version " + version.ref() + " has no training run to read metric '" + metric + "' from")));
    Double v = run.latestMetrics().get(metric);
    if (v == null) {
      throw new IllegalStateException("model version " + version.ref() + ": its training run " + run.id()
          + " has no metric '" + metric + "' (it has " + new java.util.TreeSet<>(run.latestMetrics().keySet()) + ")");
    }
    return v;
  }
}
