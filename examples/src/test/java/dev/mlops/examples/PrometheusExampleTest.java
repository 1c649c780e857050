package dev.mlops.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PrometheusExampleTest {
  @Test
  void printsTheDriftOfEachFeatureInPrometheusFormat() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    String scrape = PrometheusExample.run(new PrintStream(bytes, true, StandardCharsets.UTF_8)).scrape();
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("mlops_monitor_feature_drift{feature=\"amount\",model=\"fraud\"} 1")
        .contains("mlops_monitor_feature_drift{feature=\"score\",model=\"fraud\"} 0");
    assertThat(scrape).contains("mlops_registry_cache_hits_total{store=\"mem\"}")
        .contains("# TYPE mlops_monitor_feature_statistic gauge");
  }
}
