package dev.mlops.examples;

import dev.mlops.ModelVersion;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import dev.mlops.serving.DeploymentPlan;
import dev.mlops.serving.DeploymentRecord;
import dev.mlops.serving.Endpoint;
import dev.mlops.serving.Guardrail;
import dev.mlops.serving.PredictionException;
import dev.mlops.serving.PredictorLoader;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Quickstart step 12: serve {@code scorer@production} with a host predictor, canary a new version
 * and watch the guardrail promote it after the bake; then canary a version with an injected error
 * rate and watch the guardrail roll it back. Runs again on the same store (each run adds versions).
 */
final class ServingStep {
  private static final String MODEL = "scorer";

  private ServingStep() {
  }

  /** A clock the step moves forward so the 10-minute bake passes at once. */
  private static final class StepClock extends Clock {
    private volatile Instant now = Instant.now();

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  static void run(Workspace ws, PrintStream out) {
    if (ws.registry().find(MODEL + "@production").isEmpty()) {
      int first = register(ws, "baseline scorer");
      ws.registry().setAlias(MODEL, "production", first);
    }
    int good = register(ws, "retrained scorer");
    int bad = register(ws, "scorer with a broken feature");
    // the host's own predictor: here a toy scorer; version `bad` fails 30 % of its requests
    PredictorLoader<double[], Double> loader = (ModelVersion v) -> x -> {
      if (v.version() == bad && (long) x[0] % 10 < 3) {
        throw new IllegalStateException("feature 'amount' missing");
      }
      return 0.1 * v.version() + x[0] * 0.01;
    };
    StepClock clock = new StepClock();
    try (Endpoint<double[], Double> ep = Endpoint.builder(ws, MODEL, "production", loader).clock(clock)
        .autoRefresh(false).guardrail(Guardrail.errorRate(0.05, 100)).build()) {
      int before = ep.status().aliasTarget().orElseThrow();
      ep.deployments().start(DeploymentPlan.canary(good, 20, Duration.ofMinutes(10)));
      ep.refresh();
      traffic(ep, 2_000);
      String routes = new java.util.TreeMap<>(ep.status().routes()).toString();
      clock.advance(Duration.ofMinutes(11));
      ep.refresh();
      out.printf("12. %s@production served version %d; canary of %d at %s, baked 10 min without alarm: "
          + "promoted, production -> %d%n", MODEL, before, good, routes, ws.registry().resolve(MODEL + "@production").version());

      ep.deployments().start(DeploymentPlan.canary(bad, 20, Duration.ofMinutes(10)));
      ep.refresh();
      int failed = traffic(ep, 2_000);
      ep.refresh();
      List<DeploymentRecord> h = ep.deployments().historyOf(bad);
      DeploymentRecord alarm = h.get(h.size() - 1);
      out.printf("12. canary of %d: %d of 2000 requests failed; alarm %s (%s) rolled it back, production -> %d%n",
          bad, failed, alarm.details().get("alarm"), alarm.details().get("detail"),
          ws.registry().resolve(MODEL + "@production").version());
    }
  }

  private static int register(Workspace ws, String description) {
    int v = ws.registry().register(MODEL, Registration.builder().description(description).build()).version();
    ws.registry().approve(MODEL, v, "reviewer@example.com", "offline metrics fine");
    return v;
  }

  private static int traffic(Endpoint<double[], Double> ep, int n) {
    int failed = 0;
    for (int i = 0; i < n; i++) {
      try {
        ep.predict("customer-" + i, new double[] {i});
      } catch (PredictionException e) {
        failed++;
      }
    }
    return failed;
  }
}
