package dev.mlops.ui;

import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.Registration;
import dev.mlops.RunId;
import dev.mlops.Workspace;
import dev.mlops.drift.BaselineProfile;
import dev.mlops.drift.Baselines;
import dev.mlops.drift.CategoricalFeature;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.PredictionMonitor;
import dev.mlops.drift.Windowing;
import dev.mlops.features.Entity;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureView;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A populated store for the UI tests: runs with curves, a hostile run, models, a baseline with windows, a feature view. */
final class UiFixture {
  static final String XSS = "<script>alert(1)</script>";
  static final String EXPERIMENT = "churn";
  static final int CHURN_RUNS = 8;
  static final int STEPS = 20;
  static final int WINDOWS = 6;
  static final int DRIFTED_WINDOWS = 3;
  static final List<String> NUMERIC = List.of("age", "income");
  static final CategoricalFeature PLAN = CategoricalFeature.of("plan", "basic", "pro", "<b>enterprise</b>");

  final List<RunId> churnRuns = new ArrayList<>();
  RunId hostileRun;
  RunId emptyRun;
  BaselineProfile baseline;
  final List<DriftReport> reports = new ArrayList<>();

  static UiFixture populate(Workspace ws) {
    UiFixture f = new UiFixture();
    for (int i = 0; i < CHURN_RUNS; i++) {
      int n = i;
      f.churnRuns.add(ws.experiments().runWithoutResult(EXPERIMENT, "gbm-" + i, run -> {
        run.logParam("learning_rate", Double.toString(0.01 * (n + 1)));
        run.logParam("max_depth", Integer.toString(3 + n % 4));
        run.setTag("team", n % 2 == 0 ? "growth" : "risk");
        for (int s = 0; s < STEPS; s++) {
          run.logMetric("loss", 1.0 / (1 + s * (0.05 + 0.02 * n)), s);
          run.logMetric("accuracy", 0.5 + 0.4 * (1 - Math.exp(-s * (0.1 + 0.03 * n))), s);
        }
      }));
    }
    f.hostileRun = ws.experiments().runWithoutResult("hostile", XSS, run -> {
      run.logParam("note", "\"quoted\" 'single' & <b>bold</b> </svg>");
      run.setTag("comment", "<img src=x onerror=alert(2)>");
      run.logMetric("loss", 0.5, 0);
      run.logMetric("loss", 0.25, 1);
    });
    f.emptyRun = ws.experiments().runWithoutResult("hostile", "no-metrics", run -> run.logParam("p", "1"));

    ArtifactRef weights = ws.artifacts().put("model weights".getBytes(StandardCharsets.UTF_8),
        new ArtifactSpec("application/octet-stream", Map.of()));
    ws.registry().register("churn-model", Registration.builder().artifact("model.bin", weights)
        .trainingRun(f.churnRuns.get(0)).description("first gradient-boosted model " + XSS).tag("owner", XSS).build());
    ws.registry().approve("churn-model", 1, "alice", "looks good");
    ws.registry().setAlias("churn-model", "prod", 1);
    ws.registry().register("churn-model", Registration.builder().artifact("model.bin", weights)
        .trainingRun(f.churnRuns.get(1)).parentVersion(1).description("second").build());

    Random random = new Random(42);
    SteppingClock clock = new SteppingClock(Instant.parse("2026-11-01T00:00:00Z"));
    BaselineProfile.Fitter fitter = BaselineProfile.fitter(NUMERIC, List.of(PLAN));
    for (int i = 0; i < 5_000; i++) {
      fitter.add(new double[] {30 + 8 * random.nextGaussian(), 50_000 + 12_000 * random.nextGaussian()},
          new int[] {random.nextInt(3)});
    }
    f.baseline = fitter.build();
    Baselines.save(ws, "churn-model", 1, f.baseline);
    PredictionMonitor monitor = PredictionMonitor.builder(f.baseline).windowing(Windowing.manual()).clock(clock).build();
    for (int w = 0; w < WINDOWS; w++) {
      boolean drift = w >= WINDOWS - DRIFTED_WINDOWS;
      for (int i = 0; i < 2_000; i++) {
        double age = (drift ? 45 : 30) + 8 * random.nextGaussian();
        double income = (drift ? 65_000 : 50_000) + 12_000 * random.nextGaussian();
        int plan = drift ? (random.nextDouble() < 0.8 ? 2 : random.nextInt(3)) : random.nextInt(3);
        monitor.record(new double[] {age, income}, new int[] {plan}, random.nextDouble());
      }
      clock.advance(Duration.ofHours(1));
      DriftReport r = monitor.closeWindow();
      f.reports.add(r);
      DriftWindows.save(ws, "churn-model", 1, r.snapshot());
    }

    ws.features().apply(Entity.of("customer", "customer_id"));
    ws.features().apply(FeatureView.builder("customer_stats", "customer").feature("age", FeatureType.DOUBLE)
        .feature("plan", FeatureType.STRING).ttl(Duration.ofDays(1)).owner("data-team")
        .description("per-customer aggregates " + XSS).tag("pii", "no").build());
    return f;
  }


  /** A clock the fixture moves by hand, so windows have distinct, ordered times. */
  static final class SteppingClock extends Clock {
    private volatile Instant now;

    SteppingClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
