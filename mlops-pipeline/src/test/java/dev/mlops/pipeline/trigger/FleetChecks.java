package dev.mlops.pipeline.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.RunInfo;
import dev.mlops.RunStatus;
import dev.mlops.Workspace;
import dev.mlops.pipeline.ExecutionResult;
import dev.mlops.pipeline.ExecutionStatus;
import dev.mlops.pipeline.Pipelines;
import dev.mlops.pipeline.StepResult;
import dev.mlops.pipeline.StepStatus;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks shared by the trigger fleet ITs on {@code file:} and {@code s3:}, after every window:
 * the fleet's executions are exactly those its firings started, one per window, and each one ran
 * the whole {@link TriggerFleetWorker#pipeline} to the end (both steps succeeded once, each in its
 * own ended run tagged with the execution, the log verifies).
 *
 * <p>Not thread-safe; test code.
 */
public final class FleetChecks {
  private FleetChecks() {}

  /**
   * @param ws a workspace on the fleet's store
   * @param pipelines pipelines over it (only read)
   * @param history the trigger history of pipeline {@code fraud}
   * @param windows the number of alarm windows the fleet saw
   */
  public static void eachFiringStartedOneCompletedExecution(Workspace ws, Pipelines pipelines,
      List<TriggerRecord> history, int windows) {
    Set<String> fired = history.stream().filter(r -> r.outcome() == TriggerOutcome.FIRED)
        .map(r -> r.executionId().orElseThrow()).collect(Collectors.toSet());
    assertThat(fired).hasSize(windows);
    assertThat(history).filteredOn(r -> r.outcome() != TriggerOutcome.FIRED)
        .allSatisfy(r -> assertThat(r.executionId()).isEmpty());
    List<String> executions = pipelines.executions("fraud");
    assertThat(executions).as("executions in the store").containsExactlyInAnyOrderElementsOf(fired);
    for (String id : executions) {
      ExecutionResult r = pipelines.status("fraud", id);
      assertThat(r.status()).as(id + ": " + r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(r.steps()).containsOnlyKeys("prepare", "train");
      for (StepResult step : r.steps().values()) {
        assertThat(step.status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(step.failedAttempts()).isZero();
        Optional<RunInfo> run = step.run().map(ws.experiments()::getRun);
        assertThat(run).as("run of " + id + "/" + step.step()).isPresent();
        assertThat(run.get().status()).isEqualTo(RunStatus.FINISHED);
        assertThat(run.get().tags()).containsEntry("pipeline.execution", id).containsEntry("pipeline.step", step.step());
      }
      assertThat(pipelines.verify("fraud", id).ok()).isTrue();
    }
  }
}
