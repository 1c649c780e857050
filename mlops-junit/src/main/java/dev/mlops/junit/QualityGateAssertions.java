package dev.mlops.junit;

import dev.mlops.ModelVersion;
import dev.mlops.Workspace;

/**
 * AssertJ entry point for the quality gates of {@code mlops-pipeline}, so a CI build fails on a
 * model that regressed — the same checks a pipeline's condition step makes
 * ({@code dev.mlops.pipeline.QualityGates}). Kept apart from {@link MlopsAssertions} so that tests
 * without {@code mlops-pipeline} on their class path never load a pipeline type (the dependency
 * is optional):
 *
 * <pre>{@code
 * import static dev.mlops.junit.QualityGateAssertions.assertThatModel;
 *
 * assertThatModel(ws, "churn/7")
 *     .hasMetricAtLeast("auc", 0.80)
 *     .beats("production", "auc", 0.01);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class QualityGateAssertions {
  private QualityGateAssertions() {}

  /**
   * @param ws the workspace holding the model
   * @param ref a model reference ({@code model/version} or {@code model@alias})
   * @return assertions on that version, whose metrics are read from its training run
   * @throws dev.mlops.NotFoundException if the reference does not resolve
   */
  public static ModelQualityAssert assertThatModel(Workspace ws, String ref) {
    ModelVersion version = ws.registry().resolve(ref);
    return new ModelQualityAssert(ws, version);
  }
}
