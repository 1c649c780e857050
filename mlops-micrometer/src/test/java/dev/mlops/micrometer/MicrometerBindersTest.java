package dev.mlops.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.mlops.ArtifactSpec;
import dev.mlops.Mlops;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import dev.mlops.drift.BaselineProfile;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.DriftVerdict;
import dev.mlops.drift.PredictionMonitor;
import dev.mlops.drift.Windowing;
import dev.mlops.features.Entity;
import dev.mlops.features.FeatureRef;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureView;
import dev.mlops.features.OnlineReader;
import dev.mlops.features.OnlineVector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MicrometerBindersTest {
  private static BaselineProfile baseline() {
    Random rnd = new Random(1);
    double[][] rows = new double[5_000][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = new double[] {rnd.nextGaussian() * 10 + 50, rnd.nextGaussian()};
    }
    return BaselineProfile.fit(List.of("amount", "score"), rows);
  }

  private static double gauge(MeterRegistry r, String name, String... tags) {
    return r.get(name).tags(tags).gauge().value();
  }

  @Test
  void monitorGaugesShowTheLastClosedWindow() {
    PredictionMonitor monitor = PredictionMonitor.builder(baseline()).windowing(Windowing.manual())
        .executor(Runnable::run).build();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    new PredictionMonitorMetrics(monitor, Tags.of("model", "fraud")).bindTo(meters);
    assertThat(gauge(meters, "mlops.monitor.window.records", "model", "fraud")).isNaN();
    assertThat(gauge(meters, "mlops.monitor.feature.drift", "feature", "amount")).isNaN();

    Random rnd = new Random(2);
    for (int i = 0; i < 4_000; i++) {
      // amount shifted by two standard deviations; score unchanged; every 100th score missing
      monitor.record(new double[] {rnd.nextGaussian() * 10 + 70, i % 100 == 0 ? Double.NaN : rnd.nextGaussian()}, 0.5);
    }
    DriftReport report = monitor.closeWindow();
    assertThat(report.feature("amount").orElseThrow().verdict()).isEqualTo(DriftVerdict.DRIFT);

    assertThat(gauge(meters, "mlops.monitor.window.records", "model", "fraud")).isEqualTo(4_000);
    assertThat(gauge(meters, "mlops.monitor.feature.drift", "feature", "amount")).isEqualTo(1);
    assertThat(gauge(meters, "mlops.monitor.feature.drift", "feature", "score")).isEqualTo(0);
    assertThat(gauge(meters, "mlops.monitor.feature.statistic", "feature", "amount"))
        .isEqualTo(report.feature("amount").orElseThrow().result().orElseThrow().statistic());
    assertThat(gauge(meters, "mlops.monitor.feature.missing", "feature", "score")).isEqualTo(40);
    assertThat(gauge(meters, "mlops.monitor.feature.missing.rate", "feature", "score")).isCloseTo(0.01, within(1e-12));
    assertThat(gauge(meters, "mlops.monitor.drifted.features", "model", "fraud")).isEqualTo(1);
    assertThat(gauge(meters, "mlops.monitor.alarm", "model", "fraud")).isEqualTo(report.alarm() ? 1 : 0);
    assertThat(gauge(meters, "mlops.monitor.prediction.mean", "model", "fraud")).isCloseTo(0.5, within(1e-12));
    assertThat(gauge(meters, "mlops.monitor.window.records.rate", "model", "fraud")).isPositive();
    assertThat(gauge(meters, "mlops.monitor.quality.value", "model", "fraud")).as("no labels joined").isNaN();
  }

  @Test
  void prometheusScrapeNamesEveryFeature() {
    PredictionMonitor monitor = PredictionMonitor.builder(baseline()).windowing(Windowing.manual())
        .executor(Runnable::run).build();
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new PredictionMonitorMetrics(monitor, Tags.of("model", "fraud")).bindTo(prometheus);
    Random rnd = new Random(3);
    for (int i = 0; i < 1_000; i++) {
      monitor.record(new double[] {rnd.nextGaussian() * 10 + 50, rnd.nextGaussian()}, 0);
    }
    monitor.closeWindow();
    String scrape = prometheus.scrape();
    assertThat(scrape).contains("mlops_monitor_feature_statistic{feature=\"amount\",model=\"fraud\"}")
        .contains("mlops_monitor_feature_drift{feature=\"score\",model=\"fraud\"} 0")
        .contains("mlops_monitor_window_records{model=\"fraud\"} 1000");
  }

  @Test
  void onlineLookupsCountPresentAndMissingValuesAndAges() {
    try (Workspace ws = Mlops.open("mem:")) {
      ws.features().apply(Entity.of("customer", "customer_id"));
      ws.features().apply(FeatureView.builder("stats", "customer").feature("spend", FeatureType.DOUBLE)
          .ttl(Duration.ofDays(1)).build());
      ws.features().push("stats", List.of(FeatureRow.of("c1", Instant.now().minusSeconds(30), Map.of("spend", 3.0))));
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      OnlineReader reader = OnlineLookupMetrics.metered(ws.features().onlineReader(List.of(new FeatureRef("stats", "spend"))),
          meters, Tags.of("view", "stats"));
      OnlineVector v = new OnlineVector(1);
      assertThat(reader.read("c1", v)).isEqualTo(1);
      assertThat(v.doubleValue(0, -1)).isEqualTo(3.0);
      reader.read("c1", v);
      assertThat(reader.read("nobody", v)).isZero();

      assertThat(meters.get("mlops.features.lookups").counter().count()).isEqualTo(3);
      assertThat(meters.get("mlops.features.values").tags("feature", "stats:spend", "status", "PRESENT").counter().count())
          .isEqualTo(2);
      assertThat(meters.get("mlops.features.values").tags("status", "NOT_FOUND").counter().count()).isEqualTo(1);
      assertThat(meters.get("mlops.features.values").tags("status", "EXPIRED").counter().count()).isZero();
      var age = meters.get("mlops.features.age").summary();
      assertThat(age.count()).isEqualTo(2);
      assertThat(age.max()).isBetween(29.0, 600.0);
    }
  }

  @Test
  void registryCacheCountersAndRefreshLag() throws InterruptedException {
    try (Workspace ws = Mlops.open("mem:")) {
      ws.registry().register("fraud", Registration.builder()
          .artifact("m", ws.artifacts().put("m".getBytes(StandardCharsets.UTF_8), ArtifactSpec.of("text/plain"))).build());
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      new ModelRegistryMetrics(ws.registry(), Tags.of("store", "mem")).bindTo(meters);
      for (int i = 0; i < 10; i++) {
        ws.registry().resolve("fraud/1");
      }
      assertThat(meters.get("mlops.registry.cache.hits").functionCounter().count()).isGreaterThanOrEqualTo(10);
      assertThat(meters.get("mlops.registry.cache.models").gauge().value()).isEqualTo(1);
      assertThat(meters.get("mlops.registry.refresh.lag").gauge().value()).isBetween(0.0, 60.0);
      Thread.sleep(50); // the lag is the age of the cached state: it grows while nothing refreshes it
      assertThat(meters.get("mlops.registry.refresh.lag").gauge().value()).isGreaterThanOrEqualTo(0.05);
      double misses = meters.get("mlops.registry.cache.misses").functionCounter().count();
      ws.registry().find("other/1");
      assertThat(meters.get("mlops.registry.cache.misses").functionCounter().count()).isEqualTo(misses + 1);
    }
  }
}
