package dev.mlops.examples;

import dev.mlops.ModelVersion;
import dev.mlops.Workspace;
import dev.mlops.drift.BaselineProfile;
import dev.mlops.drift.Baselines;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.PredictionMonitor;
import dev.mlops.drift.Windowing;
import dev.mlops.ui.DriftWindows;
import dev.mlops.ui.HtmlReports;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Quickstart step 14: monitor four windows of fraud@production traffic whose amounts grow, store
 * them for the web UI ({@link DriftWindows}), and write two self-contained HTML reports (the drift
 * report and the model version page) to {@code target/reports/}.
 */
final class ReportsStep {
  private ReportsStep() {}

  static void run(Workspace ws, PrintStream out) {
    ModelVersion v = ws.registry().resolve("fraud@production");
    BaselineProfile baseline = Baselines.load(ws, "fraud", v.version());
    HourClock clock = new HourClock(Instant.parse("2026-01-05T08:00:00Z"));
    PredictionMonitor monitor = PredictionMonitor.builder(baseline).windowing(Windowing.manual()).clock(clock).build();
    Random rnd = new Random(10);
    List<DriftReport> windows = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      double growth = 1 + 0.25 * w; // amounts grow window by window
      for (int i = 0; i < 2_000; i++) {
        double amount = Math.abs(rnd.nextGaussian() * 100) * growth;
        monitor.record(new double[] {amount}, new int[0], amount > 180 ? 1 : 0);
      }
      clock.now = clock.now.plus(Duration.ofHours(1));
      DriftReport r = monitor.closeWindow();
      windows.add(r);
      DriftWindows.save(ws, "fraud", v.version(), r.snapshot());
    }
    Path dir = Path.of("target", "reports").toAbsolutePath();
    Path drift = dir.resolve("drift-fraud-" + v.version() + ".html");
    Path model = dir.resolve("model-fraud-" + v.version() + ".html");
    try {
      Files.createDirectories(dir);
      Files.writeString(drift, HtmlReports.driftReport("fraud/" + v.version() + " traffic", baseline, windows),
          StandardCharsets.UTF_8);
      Files.writeString(model, HtmlReports.modelVersion(ws, "fraud", v.version()), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the reports to " + dir, e);
    }
    long drifted = windows.stream().filter(DriftReport::datasetDrift).count();
    out.printf("14. stored %d drift windows of %s (%d drifted) for the web UI; wrote %s and %s;"
        + " browse with: mvn -B -q -Pui -pl mlops-ui -am package -DskipTests%n", windows.size(), v.ref(), drifted,
        drift, model.getFileName());
  }

  /** A clock the step moves by hand, one window per hour. Not thread-safe; one monitor reads it. */
  private static final class HourClock extends Clock {
    private Instant now;

    HourClock(Instant start) {
      this.now = start;
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
