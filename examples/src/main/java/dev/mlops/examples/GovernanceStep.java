package dev.mlops.examples;

import dev.mlops.ApprovalPolicy;
import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.Mlops;
import dev.mlops.ModelVersion;
import dev.mlops.PolicyViolationException;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureStore;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureView;
import dev.mlops.governance.GarbageCollector;
import dev.mlops.governance.GcReport;
import dev.mlops.governance.ModelCard;
import dev.mlops.governance.ModelCards;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Quickstart step 13: governance. A four-eyes + evidence policy on model {@code fraud-governed}
 * refuses the registrant's own approval (and records the refusal), a second reviewer approves,
 * the model card is printed, and a dry-run garbage collection reports what it would delete,
 * superseded online rows of a feature view with a one-day online retention included.
 *
 * <p>Not thread-safe; run from one thread.
 */
final class GovernanceStep {
  private GovernanceStep() {}

  static void run(Workspace ws, PrintStream out) {
    String model = "fraud-governed";
    // the policy is per model and opt-in: the other steps' models keep approving as before
    ws.registry().policies().setPolicy(model, ApprovalPolicy.builder()
        .fourEyes(true)
        .requireMetric("auc", 0.80, 1.0)
        .aliasesRequiringApproval(Set.of("production"))
        .build());
    ModelVersion v = ws.experiments().run("fraud-governed", "gbm", run -> {
      run.logParam("trees", "200");
      run.logMetric("auc", 0.93, 1);
      ArtifactRef weights = ws.artifacts().put("gbm: 200 trees".getBytes(StandardCharsets.UTF_8), ArtifactSpec.of("text/plain"));
      return ws.registry().register(model, Registration.builder().artifact("model.txt", weights).trainingRun(run.id())
          .description("gradient boosting, governed").build());
    });
    String registrant = v.createdBy();
    try {
      ws.registry().approve(model, v.version(), registrant, "my own model looks fine");
      out.println("13. UNEXPECTED: self-approval accepted");
    } catch (PolicyViolationException refused) {
      out.println("13. self-approval refused: " + refused.condition());
    }
    try (Workspace reviewer = Mlops.open(ws.uri(), WorkspaceOptions.builder().actor("reviewer-bob").build())) {
      ModelVersion approved = reviewer.registry().approve(model, v.version(), "reviewer-bob", "auc 0.93 on the holdout");
      out.println("13. " + approved.ref() + " approved by " + approved.approval().orElseThrow().actor()
          + " (registered by " + registrant + ")");
    }
    ModelCards.author(ws, model, v.version(), "Flagging card payments for manual review", "Not for credit decisions");
    ModelCard card = ModelCards.builder(ws).build().card(model, v.version());
    out.println("13. model card:");
    card.toMarkdown().lines().forEach(l -> out.println("    " + l));
    // a feature view that keeps superseded online rows for a day: two pushes a day apart make the
    // older row superseded beyond the retention, which the dry run counts (within the grace period)
    FeatureStore features = ws.features();
    features.apply(FeatureView.builder("customer_spend_daily", "customer").feature("spend", FeatureType.DOUBLE)
        .onlineRetention(Duration.ofDays(1)).build());
    Instant now = Instant.now();
    features.push("customer_spend_daily", List.of(FeatureRow.of("c42", now.minus(Duration.ofDays(3)), Map.of("spend", 80.0))));
    features.push("customer_spend_daily", List.of(FeatureRow.of("c42", now.minus(Duration.ofDays(2)), Map.of("spend", 95.0))));
    GcReport gc = GarbageCollector.builder(ws).gracePeriod(Duration.ofHours(24)).build().run(true);
    out.println("13. garbage collection " + gc);
  }
}
