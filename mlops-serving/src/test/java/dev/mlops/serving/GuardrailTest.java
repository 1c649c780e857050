package dev.mlops.serving;

import static dev.mlops.serving.Fixture.MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Workspace;
import dev.mlops.drift.PageHinkley;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GuardrailTest {
  final Fixture f = new Fixture();
  final Workspace ws = f.mem();

  @AfterEach
  void close() {
    ws.close();
  }

  private void twoVersions() {
    Fixture.register(ws, true);
    Fixture.register(ws, true);
    ws.registry().setAlias(MODEL, "production", 1);
  }

  @Test
  void aDriftDetectorFedWithTheCandidatesLossRollsTheCanaryBack() {
    twoVersions();
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", new Fixture.Loader())
        .autoRefresh(false).guardrail(Guardrail.drift("loss", () -> PageHinkley.builder().build())).build()) {
      ep.deployments().start(DeploymentPlan.canary(2, 50, Duration.ofMinutes(10)));
      ep.refresh();
      for (int i = 0; i < 4_000; i++) {
        String key = "k" + i;
        int v = ep.predict(key, "x");
        // the candidate's loss jumps after a while; the baseline's stays flat
        double loss = v == 2 && i > 2_000 ? 5.0 : 0.1;
        ep.recordOutcome(key, "loss", loss);
      }
      ep.refresh();
      assertThat(ep.status().routes()).isEqualTo(Map.of(1, 100.0));
      DeploymentRecord alarm = ep.deployments().history().get(1);
      assertThat(alarm.type()).isEqualTo("ALARM");
      assertThat(alarm.details()).containsEntry("alarm", "drift-loss").containsEntry("version", "2");
    }
  }

  @Test
  void aLatencyPercentileAboveTheLimitRollsTheCanaryBack() {
    twoVersions();
    PredictorLoader<String, Integer> slowV2 = v -> in -> {
      if (v.version() == 2) {
        Thread.sleep(3);
      }
      return v.version();
    };
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", slowV2).autoRefresh(false)
        .guardrail(Guardrail.latency(0.9, Duration.ofMillis(1), 10)).build()) {
      ep.deployments().start(DeploymentPlan.canary(2, 50, Duration.ofMinutes(10)));
      ep.refresh();
      for (int i = 0; i < 400; i++) {
        ep.predict("k" + i, "x");
      }
      ep.refresh();
      assertThat(ep.status().routes()).isEqualTo(Map.of(1, 100.0));
      assertThat(ep.deployments().history().get(1).details()).containsEntry("alarm", "latency-p90");
    }
  }

  @Test
  void aQualityMetricBelowItsFloorRollsBackAndAHealthyCandidateIsLeftAlone() {
    twoVersions();
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", new Fixture.Loader())
        .autoRefresh(false).guardrail(Guardrail.metricAtLeast("accuracy", 0.8, 50))
        .guardrail(Guardrail.errorRate(0.01, 50)).build()) {
      ep.deployments().start(DeploymentPlan.canary(2, 50, Duration.ofMinutes(10)));
      ep.refresh();
      for (int i = 0; i < 400; i++) {
        ep.predict("k" + i, "x");
        ep.recordOutcome("k" + i, "accuracy", 0.9);
      }
      ep.refresh();
      assertThat(ep.status().active()).isPresent();
      for (int i = 0; i < 2_000; i++) {
        ep.recordOutcome("k" + i, "accuracy", 0.5);
      }
      ep.refresh();
      assertThat(ep.status().active()).isEmpty();
      assertThat(ep.deployments().history().get(1).details()).containsEntry("alarm", "metric-accuracy");
    }
  }

  @Test
  void badParametersAreRefused() {
    assertThatThrownBy(() -> Guardrail.errorRate(1.5, 10)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1.5");
    assertThatThrownBy(() -> Guardrail.latency(0.95, Duration.ofMillis(5), 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.95");
  }
}
