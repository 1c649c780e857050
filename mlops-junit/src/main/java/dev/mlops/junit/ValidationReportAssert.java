package dev.mlops.junit;

import dev.mlops.data.CheckType;
import dev.mlops.data.Severity;
import dev.mlops.data.ValidationReport;
import dev.mlops.data.Violation;
import java.util.List;
import java.util.stream.Collectors;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a {@link ValidationReport}; obtain with
 * {@link DataQualityAssertions#assertThat(ValidationReport)}. Failure messages list the violations,
 * each with what was observed and expected and example rows.
 *
 * <p>Not thread-safe; confine to one thread.
 */
public final class ValidationReportAssert extends AbstractAssert<ValidationReportAssert, ValidationReport> {

  ValidationReportAssert(ValidationReport actual) {
    super(actual, ValidationReportAssert.class);
  }

  /** @return this, if the report has no ERROR violation (warnings allowed) */
  public ValidationReportAssert hasNoErrors() {
    isNotNull();
    List<Violation> errors = actual.errors();
    if (!errors.isEmpty()) {
      failWithMessage("expected no data-quality errors in %s rows but found %s:%n%s", actual.rows(), errors.size(),
          list(errors));
    }
    return this;
  }

  /** @return this, if the report has no violation at all */
  public ValidationReportAssert hasNoViolations() {
    isNotNull();
    if (!actual.violations().isEmpty()) {
      failWithMessage("expected no data-quality violations in %s rows but found %s:%n%s", actual.rows(),
          actual.violations().size(), list(actual.violations()));
    }
    return this;
  }

  /**
   * @param check a check type
   * @param column a column, or an empty string for a dataset-level check
   * @return this, if the report has a violation of that check on that column
   */
  public ValidationReportAssert hasViolation(CheckType check, String column) {
    isNotNull();
    if (actual.violations().stream().noneMatch(v -> v.check() == check && v.column().equals(column))) {
      failWithMessage("expected a %s violation on %s but the violations are:%n%s", check,
          column.isEmpty() ? "the dataset" : "column '" + column + "'", list(actual.violations()));
    }
    return this;
  }

  /**
   * @param severity a severity
   * @param count the expected number
   * @return this, if the report has exactly that many violations of that severity
   */
  public ValidationReportAssert hasViolationCount(Severity severity, int count) {
    isNotNull();
    long n = actual.violations().stream().filter(v -> v.severity() == severity).count();
    if (n != count) {
      failWithMessage("expected %s %s violations but found %s:%n%s", count, severity, n, list(actual.violations()));
    }
    return this;
  }

  private static String list(List<Violation> violations) {
    return violations.isEmpty() ? "  (none)" : violations.stream().map(v -> "  " + v).collect(Collectors.joining("\n"));
  }
}
