package dev.mlops.junit;

import dev.mlops.ArtifactRef;
import dev.mlops.Artifacts;
import dev.mlops.ModelRegistry;
import dev.mlops.RunInfo;
import dev.mlops.VerifyReport;
import dev.mlops.features.FeatureValue;
import dev.mlops.features.OnlineResult;

/**
 * AssertJ entry points for mlops types, for users' own tests:
 *
 * <pre>{@code
 * import static dev.mlops.junit.MlopsAssertions.assertThat;
 *
 * assertThat(workspace.registry())
 *     .hasVersions("fraud", 1, 2)
 *     .hasAlias("fraud", "production", 2)
 *     .hasIntactLog("fraud");
 * assertThat(run.info()).hasStatus(RunStatus.FINISHED).hasParam("lr", "0.01");
 * assertThat(workspace.artifacts()).hasContent(ref.digest(), "weights");
 * assertThat(features.online("u1", "user:age")).hasValue("user:age", 42);
 * }</pre>
 *
 * <p>The methods overload AssertJ's {@code Assertions.assertThat}; both can be imported statically
 * in one test class. Drift reports have their own entry point, {@link DriftAssertions}, so that this
 * class needs no {@code mlops-drift} on the class path.
 *
 * <p>Immutable and thread-safe.
 */
public final class MlopsAssertions {
  private MlopsAssertions() {}

  /**
   * @param actual the registry to check (reads go through its cache, like the application's)
   * @return assertions on it
   */
  public static ModelRegistryAssert assertThat(ModelRegistry actual) {
    return new ModelRegistryAssert(actual);
  }

  /**
   * @param actual a run's recorded state
   * @return assertions on it
   */
  public static RunInfoAssert assertThat(RunInfo actual) {
    return new RunInfoAssert(actual);
  }

  /**
   * @param actual the outcome of {@link ModelRegistry#verify}
   * @return assertions on it
   */
  public static VerifyReportAssert assertThat(VerifyReport actual) {
    return new VerifyReportAssert(actual);
  }

  /**
   * @param actual a workspace's artifact store
   * @return assertions on what it holds (existence, content, size, media type)
   */
  public static ArtifactsAssert assertThat(Artifacts actual) {
    return new ArtifactsAssert(actual);
  }

  /**
   * @param actual a reference to stored content
   * @return assertions on its digest, size, media type and metadata
   */
  public static ArtifactRefAssert assertThat(ArtifactRef actual) {
    return new ArtifactRefAssert(actual);
  }

  /**
   * @param actual one feature as read online
   * @return assertions on its status, value and age
   */
  public static FeatureValueAssert assertThat(FeatureValue actual) {
    return new FeatureValueAssert(actual);
  }

  /**
   * @param actual the features of one entity as read online
   * @return assertions on each requested feature
   */
  public static OnlineResultAssert assertThat(OnlineResult actual) {
    return new OnlineResultAssert(actual);
  }
}
