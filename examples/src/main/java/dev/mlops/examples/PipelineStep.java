package dev.mlops.examples;

import dev.mlops.Digest;
import dev.mlops.ModelVersion;
import dev.mlops.Workspace;
import dev.mlops.pipeline.ExecutionResult;
import dev.mlops.pipeline.Pipeline;
import dev.mlops.pipeline.Pipelines;
import dev.mlops.pipeline.QualityGates;
import dev.mlops.pipeline.Step;
import dev.mlops.pipeline.StepResult;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Quickstart step 11: a four-step pipeline (prepare, train, evaluate, gate + register) run twice;
 * the second execution is served from the step cache. Each step is an experiment run; the
 * registered version has lineage to the execution, its training run and its dataset.
 *
 * <p>Not thread-safe; a quickstart step.
 */
final class PipelineStep {
  private PipelineStep() {}

  static Pipeline pipeline() {
    return Pipeline.builder("churn-retrain")
        .step(Step.task("prepare", ctx -> {
          byte[] rows = ("amount,label\n" + "120.5,0\n".repeat(Integer.parseInt(ctx.parameter("rows"))))
              .getBytes(StandardCharsets.UTF_8);
          ctx.artifact("data", rows);
          ctx.dataset("table", Digest.of(rows));
        }).artifacts("data").datasets("table"))
        .step(Step.task("train", ctx -> {
          int rows = ctx.inputBytes("prepare.data").length;
          ctx.artifact("model", ("weights: 0.42 " + rows).getBytes(StandardCharsets.UTF_8));
        }).reads("prepare.data").artifacts("model"))
        .step(Step.task("evaluate", ctx -> ctx.metric("auc", 0.90 + ctx.inputBytes("train.model").length / 1e4))
            .reads("train.model").metrics("auc"))
        .step(Step.condition("gate", QualityGates.metricAtLeast("evaluate.auc", 0.85)).ifTrue("register"))
        .step(Step.register("register", "churn").artifact("model/weights.txt", "train.model")
            .dataset("prepare.table").trainingRunOf("train"))
        .build();
  }

  static void run(Workspace ws, PrintStream out) {
    Pipeline pipeline = pipeline();
    try (Pipelines pipelines = Pipelines.on(ws)) {
      for (int i = 1; i <= 2; i++) {
        ExecutionResult r = pipelines.run(pipeline, Map.of("rows", "500"));
        List<String> cached = r.steps().values().stream().filter(StepResult::cacheHit).map(StepResult::step).sorted().toList();
        ModelVersion v = ws.registry().get("churn", Integer.parseInt(r.step("register").output("version").value()));
        out.printf("11. pipeline %s execution %d (%s): %s; from the cache: %s; gate: %s; registered %s (%s, training run %s)%n",
            pipeline.name(), i, r.executionId(), r.status(), cached.isEmpty() ? "none" : String.join(", ", cached),
            r.step("gate").reason(), v.ref(), v.status(), v.lineage().trainingRun().orElseThrow());
      }
    }
  }
}
