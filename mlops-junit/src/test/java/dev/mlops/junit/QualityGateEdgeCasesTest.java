package dev.mlops.junit;

import static dev.mlops.junit.QualityGateAssertions.assertThatModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Mlops;
import dev.mlops.Registration;
import dev.mlops.Run;
import dev.mlops.Workspace;
import dev.mlops.pipeline.Decision;
import dev.mlops.pipeline.QualityGates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Quality gates on bad values: NaN metrics on either side, a minimum improvement that is negative
 * or NaN (which would let a regression pass, or fail everything without saying why), a NaN
 * threshold, and a metric missing on one side. Each is a clear error or failure naming the value.
 */
class QualityGateEdgeCasesTest {
  private final Workspace ws = Mlops.open("mem:gate-edges");

  @AfterEach
  void close() {
    ws.close();
  }

  private int version(String metric, double value) {
    Run run = ws.experiments().startRun("train");
    run.logMetric(metric, value);
    run.close();
    return ws.registry().register("churn", Registration.builder().trainingRun(run.id()).build()).version();
  }

  private void production(int version) {
    ws.registry().approve("churn", version, "lead", "ok");
    ws.registry().setAlias("churn", "production", version);
  }

  @Test
  void aMinimumImprovementThatIsNegativeOrNaNIsRejectedNamingIt() {
    production(version("auc", 0.80));
    int worse = version("auc", 0.70);
    assertThatThrownBy(() -> assertThatModel(ws, "churn/" + worse).beats("production", "auc", -0.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minImprovement").hasMessageContaining("-0.5");
    assertThatThrownBy(() -> assertThatModel(ws, "churn/" + worse).beats("production", "auc", Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minImprovement").hasMessageContaining("NaN");
    assertThatThrownBy(() -> QualityGates.challenge(ws, 0.9, "churn", "production", "auc", true, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
  }

  @Test
  void aNaNThresholdIsRejectedNamingIt() {
    int v = version("auc", 0.80);
    assertThatThrownBy(() -> assertThatModel(ws, "churn/" + v).hasMetricAtLeast("auc", Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threshold").hasMessageContaining("NaN");
  }

  @Test
  void aNaNChallengerFailsTheGateSayingSo() {
    int nan = version("auc", Double.NaN);
    assertThatThrownBy(() -> assertThatModel(ws, "churn/" + nan).beats("production", "auc", 0))
        .as("no champion yet: still not a pass").isInstanceOf(AssertionError.class).hasMessageContaining("not a number");
    production(version("auc", 0.80));
    assertThatThrownBy(() -> assertThatModel(ws, "churn/" + nan).beats("production", "auc", 0))
        .isInstanceOf(AssertionError.class).hasMessageContaining("churn/" + nan).hasMessageContaining("NaN")
        .hasMessageContaining("not a number");
    assertThatThrownBy(() -> assertThatModel(ws, "churn/" + nan).hasMetricAtLeast("auc", 0.5))
        .isInstanceOf(AssertionError.class).hasMessageContaining("auc = NaN is not >= 0.5");
    Decision d = QualityGates.challenge(ws, Double.NaN, "churn", "production", "auc", false, 0);
    assertThat(d.passed()).isFalse();
  }

  @Test
  void aNaNChampionIsAnErrorNamingTheChampion() {
    int champion = version("auc", Double.NaN);
    production(champion);
    int challenger = version("auc", 0.9);
    assertThatThrownBy(() -> assertThatModel(ws, "churn/" + challenger).beats("production", "auc", 0))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("churn/" + champion).hasMessageContaining("NaN");
  }

  @Test
  void aMetricMissingOnEitherSideIsAnErrorNamingTheVersionAndMetric() {
    int champion = version("loss", 0.2);
    production(champion);
    int challenger = version("auc", 0.9);
    assertThatThrownBy(() -> assertThatModel(ws, "churn/" + challenger).beats("production", "auc", 0))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("churn/" + champion)
        .hasMessageContaining("no metric 'auc'");
    assertThatThrownBy(() -> assertThatModel(ws, "churn/" + challenger).beats("production", "loss", 0))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("churn/" + challenger)
        .hasMessageContaining("no metric 'loss'");
  }
}
