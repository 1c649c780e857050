package dev.mlops.featurestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.CorruptDataException;
import dev.mlops.StorageException;
import dev.mlops.core.MemObjectStore;
import dev.mlops.features.Entity;
import dev.mlops.features.EntityRow;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureView;
import dev.mlops.features.PushTarget;
import dev.mlops.features.TrainingRow;
import dev.mlops.features.TrainingSetRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Storage format 2 of the feature store: what is refused from format 1, and how a crashed push is recovered. */
class FeatureStorageFormatTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final MemObjectStore store = new MemObjectStore();
  private final ObjectStoreFeatureStore features =
      ObjectStoreFeatureStore.builder(store).clock(Clock.fixed(T0, ZoneOffset.UTC)).build();

  @BeforeEach
  void apply() {
    features.apply(Entity.of("customer", "customer_id"));
    features.apply(FeatureView.builder("stats", "customer").feature("spend", FeatureType.DOUBLE).build());
  }

  @AfterEach
  void close() {
    features.close();
    store.close();
  }

  private List<TrainingRow> training(ObjectStoreFeatureStore fs) {
    try (Stream<TrainingRow> rows = fs.trainingSet(Stream.of(new EntityRow("a", T0)), TrainingSetRequest.of("stats:spend"))) {
      return rows.toList();
    }
  }

  private List<String> keys(String part) {
    try (Stream<String> k = store.listAll("features/")) {
      return k.filter(s -> s.contains(part)).toList();
    }
  }

  @Test
  void anOnlineRowOfFormat1IsRefusedNamingTheFormat() {
    features.push("stats", List.of(FeatureRow.of("a", T0.minusSeconds(1), Map.of("spend", 1.0))));
    String key = keys("/online/").get(0);
    byte[] bytes = store.get(key).orElseThrow();
    bytes[0] = 1;
    store.delete(key);
    store.create(key, bytes);
    try (ObjectStoreFeatureStore fresh = ObjectStoreFeatureStore.builder(store).build()) {
      assertThatThrownBy(() -> fresh.online("a", "stats:spend")).isInstanceOf(CorruptDataException.class)
          .hasMessageContaining(key).hasMessageContaining("format 1");
    }
  }

  @Test
  void offlineSegmentsOfFormat1AreRefusedNamingTheirPrefix() {
    store.create("features/stats/v1/offline/" + "0".repeat(64) + ".avro", new byte[] {1, 2, 3});
    assertThatThrownBy(() -> training(features)).isInstanceOf(StorageException.class)
        .hasMessageContaining("features/stats/v1/offline/").hasMessageContaining("format 1");
  }

  @Test
  void aSegmentWhosePushCrashedBeforeRecordingItIsNotReadUntilTheBatchIsPushedAgain() {
    FeatureRow row = FeatureRow.of("a", T0.minusSeconds(1), Map.of("spend", 4.0));
    features.push("stats", List.of(row), PushTarget.OFFLINE);
    // As if the push had stopped between publishing the segment and recording it.
    List<String> log = keys("/segment-log/");
    assertThat(log).hasSize(1);
    store.delete(log.get(0));
    try (ObjectStoreFeatureStore fresh = ObjectStoreFeatureStore.builder(store).clock(Clock.fixed(T0, ZoneOffset.UTC))
        .build()) {
      assertThat(training(fresh)).singleElement().satisfies(r -> assertThat(r.values().get(0).value()).isEmpty());
      assertThat(fresh.push("stats", List.of(row), PushTarget.OFFLINE).offlineSegmentCreated()).isFalse();
      assertThat(training(fresh)).singleElement().satisfies(r -> assertThat(r.values().get(0).value()).contains(4.0));
    }
    assertThat(keys("/segment-log/")).hasSize(1);
  }
}
