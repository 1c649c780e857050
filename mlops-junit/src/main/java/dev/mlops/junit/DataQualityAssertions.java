package dev.mlops.junit;

import dev.mlops.data.ValidationReport;

/**
 * AssertJ entry point for data-validation reports of {@code mlops-data}, kept apart from
 * {@link MlopsAssertions} so that tests without {@code mlops-data} on their class path never load
 * one of its types (the dependency of {@code mlops-junit} on {@code mlops-data} is optional):
 *
 * <pre>{@code
 * import static dev.mlops.junit.DataQualityAssertions.assertThat;
 *
 * assertThat(DataValidator.verify(Records.csv(batch), constraints)).hasNoErrors();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class DataQualityAssertions {
  private DataQualityAssertions() {}

  /**
   * @param actual a validation report
   * @return assertions on it
   */
  public static ValidationReportAssert assertThat(ValidationReport actual) {
    return new ValidationReportAssert(actual);
  }
}
