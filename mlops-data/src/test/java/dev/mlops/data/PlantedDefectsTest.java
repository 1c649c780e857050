package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Suggest constraints on clean data, verify a batch with planted defects: every defect is found
 * and nothing else; a clean batch from the same distribution passes with no violation at all.
 */
class PlantedDefectsTest {
  static final String[] CITIES = {"Lisbon", "Porto", "Braga", "Faro", "Coimbra"};

  /** Clean rows: id unique, age 18..80, income lognormal, city of five, score N(50, 10), member boolean. */
  static List<Map<String, Object>> clean(int n, long seed, int firstId) {
    Random r = new Random(seed);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> row = new HashMap<>();
      row.put("id", (long) (firstId + i));
      row.put("age", (long) (18 + r.nextInt(63)));
      row.put("income", Math.exp(10 + 0.5 * r.nextGaussian()));
      row.put("city", CITIES[r.nextInt(CITIES.length)]);
      row.put("score", 50 + 10 * r.nextGaussian());
      row.put("member", r.nextDouble() < 0.3);
      rows.add(row);
    }
    return rows;
  }

  /** The planted defects, in rows chosen at random. */
  static List<Map<String, Object>> defective(int n, long seed) {
    Random r = new Random(seed ^ 0x5DEECE66DL);
    List<Map<String, Object>> rows = clean(n, seed, 1);
    for (Map<String, Object> row : rows) {
      if (r.nextDouble() < 0.05) {
        row.put("income", null); // nulls in a complete column
      }
      if (r.nextDouble() < 0.03) {
        row.put("city", "Atlantis"); // a new category
      }
      if (r.nextDouble() < 0.01) {
        row.put("age", (long) -(1 + r.nextInt(5))); // negative values
      }
      row.put("debug", "x"); // an extra column
      row.put("score", (Double) row.get("score") + 8); // mean shifted by 0.8 standard deviations
    }
    return rows;
  }

  private static Set<String> found(ValidationReport report) {
    return report.violations().stream().map(v -> v.check() + " " + v.column()).collect(Collectors.toSet());
  }

  @Test
  void findsEveryPlantedDefectAndNothingElse() {
    DatasetStatistics baseline = DataProfiler.create().profile(Records.of(clean(5_000, 1, 1)));
    Constraints constraints = ConstraintSuggester.suggest(baseline);

    ValidationReport report = DataValidator.verify(Records.of(defective(2_000, 2)), constraints, baseline);

    assertThat(found(report)).containsExactlyInAnyOrder(
        "COMPLETENESS income", "CATEGORICAL_VALUES city", "NON_NEGATIVE age", "EXTRA_COLUMN debug",
        "BASELINE_DRIFT score");
    assertThat(report.passed()).isFalse();
    Violation city = report.violations(CheckType.CATEGORICAL_VALUES).get(0);
    assertThat(city.examples()).extracting(Violation.Example::value).containsExactly("Atlantis");
    assertThat(city.share()).isBetween(0.01, 0.05);
    Violation age = report.violations(CheckType.NON_NEGATIVE).get(0);
    assertThat(age.examples()).allSatisfy(e -> assertThat(Long.parseLong(e.value())).isNegative());
    assertThat(age.examples()).allSatisfy(e -> assertThat(e.row()).isBetween(1L, 2_000L));
    assertThat(report.violations(CheckType.BASELINE_DRIFT).get(0).severity()).isEqualTo(Severity.WARNING);
  }

  @Test
  void aCleanBatchHasNoViolation() {
    DatasetStatistics baseline = DataProfiler.create().profile(Records.of(clean(5_000, 1, 1)));
    Constraints constraints = ConstraintSuggester.suggest(baseline);

    ValidationReport report = DataValidator.verify(Records.of(clean(2_000, 3, 1)), constraints, baseline);

    assertThat(report.violations()).isEmpty();
    assertThat(report.passed()).isTrue();
    assertThat(report.rows()).isEqualTo(2_000);
  }

  @Test
  void suggestionsFollowTheDocumentedRules() {
    DatasetStatistics baseline = DataProfiler.create().profile(Records.of(clean(5_000, 1, 1)));
    Constraints c = ConstraintSuggester.suggest(baseline);
    assertThat(c.forColumn("id")).extracting(Constraint::check).containsExactlyInAnyOrder(CheckType.MISSING_COLUMN,
        CheckType.DATA_TYPE, CheckType.COMPLETENESS, CheckType.NON_NEGATIVE, CheckType.UNIQUENESS);
    assertThat(c.forColumn("age")).extracting(Constraint::check).containsExactlyInAnyOrder(CheckType.MISSING_COLUMN,
        CheckType.DATA_TYPE, CheckType.COMPLETENESS, CheckType.NON_NEGATIVE, CheckType.BASELINE_DRIFT);
    assertThat(c.forColumn("city")).extracting(Constraint::check).containsExactlyInAnyOrder(CheckType.MISSING_COLUMN,
        CheckType.DATA_TYPE, CheckType.COMPLETENESS, CheckType.CATEGORICAL_VALUES);
    assertThat(c.forColumn("city")).filteredOn(k -> k instanceof Constraint.Domain)
        .first().extracting(k -> ((Constraint.Domain) k).allowed()).isEqualTo(List.of(CITIES).stream().sorted().toList());
    assertThat(c.forColumn("member")).extracting(Constraint::check).containsExactlyInAnyOrder(CheckType.MISSING_COLUMN,
        CheckType.DATA_TYPE, CheckType.COMPLETENESS, CheckType.CATEGORICAL_VALUES);
    assertThat(c.forColumn("")).extracting(Constraint::check).containsExactlyInAnyOrder(CheckType.ROW_COUNT,
        CheckType.EXTRA_COLUMN);
  }

  @Test
  void editedConstraintsChangeTheVerdict() {
    DatasetStatistics baseline = DataProfiler.create().profile(Records.of(clean(5_000, 1, 1)));
    Constraints c = ConstraintSuggester.suggest(baseline)
        .with(new Constraint.Domain("city", List.of(CITIES), 0.05, Severity.ERROR)) // tolerate 5% outside
        .without(CheckType.EXTRA_COLUMN, "")
        .withSeverity("age", Severity.WARNING)
        .with(new Constraint.Range("score", 0, 100, Severity.ERROR))
        .with(new Constraint.Custom("even-id", "id", v -> (Long) v % 2 == 0, Severity.WARNING));

    ValidationReport report = DataValidator.verify(Records.of(defective(2_000, 2)), c, baseline);

    assertThat(found(report)).contains("COMPLETENESS income", "NON_NEGATIVE age", "BASELINE_DRIFT score", "CUSTOM id")
        .doesNotContain("CATEGORICAL_VALUES city", "EXTRA_COLUMN debug");
    assertThat(report.violations(CheckType.NON_NEGATIVE).get(0).severity()).isEqualTo(Severity.WARNING);
    Violation custom = report.violations(CheckType.CUSTOM).get(0);
    assertThat(custom.failing()).isEqualTo(1_000);
    assertThat(custom.share()).isEqualTo(0.5);
    assertThat(custom.examples()).hasSize(Violation.MAX_EXAMPLES);
  }
}
