package dev.mlops.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BiasAnalysisTest {

  /**
   * The worked example of the Clarify documentation's CDD page: in college admissions, women are
   * 46% of the rejected applicants and 32% of the accepted ones, so DD(women) = 0.46 - 0.32 = 0.14
   * and DD(men) = 0.54 - 0.68 = -0.14.
   */
  @Test
  void demographicDisparityMatchesTheClarifyDocumentationExample() {
    List<String> sex = new ArrayList<>();
    List<String> admitted = new ArrayList<>();
    addRows(sex, admitted, "woman", "no", 46);
    addRows(sex, admitted, "man", "no", 54);
    addRows(sex, admitted, "woman", "yes", 32);
    addRows(sex, admitted, "man", "yes", 68);
    Table t = Table.builder().categorical("sex", sex).categorical("admitted", admitted).build();
    Condition label = Condition.equalTo("admitted", "yes");
    assertThat(BiasAnalysis.analyze(t, BiasSpec.of(Condition.equalTo("sex", "woman"), label)).value(BiasMetric.CDDL))
        .isCloseTo(0.14, within(1e-12));
    assertThat(BiasAnalysis.analyze(t, BiasSpec.of(Condition.equalTo("sex", "man"), label)).value(BiasMetric.CDDL))
        .isCloseTo(-0.14, within(1e-12));
  }

  /**
   * The reason the Clarify documentation gives for CDD, Simpson's paradox: in a company of two job
   * groups (A: 350 men with 105 promoted, 150 women with 45; B: 150 men with 15, 350 women with
   * 35) women are 52.5% of the not promoted and 40% of the promoted overall (DD = 0.125), yet
   * within each group their shares are equal (0.3/0.3 and 0.7/0.7), so CDD = 0.
   */
  @Test
  void conditioningOnTheGroupRemovesASimpsonsParadoxDisparity() {
    List<String> sex = new ArrayList<>();
    List<String> promoted = new ArrayList<>();
    List<String> group = new ArrayList<>();
    int[][] rows = {{0, 0, 105, 245}, {0, 1, 45, 105}, {1, 0, 15, 135}, {1, 1, 35, 315}}; // group, woman, promoted, not
    for (int[] r : rows) {
      for (int k = 0; k < r[2] + r[3]; k++) {
        group.add(r[0] == 0 ? "A" : "B");
        sex.add(r[1] == 1 ? "woman" : "man");
        promoted.add(k < r[2] ? "yes" : "no");
      }
    }
    Table t = Table.builder().categorical("sex", sex).categorical("promoted", promoted).categorical("group", group).build();
    BiasSpec spec = BiasSpec.of(Condition.equalTo("sex", "woman"), Condition.equalTo("promoted", "yes"));
    assertThat(BiasAnalysis.analyze(t, spec).value(BiasMetric.CDDL)).isCloseTo(420.0 / 800 - 80.0 / 200, within(1e-12));
    assertThat(BiasAnalysis.analyze(t, spec.withGroup("group")).value(BiasMetric.CDDL)).isCloseTo(0, within(1e-12));
  }

  private static void addRows(List<String> a, List<String> b, String va, String vb, int n) {
    a.addAll(Collections.nCopies(n, va));
    b.addAll(Collections.nCopies(n, vb));
  }

  @Test
  void tableAnalysisEqualsTheCountsOfTheSameRows() {
    // the hand example of BiasCountsTest as a table, with a numeric facet threshold and a score threshold
    List<Double> age = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    List<Double> score = new ArrayList<>();
    int[][] cells = {{30, 10, 20, 40}, {5, 5, 15, 25}}; // tp, fp, fn, tn for a (age 30) and d (age 70)
    for (int f = 0; f < 2; f++) {
      double a = f == 0 ? 30 : 70;
      addCells(age, y, score, a, 1, 0.9, cells[f][0]);
      addCells(age, y, score, a, 0, 0.8, cells[f][1]);
      addCells(age, y, score, a, 1, 0.1, cells[f][2]);
      addCells(age, y, score, a, 0, 0.2, cells[f][3]);
    }
    Table t = Table.builder().numeric("age", unbox(age)).numeric("y", unbox(y)).numeric("score", unbox(score)).build();
    BiasReport r = BiasAnalysis.analyze(t, BiasSpec.of(Condition.above("age", 60), Condition.equalTo("y", "1"))
        .withPrediction(Condition.above("score", 0.5)));
    assertThat(r.facetDRows()).isEqualTo(50);
    assertThat(r.facetARows()).isEqualTo(100);
    List<MetricValue> expected = BiasCountsTest.handExample().all();
    assertThat(r.metrics()).isEqualTo(expected);
  }

  private static void addCells(List<Double> age, List<Double> y, List<Double> score, double a, double label, double s, int n) {
    for (int i = 0; i < n; i++) {
      age.add(a);
      y.add(label);
      score.add(s);
    }
  }

  private static double[] unbox(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static Table small() {
    return Table.builder()
        .categorical("sex", "f", "m", "f", "m", "m", "f")
        .categorical("y", "1", "0", "0", "1", "1", "0")
        .numeric("age", new double[] {20, 30, 40, 50, 60, 70})
        .build();
  }

  @Test
  void aFacetValueThatDoesNotOccurIsAnErrorNamingColumnAndValues() {
    assertThatThrownBy(() -> BiasAnalysis.analyze(small(), BiasSpec.of(Condition.equalTo("sex", "x"), Condition.equalTo("y", "1"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sex = x").hasMessageContaining("'sex'").hasMessageContaining("[f, m]");
    assertThatThrownBy(() -> BiasAnalysis.analyze(small(), BiasSpec.of(Condition.above("age", 99), Condition.equalTo("y", "1"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("age > 99.0").hasMessageContaining("selects no row").hasMessageContaining("[20.0, 70.0]");
    assertThatThrownBy(() -> BiasAnalysis.analyze(small(), BiasSpec.of(Condition.in("sex", Set.of("f", "m")), Condition.equalTo("y", "1"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("every row");
    assertThatThrownBy(() -> BiasAnalysis.analyze(small(), BiasSpec.of(Condition.equalTo("nope", "x"), Condition.equalTo("y", "1"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no column 'nope'");
  }

  @Test
  void aSingleClassLabelIsAnError() {
    assertThatThrownBy(() -> BiasAnalysis.analyze(small(), BiasSpec.of(Condition.equalTo("sex", "f"), Condition.equalTo("y", "2"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("y = 2").hasMessageContaining("single-class").hasMessageContaining("[1, 0]");
  }

  @Test
  void mismatchedLengthsAndNanValuesAreErrorsNamingTheColumn() {
    assertThatThrownBy(() -> Table.builder().numeric("a", new double[3]).numeric("b", new double[4]).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'b' has 4 rows").hasMessageContaining("'a' has 3");
    Table nan = Table.builder().numeric("age", new double[] {1, Double.NaN, 3, 4})
        .categorical("y", "1", "0", "1", "0").build();
    assertThatThrownBy(() -> BiasAnalysis.analyze(nan, BiasSpec.of(Condition.above("age", 2), Condition.equalTo("y", "1"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'age' is NaN at row 1");
    assertThatThrownBy(() -> BiasAnalysis.analyze(small(), BiasSpec.of(Condition.above("sex", 1), Condition.equalTo("y", "1"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("categorical");
  }

  @Test
  void groupReasonsNameTheGroupValue() {
    Table t = Table.builder()
        .categorical("sex", "f", "m", "f", "m")
        .categorical("y", "1", "0", "0", "0")
        .categorical("dept", "A", "A", "B", "B")
        .build();
    BiasReport r = BiasAnalysis.analyze(t, BiasSpec.of(Condition.equalTo("sex", "f"), Condition.equalTo("y", "1")).withGroup("dept"));
    assertThat(r.find(BiasMetric.CDDL).orElseThrow().reason()).get().asString().contains("group 'B'");
  }

  @Test
  void flipTestCountsFacetDRowsWhoseFacetANeighboursGetTheOtherPrediction() {
    // d rows at x = 0, 10 predicted 0, 1; their nearest a rows (x = 0.1.., 10.1..) predicted 1, 1
    Table t = Table.builder()
        .categorical("g", "d", "d", "a", "a", "a", "a", "a", "a")
        .numeric("x", new double[] {0, 10, 0.1, 0.2, 0.3, 10.1, 10.2, 10.3})
        .categorical("y", "1", "0", "1", "0", "1", "0", "1", "0")
        .categorical("p", "0", "1", "1", "1", "1", "1", "1", "0")
        .build();
    BiasReport r = BiasAnalysis.analyze(t, BiasSpec.of(Condition.equalTo("g", "d"), Condition.equalTo("y", "1"))
        .withPrediction(Condition.equalTo("p", "1")).withFlipTest(List.of("x"), 3));
    // row 0: predicted 0, neighbours all 1 -> F+; row 1: predicted 1, neighbours 1,1,0 -> no flip
    assertThat(r.value(BiasMetric.FT)).isEqualTo(0.5);
    BiasReport without = BiasAnalysis.analyze(t, BiasSpec.of(Condition.equalTo("g", "d"), Condition.equalTo("y", "1"))
        .withPrediction(Condition.equalTo("p", "1")));
    assertThat(without.value(BiasMetric.FT)).isNaN();
  }
}
