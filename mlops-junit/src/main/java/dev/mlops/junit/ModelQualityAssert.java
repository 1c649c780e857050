package dev.mlops.junit;

import dev.mlops.ModelVersion;
import dev.mlops.Workspace;
import dev.mlops.pipeline.Decision;
import dev.mlops.pipeline.QualityGates;
import org.assertj.core.api.AbstractAssert;

/**
 * Quality gates on one model version: a metric of its training run against a threshold, or
 * against the version an alias points at. Created by {@link QualityGateAssertions#assertThatModel}.
 *
 * <p>Not thread-safe; confine to one thread (as AssertJ assertions are).
 */
public final class ModelQualityAssert extends AbstractAssert<ModelQualityAssert, ModelVersion> {
  private final Workspace ws;

  ModelQualityAssert(Workspace ws, ModelVersion actual) {
    super(actual, ModelQualityAssert.class);
    this.ws = ws;
  }

  /**
   * @param metric a metric of the version's training run
   * @param threshold the least value that passes
   * @return this
   */
  public ModelQualityAssert hasMetricAtLeast(String metric, double threshold) {
    return check(QualityGates.compare(metric, QualityGates.metricOf(ws, actual, metric), threshold, true));
  }

  /**
   * @param metric a metric of the version's training run
   * @param threshold the greatest value that passes
   * @return this
   */
  public ModelQualityAssert hasMetricAtMost(String metric, double threshold) {
    return check(QualityGates.compare(metric, QualityGates.metricOf(ws, actual, metric), threshold, false));
  }

  /**
   * Passes when this version's metric (higher is better) exceeds that of the version
   * {@code alias} points at by at least {@code minImprovement}, or when the alias points nowhere.
   *
   * @param alias e.g. {@code production}
   * @param metric a metric recorded on both training runs
   * @param minImprovement the least improvement, >= 0
   * @return this
   */
  public ModelQualityAssert beats(String alias, String metric, double minImprovement) {
    return challenge(alias, metric, true, minImprovement);
  }

  /**
   * Like {@link #beats} for a metric where lower is better (a loss or an error rate).
   *
   * @param alias e.g. {@code production}
   * @param metric a metric recorded on both training runs
   * @param minImprovement the least decrease, >= 0
   * @return this
   */
  public ModelQualityAssert beatsOnLowerIsBetter(String alias, String metric, double minImprovement) {
    return challenge(alias, metric, false, minImprovement);
  }

  private ModelQualityAssert challenge(String alias, String metric, boolean higherIsBetter, double minImprovement) {
    return check(QualityGates.challenge(ws, QualityGates.metricOf(ws, actual, metric), actual.model(), alias, metric,
        higherIsBetter, minImprovement));
  }

  private ModelQualityAssert check(Decision d) {
    isNotNull();
    if (!d.passed()) {
      failWithMessage("model version %s fails the quality gate: %s", actual.ref(), d.reason());
    }
    return this;
  }
}
