package dev.mlops.featurestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;
import dev.mlops.features.Entity;
import dev.mlops.features.FeatureStore;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureView;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** With mlops-features on the class path, {@code Workspace.features()} finds it through the SPI. */
class WorkspaceFeaturesTest {

  @Test
  void aWorkspaceFindsTheFeatureStoreAndPassesItsOptions() {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    try (Workspace ws = Mlops.open("mem:", WorkspaceOptions.builder().clock(Clock.fixed(t0, ZoneOffset.UTC)).build())) {
      FeatureStore features = ws.features();
      assertThat(features).isInstanceOf(ObjectStoreFeatureStore.class).isSameAs(ws.features());
      features.apply(Entity.of("customer", "customer_id"));
      assertThat(features.findEntity("customer").orElseThrow().registeredAt()).as("the workspace's clock")
          .isEqualTo(t0);
    }
  }

  @Test
  void closingTheWorkspaceClosesItsFeatureStore() {
    FeatureStore features;
    try (Workspace ws = Mlops.open("mem:")) {
      features = ws.features();
      features.apply(Entity.of("customer", "customer_id"));
      features.apply(FeatureView.builder("stats", "customer").feature("spend", FeatureType.DOUBLE).build());
    }
    assertThatThrownBy(() -> features.findView("stats")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
