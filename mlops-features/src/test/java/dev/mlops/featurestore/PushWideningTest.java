package dev.mlops.featurestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.core.MemObjectStore;
import dev.mlops.features.Entity;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureView;
import dev.mlops.features.OnlineResult;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pushing an int for a DOUBLE feature (and the other lossless widenings) works; lossy ones are refused. */
class PushWideningTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final MemObjectStore store = new MemObjectStore();
  private final ObjectStoreFeatureStore features =
      ObjectStoreFeatureStore.builder(store).clock(Clock.fixed(T0, ZoneOffset.UTC)).build();

  @BeforeEach
  void apply() {
    features.apply(Entity.of("customer", "customer_id"));
    features.apply(FeatureView.builder("stats", "customer").feature("spend", FeatureType.DOUBLE)
        .feature("orders", FeatureType.LONG).build());
  }

  @AfterEach
  void close() {
    features.close();
    store.close();
  }

  private OnlineResult pushAndRead(String key, Object spend, Object orders) {
    features.push("stats", List.of(FeatureRow.of(key, T0.minusSeconds(1), Map.of("spend", spend, "orders", orders))));
    return features.online(key, "stats:spend", "stats:orders");
  }

  @Test
  void intShortByteAndFloatWidenToDoubleAndIntShortByteToLong() {
    OnlineResult r = pushAndRead("c1", 42, 7);
    assertThat(r.get("stats:spend").value()).contains(42.0);
    assertThat(r.get("stats:orders").value()).contains(7L);
    assertThat(pushAndRead("c2", (short) -3, (byte) 5).get("stats:spend").value()).contains(-3.0);
    assertThat(pushAndRead("c3", 0.5f, (short) 9).get("stats:orders").value()).contains(9L);
    assertThat(pushAndRead("c3b", Float.NaN, 1).get("stats:spend").value()).contains(Double.NaN);
  }

  @Test
  void theOfflineLogHoldsTheWidenedValues() {
    pushAndRead("c1", 42, 7);
    try (var rows = features.trainingSet(java.util.stream.Stream.of(new dev.mlops.features.EntityRow("c1", T0)),
        dev.mlops.features.TrainingSetRequest.of("stats:spend", "stats:orders"))) {
      dev.mlops.features.TrainingRow row = rows.findFirst().orElseThrow();
      assertThat(row.values().get(0).value()).contains(42.0);
      assertThat(row.values().get(1).value()).contains(7L);
    }
  }

  @Test
  void lossyConversionsAreRefusedNamingFeatureValueAndType() {
    assertThatThrownBy(() -> pushAndRead("c1", (1L << 53) + 1, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'spend'").hasMessageContaining("DOUBLE").hasMessageContaining("9007199254740993");
    assertThatThrownBy(() -> pushAndRead("c1", 3L, 1)).as("a Long, even one a double holds")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'spend'").hasMessageContaining("Long 3");
    assertThatThrownBy(() -> pushAndRead("c1", 1.0, 2.5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'orders'").hasMessageContaining("LONG").hasMessageContaining("2.5");
    assertThatThrownBy(() -> pushAndRead("c1", 1.0, 3.0f)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'orders'").hasMessageContaining("Float");
    assertThatThrownBy(() -> pushAndRead("c1", "1.0", 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'spend'").hasMessageContaining("String").hasMessageContaining("1.0");
    assertThatThrownBy(() -> pushAndRead("c1", new java.math.BigDecimal("1.5"), 3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BigDecimal");
    assertThat(store.listAll("features/stats/").filter(k -> k.contains("/segments/")).toList())
        .as("nothing stored by a refused batch").isEmpty();
  }
}
