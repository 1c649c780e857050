package dev.mlops.junit;

import dev.mlops.drift.DriftReport;

/**
 * AssertJ entry point for drift reports of {@code mlops-drift}, kept apart from
 * {@link MlopsAssertions} so that tests without {@code mlops-drift} on their class path never load
 * a drift type (the dependency of {@code mlops-junit} on {@code mlops-drift} is optional):
 *
 * <pre>{@code
 * import static dev.mlops.junit.DriftAssertions.assertThat;
 *
 * assertThat(monitor.closeWindow())
 *     .hasDatasetDrift()
 *     .hasDriftedFeatures("amount")
 *     .hasVerdict("age", DriftVerdict.NO_DRIFT);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class DriftAssertions {
  private DriftAssertions() {}

  /**
   * @param actual the report of a closed monitoring window
   * @return assertions on it
   */
  public static DriftReportAssert assertThat(DriftReport actual) {
    return new DriftReportAssert(actual);
  }
}
