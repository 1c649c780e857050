package dev.mlops.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.ApprovalStatus;
import dev.mlops.ModelVersion;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's quickstart, run as a test on a fresh file: store, twice (the second run adds a version). */
class QuickstartTest {
  @Test
  void runsEveryStepOnAFileStore(@TempDir Path dir) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    ModelVersion first = Quickstart.run("file:" + dir.resolve("store"), out);
    ModelVersion second = Quickstart.run("file:" + dir.resolve("store"), out);
    assertThat(first.version()).isEqualTo(1);
    assertThat(second.version()).isEqualTo(2);
    assertThat(second.status()).isEqualTo(ApprovalStatus.APPROVED);
    String printed = buf.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("fraud@production -> version 2")
        .contains("online c42 spend_7d = 120.5 (PRESENT")
        .contains("training set: 2 rows")
        .contains("amount")
        .contains("8. bias (facet region = north): CI 0.")
        .contains("top attributions of score 0.55 (base 0.12): amount +0.307 north +0.119");
    // the planted bias shows: the north facet is predicted positive more often (DPPL < 0, DI > 1)
    assertThat(printed).containsPattern("DPPL -0\\.\\d+, DI [1-9]\\.\\d\\d");
    assertThat(printed).contains("12. scorer@production served version 1; canary of 2 at {1=80.0, 2=20.0}, baked 10 min "
        + "without alarm: promoted, production -> 2").contains("served version 2; canary of 4")
        .containsPattern("12\\. canary of 3: [1-9]\\d* of 2000 requests failed; alarm error-rate \\(error rate .*\\) rolled it "
            + "back, production -> 2").containsPattern("12\\. canary of 5: .* production -> 4");
    // tag updates count as registry entries: 3 per run, plus the baseline tag (step 7) and four
    // drift-window tags (step 10) per run; the second run's step 5 sees 3 + 5 + 3
    assertThat(printed).contains("verified 11 entries");
    assertThat(printed).containsPattern("14\\. stored 4 drift windows of fraud/2 \\([1-4] drifted\\) for the web UI");
    // 9. tuning: some trials pruned, the best printed and registered (fraud-tuned/1, then /2 on the second run)
    assertThat(printed).containsPattern("9\\. tuned learning_rate and l2 with TPE: 30 trials, [1-9]\\d* pruned early; "
            + "best trial \\d+: validation loss 0\\.\\d{4} at learning_rate [0-9.e-]+, l2 [0-9.e-]+; "
            + "registered fraud-tuned/1 \\(training run ")
        .contains("registered fraud-tuned/2 (training run ");
    // 11. the pipeline: the first execution runs every step, the second (and both of the second
    // quickstart run) take prepare, train and evaluate from the cache; each registers a version
    assertThat(printed).containsPattern("11\\. pipeline churn-retrain execution 1 \\(e\\S+\\): SUCCEEDED; from the cache: none; "
            + "gate: evaluate.auc = 0\\.9\\d* is >= 0\\.85; registered churn/1 \\(PENDING_MANUAL_APPROVAL, training run ")
        .contains("from the cache: evaluate, prepare, train; gate: evaluate.auc")
        .contains("registered churn/2 (PENDING_MANUAL_APPROVAL")
        .contains("registered churn/4 (PENDING_MANUAL_APPROVAL")
        .doesNotContain("registered churn/5");
    // 10. data validation: every planted problem of the batch is reported, the clean batch passes
    assertThat(printed).contains("10. verified 2000 rows: FAILED, 5 violations")
        .contains("ERROR COMPLETENESS 'amount'").contains("ERROR CATEGORICAL_VALUES 'country'")
        .contains("ERROR NON_NEGATIVE 'customer_age'").contains("ERROR EXTRA_COLUMN 'debug_flag'")
        .contains("WARNING BASELINE_DRIFT 'amount'")
        .contains("10. quality gate on a clean batch: passed");
    // 13. governance: four-eyes refuses the registrant, a second reviewer approves, card, dry-run GC
    assertThat(printed).contains("13. self-approval refused: four-eyes: ")
        .contains("13. fraud-governed/1 approved by reviewer-bob")
        .contains("13. fraud-governed/2 approved by reviewer-bob")
        .contains("# Model card: fraud-governed/2")
        .contains("13. garbage collection dry run: ")
        .containsPattern("13\\. garbage collection dry run: .*superseded online feature rows: 0 would be deleted, [1-9]\\d* "
            + "within the grace period")
        .doesNotContain("UNEXPECTED");
  }
}
