package dev.mlops.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.drift.BaselineProfile;
import dev.mlops.drift.CategoricalFeature;
import dev.mlops.drift.DataQualityRules;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.PredictionMonitor;
import dev.mlops.drift.Windowing;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Batch constraints checked per window by the prediction monitor. */
class MonitorRulesTest {
  private static final CategoricalFeature COUNTRY = CategoricalFeature.of("country", "de", "fr", "it");

  private static BaselineProfile baseline() {
    Random rnd = new Random(1);
    BaselineProfile.Fitter f = BaselineProfile.fitter(List.of("amount", "age"), List.of(COUNTRY));
    for (int i = 0; i < 2_000; i++) {
      f.add(new double[] {Math.abs(rnd.nextGaussian() * 50), 20 + rnd.nextInt(50)}, new int[] {rnd.nextInt(2)});
    }
    return f.build();
  }

  @Test
  void mapsRangesDomainsAndCompletenessAndSaysWhatItCannot() {
    Constraints constraints = new Constraints(List.of(
        new Constraint.Range("age", 18, 99, Severity.ERROR),
        new Constraint.NonNegative("amount", Severity.ERROR),
        new Constraint.Range("amount", -10, 500, Severity.WARNING),
        new Constraint.Domain("country", List.of("de", "fr", "es"), 0.01, Severity.ERROR),
        new Constraint.Completeness("amount", 0.95, Severity.ERROR),
        new Constraint.Unique("amount", Severity.WARNING),
        new Constraint.Range("missing_column", 0, 1, Severity.ERROR)));
    BaselineProfile baseline = baseline();
    DataQualityRules rules = MonitorRules.from(constraints, baseline);
    assertThat(rules.features()).containsExactlyInAnyOrder("age", "amount", "country");
    assertThat(MonitorRules.unmapped(constraints, baseline)).hasSize(3)
        .anySatisfy(l -> assertThat(l).contains("[es]"))
        .anySatisfy(l -> assertThat(l).contains("Unique"))
        .anySatisfy(l -> assertThat(l).contains("missing_column"));

    PredictionMonitor monitor = PredictionMonitor.builder(baseline).windowing(Windowing.manual()).executor(Runnable::run)
        .dataQuality(rules).build();
    for (int i = 0; i < 1_000; i++) {
      // 5% negative amounts (NonNegative and the tighter range), 5% age 10, 5% "it" (not allowed)
      double amount = i % 20 == 0 ? -5 : 10;
      double age = i % 20 == 1 ? 10 : 40;
      int country = i % 20 == 2 ? 2 : 0;
      monitor.record(new double[] {amount, age}, new int[] {country}, 0.5);
    }
    DriftReport report = monitor.closeWindow();
    assertThat(report.check("data-quality-range").orElseThrow().detail()).contains("amount").contains("age");
    assertThat(report.check("data-quality-domain").orElseThrow().detail()).contains("country");
    assertThat(report.alarm()).isTrue();
  }
}
