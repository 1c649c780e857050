package dev.mlops.data;

import dev.mlops.drift.BaselineProfile;
import dev.mlops.drift.CategoricalFeatureProfile;
import dev.mlops.drift.DataQualityRules;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Turns batch {@link Constraints} into the per-window {@link DataQualityRules} the prediction
 * monitor checks on live traffic, so one edited set of constraints serves both: a training-data
 * check in CI or a pipeline, and the serving-time counters.
 *
 * <p>Mapping, for columns the monitor's baseline has: {@link Constraint.Range} → a range;
 * {@link Constraint.NonNegative} → a range {@code [0, +inf)} (combined with a Range on the same
 * column: the tighter bounds); {@link Constraint.Domain} → the allowed categories the baseline
 * knows (the monitor can only name categories of its baseline; the others are left out and
 * listed by {@link #unmapped}); {@link Constraint.Completeness} → a minimum completeness. The
 * monitor's largest tolerated violation share is the largest {@code toleratedShare} of the domain
 * constraints (0 if none). Other kinds (type, uniqueness, distinct counts, string length, regex,
 * row count, custom predicates, baseline drift — the monitor does its own drift tests) have no
 * per-record counterpart and are not mapped.
 *
 * <p>Stateless and thread-safe.
 */
public final class MonitorRules {
  private MonitorRules() {}

  /**
   * @param constraints the constraints
   * @param baseline the monitor's baseline
   * @return rules for the monitor's builder ({@code PredictionMonitor.Builder.dataQuality})
   */
  public static DataQualityRules from(Constraints constraints, BaselineProfile baseline) {
    Objects.requireNonNull(constraints, "constraints");
    Objects.requireNonNull(baseline, "baseline");
    Set<String> numeric = new HashSet<>(baseline.numericNames());
    DataQualityRules.Builder b = DataQualityRules.builder();
    java.util.Map<String, double[]> bounds = new java.util.HashMap<>();
    double share = 0;
    for (Constraint c : constraints.constraints()) {
      if (c instanceof Constraint.Range r && numeric.contains(r.column())) {
        tighten(bounds, r.column(), r.min(), r.max());
      } else if (c instanceof Constraint.NonNegative n && numeric.contains(n.column())) {
        tighten(bounds, n.column(), 0, Double.POSITIVE_INFINITY);
      } else if (c instanceof Constraint.Domain d) {
        List<String> known = known(baseline, d);
        if (!known.isEmpty()) {
          b.domain(d.column(), known);
          share = Math.max(share, d.toleratedShare());
        }
      } else if (c instanceof Constraint.Completeness k && hasFeature(baseline, k.column())) {
        b.completeness(k.column(), k.minShare());
      }
    }
    bounds.forEach((column, r) -> b.range(column, r[0], r[1]));
    return b.maxViolationShare(share).build();
  }

  /**
   * @param constraints the constraints
   * @param baseline the monitor's baseline
   * @return a line per constraint (or part of one) that {@link #from} could not map, saying why
   */
  public static List<String> unmapped(Constraints constraints, BaselineProfile baseline) {
    List<String> out = new ArrayList<>();
    Set<String> numeric = new HashSet<>(baseline.numericNames());
    for (Constraint c : constraints.constraints()) {
      if (c instanceof Constraint.Range r && !numeric.contains(r.column())
          || c instanceof Constraint.NonNegative n && !numeric.contains(n.column())) {
        out.add(c + ": the baseline has no numeric feature of that name");
      } else if (c instanceof Constraint.Domain d) {
        List<String> known = known(baseline, d);
        if (known.size() < d.allowed().size()) {
          List<String> missing = new ArrayList<>(d.allowed());
          missing.removeAll(known);
          out.add(c + ": categories " + missing + " are not in the baseline, so the monitor cannot name them");
        }
      } else if (c instanceof Constraint.Completeness k && !hasFeature(baseline, k.column())) {
        out.add(c + ": the baseline has no feature of that name");
      } else if (!(c instanceof Constraint.Range || c instanceof Constraint.NonNegative || c instanceof Constraint.Completeness
          || c instanceof Constraint.Domain)) {
        out.add(c + ": no per-record counterpart in the monitor");
      }
    }
    return out;
  }

  private static void tighten(java.util.Map<String, double[]> bounds, String column, double min, double max) {
    double[] r = bounds.computeIfAbsent(column, k -> new double[] {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY});
    r[0] = Math.max(r[0], min);
    r[1] = Math.min(r[1], max);
  }

  private static boolean hasFeature(BaselineProfile baseline, String column) {
    return baseline.findNumeric(column).isPresent() || baseline.findCategorical(column).isPresent();
  }

  private static List<String> known(BaselineProfile baseline, Constraint.Domain d) {
    return baseline.findCategorical(d.column()).map(CategoricalFeatureProfile::feature)
        .map(f -> d.allowed().stream().filter(f.categories()::contains).toList()).orElse(List.of());
  }
}
