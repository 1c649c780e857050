package dev.mlops.examples;

import dev.mlops.Workspace;
import dev.mlops.data.ConstraintSuggester;
import dev.mlops.data.Constraints;
import dev.mlops.data.DataProfiler;
import dev.mlops.data.DataQualityCheck;
import dev.mlops.data.DataValidator;
import dev.mlops.data.DatasetStatistics;
import dev.mlops.data.Records;
import dev.mlops.data.ValidationReport;
import dev.mlops.data.Violation;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Quickstart step 10, data validation: profile the training data, suggest constraints from it,
 * verify a new batch with planted problems and print the violations; the same check as a
 * pipeline step stores its report in the workspace.
 *
 * <p>Thread-safe (stateless).
 */
final class DataValidationStep {
  private static final String[] COUNTRIES = {"PT", "ES", "FR", "DE"};

  private DataValidationStep() {}

  static void run(Workspace ws, PrintStream out) {
    DatasetStatistics training = DataProfiler.create().profile(Records.of(transactions(5_000, new Random(10), false)));
    out.printf("10. profiled %d training rows: %s; amount mean %.1f, p99 %.1f, ~%d distinct customers%n",
        training.rows(), training.schema(), training.column("amount").mean(),
        training.column("amount").quantile(0.99), (long) training.column("customer_id").distinctCount());

    Constraints constraints = ConstraintSuggester.suggest(training);
    out.printf("10. suggested %d constraints, e.g. %s%n", constraints.constraints().size(),
        constraints.forColumn("country"));

    // A new batch: missing amounts, a new country, negative ages, an extra column, amounts up 40%.
    ValidationReport report = DataValidator.verify(Records.of(transactions(2_000, new Random(11), true)),
        constraints, training);
    out.printf("10. verified %d rows: %s, %d violations%n", report.rows(), report.passed() ? "passed" : "FAILED",
        report.violations().size());
    for (Violation v : report.violations()) {
      out.println("10.   " + v);
    }

    // In a pipeline: the same check, with its report stored as an artifact of the workspace.
    DataQualityCheck.Result gate = DataQualityCheck.run(ws, Records.of(transactions(2_000, new Random(12), false)),
        constraints.without(dev.mlops.data.CheckType.BASELINE_DRIFT, "amount")
            .without(dev.mlops.data.CheckType.BASELINE_DRIFT, "customer_age"));
    out.printf("10. quality gate on a clean batch: %s, report stored as %s%n", gate.passed() ? "passed" : "FAILED",
        gate.stored().digest());
  }

  static List<Map<String, Object>> transactions(int n, Random rnd, boolean planted) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> row = new HashMap<>();
      row.put("customer_id", "c" + (100_000 + i));
      double amount = Math.abs(rnd.nextGaussian() * 100) + 1;
      row.put("amount", planted && rnd.nextDouble() < 0.04 ? null : Double.valueOf(planted ? amount * 1.4 : amount));
      row.put("country", planted && rnd.nextDouble() < 0.02 ? "XX" : COUNTRIES[rnd.nextInt(COUNTRIES.length)]);
      long age = 18 + rnd.nextInt(60);
      row.put("customer_age", planted && rnd.nextDouble() < 0.01 ? -age : age);
      if (planted) {
        row.put("debug_flag", true);
      }
      rows.add(row);
    }
    return rows;
  }
}
