package dev.mlops.junit;

import static dev.mlops.junit.QualityGateAssertions.assertThatModel;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Mlops;
import dev.mlops.Registration;
import dev.mlops.Run;
import dev.mlops.Workspace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pipeline's quality gates as JUnit assertions, on versions registered with training runs. */
class QualityGateAssertionsTest {
  private final Workspace ws = Mlops.open("mem:gates");

  @AfterEach
  void close() {
    ws.close();
  }

  private int version(double auc) {
    Run run = ws.experiments().startRun("train");
    run.logMetric("auc", auc);
    run.close();
    return ws.registry().register("churn", Registration.builder().trainingRun(run.id()).build()).version();
  }

  @Test
  void aChallengerMustBeatProductionByTheMinimumImprovement() {
    int champion = version(0.80);
    assertThatCode(() -> assertThatModel(ws, "churn/" + champion).beats("production", "auc", 0.05))
        .as("no production version yet: nothing to beat").doesNotThrowAnyException();
    ws.registry().approve("churn", champion, "lead", "ok");
    ws.registry().setAlias("churn", "production", champion);
    int better = version(0.86);
    int slightlyBetter = version(0.81);
    assertThatCode(() -> assertThatModel(ws, "churn/" + better).beats("production", "auc", 0.05).hasMetricAtLeast("auc", 0.85))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> assertThatModel(ws, "churn/" + slightlyBetter).beats("production", "auc", 0.05))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("model version churn/3 fails the quality gate")
        .hasMessageContaining("churn@production (churn/1) 0.8");
    assertThatThrownBy(() -> assertThatModel(ws, "churn/" + better).beatsOnLowerIsBetter("production", "auc", 0))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> assertThatModel(ws, "churn/" + slightlyBetter).hasMetricAtMost("auc", 0.5))
        .isInstanceOf(AssertionError.class).hasMessageContaining("auc = 0.81 is not <= 0.5");
    assertThatThrownBy(() -> assertThatModel(ws, "churn/" + better).hasMetricAtLeast("loss", 0.1))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("has no metric 'loss'");
  }
}
