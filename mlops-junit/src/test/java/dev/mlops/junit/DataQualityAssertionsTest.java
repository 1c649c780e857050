package dev.mlops.junit;

import static dev.mlops.junit.DataQualityAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.data.CheckType;
import dev.mlops.data.ConstraintSuggester;
import dev.mlops.data.Constraints;
import dev.mlops.data.DataProfiler;
import dev.mlops.data.DataValidator;
import dev.mlops.data.Records;
import dev.mlops.data.Severity;
import dev.mlops.data.ValidationReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Validation report assertions on real reports: a clean batch and one with a new category and nulls. */
class DataQualityAssertionsTest {
  static List<Map<String, Object>> rows(int n, String oddCity) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(Map.of("age", (long) (20 + i % 50), "city", i % 97 == 96 ? oddCity : i % 2 == 0 ? "Porto" : "Lisbon"));
    }
    return rows;
  }

  static final Constraints CONSTRAINTS = ConstraintSuggester.suggest(
      DataProfiler.create().profile(Records.of(rows(1_000, "Porto"))))
      .without(CheckType.BASELINE_DRIFT, "age");

  @Test
  void cleanBatchPasses() {
    ValidationReport report = DataValidator.verify(Records.of(rows(500, "Porto")), CONSTRAINTS);
    assertThat(report).hasNoErrors().hasNoViolations().hasViolationCount(Severity.ERROR, 0);
  }

  @Test
  void failuresListTheViolationsWithExamples() {
    ValidationReport report = DataValidator.verify(Records.of(rows(500, "Atlantis")), CONSTRAINTS);
    assertThat(report).hasViolation(CheckType.CATEGORICAL_VALUES, "city").hasViolationCount(Severity.ERROR, 1);
    assertThatThrownBy(() -> assertThat(report).hasNoErrors()).isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected no data-quality errors in 500 rows but found 1")
        .hasMessageContaining("CATEGORICAL_VALUES 'city'").hasMessageContaining("row 97 'Atlantis'");
    assertThatThrownBy(() -> assertThat(report).hasViolation(CheckType.COMPLETENESS, "age"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("expected a COMPLETENESS violation on column 'age'");
  }
}
