package dev.mlops.testkit;

import dev.mlops.ModelRegistry;
import dev.mlops.RunInfo;
import dev.mlops.VerifyReport;

/**
 * AssertJ entry points for mlops types, for users' own tests:
 *
 * <pre>{@code
 * import static dev.mlops.testkit.MlopsAssertions.assertThat;
 *
 * assertThat(workspace.registry())
 *     .hasVersions("fraud", 1, 2)
 *     .hasAlias("fraud", "production", 2)
 *     .hasIntactLog("fraud");
 * assertThat(run.info()).hasStatus(RunStatus.FINISHED).hasParam("lr", "0.01");
 * }</pre>
 *
 * <p>The methods overload AssertJ's {@code Assertions.assertThat}; both can be imported statically
 * in one test class.
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
}
