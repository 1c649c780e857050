package dev.mlops.featurestore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.core.MemObjectStore;
import dev.mlops.features.Entity;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureStatus;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureView;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureStoreInternalsTest {

  @Test
  void theTtlRuleHasInclusiveBounds() {
    long ttl = 100;
    assertThat(RowVisibility.of(1001, 1000, ttl)).isEqualTo(RowVisibility.NOT_YET);
    assertThat(RowVisibility.of(1000, 1000, ttl)).isEqualTo(RowVisibility.LIVE);
    assertThat(RowVisibility.of(900, 1000, ttl)).isEqualTo(RowVisibility.LIVE);
    assertThat(RowVisibility.of(899, 1000, ttl)).isEqualTo(RowVisibility.EXPIRED);
    assertThat(RowVisibility.of(Micros.of("t", Micros.MIN), Micros.of("t", Micros.MAX), 0)).isEqualTo(RowVisibility.LIVE);
    assertThat(RowVisibility.ttlMicros(Duration.ofSeconds(2, 3_500))).isEqualTo(2_000_003L);
    assertThat(RowVisibility.ttlMicros(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void microsRoundTripAndRejectOutOfRangeTimes() {
    Instant t = Instant.parse("1969-12-31T23:59:59.999999Z");
    assertThat(Micros.toInstant(Micros.of("t", t))).isEqualTo(t);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Micros.of("event time", Instant.MAX))
        .hasMessageContaining("event time").hasMessageContaining(Instant.MAX.toString());
  }

  @Test
  void theExternalSorterSpillsAndMergesInOrder(@TempDir Path dir) {
    ExternalSorter.Codec<Long> codec = new ExternalSorter.Codec<>() {
      @Override
      public void write(DataOutputStream out, Long item) throws IOException {
        out.writeLong(item);
      }

      @Override
      public Long read(DataInputStream in) throws IOException {
        return in.readLong();
      }
    };
    Random random = new Random(3);
    List<Long> expected = new ArrayList<>();
    try (ExternalSorter<Long> sorter = new ExternalSorter<>(Comparator.naturalOrder(), codec, dir, 1000)) {
      for (int i = 0; i < 25_500; i++) {
        long v = random.nextLong();
        expected.add(v);
        sorter.add(v);
      }
      assertThat(sorter.spilledRuns()).isEqualTo(25);
      List<Long> got = new ArrayList<>();
      sorter.sorted().forEachRemaining(got::add);
      expected.sort(Comparator.naturalOrder());
      assertThat(got).isEqualTo(expected);
    }
    try (Stream<Path> left = list(dir)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void offlineSegmentsAreAvroFilesThatAPlainAvroReaderReads() throws IOException {
    try (MemObjectStore store = new MemObjectStore();
        ObjectStoreFeatureStore features = ObjectStoreFeatureStore.builder(store).build()) {
      features.apply(Entity.of("user", "user_id"));
      features.apply(FeatureView.builder("user-stats.v2", "user").feature("clicks.7d", FeatureType.LONG)
          .feature("name", FeatureType.STRING).feature("emb", FeatureType.FLOAT_VECTOR).build());
      Instant t = Instant.parse("2026-03-01T10:00:00.123456Z");
      features.push("user-stats.v2", List.of(FeatureRow.of("u1", t, Map.of("clicks.7d", 5L, "emb", new float[] {1f, 2f})),
          FeatureRow.of("u2", t, Map.of("name", "Ann"))));
      String key;
      try (Stream<String> keys = store.listAll("features/user-stats.v2/v1/segments/")) {
        key = keys.findFirst().orElseThrow();
      }
      assertThat(key).endsWith(".avro");
      List<GenericRecord> records = new ArrayList<>();
      try (DataFileStream<GenericRecord> in = new DataFileStream<>(new ByteArrayInputStream(store.get(key).orElseThrow()),
          new GenericDatumReader<>())) {
        in.forEach(records::add);
        assertThat(in.getSchema().getField("_clicks_d7d").getObjectProp("mlops.feature")).isEqualTo("clicks.7d");
        assertThat(in.getSchema().getField("_event_time").schema().getLogicalType().getName())
            .isEqualTo("timestamp-micros");
      }
      assertThat(records).hasSize(2);
      GenericRecord u1 = records.get(0);
      assertThat(u1.get("_entity_key").toString()).isEqualTo("u1");
      assertThat(u1.get("_event_time")).isEqualTo(t.getEpochSecond() * 1_000_000L + 123_456L);
      assertThat(u1.get("_clicks_d7d")).isEqualTo(5L);
      assertThat(u1.get("name")).isNull();
      assertThat(records.get(1).get("name").toString()).isEqualTo("Ann");
    }
  }

  @Test
  void avroNamesEscapeInjectively() {
    assertThat(SegmentFormat.avroName("spend")).isEqualTo("spend");
    assertThat(SegmentFormat.avroName("a.b")).isEqualTo("_a_db");
    assertThat(SegmentFormat.avroName("a_db")).isEqualTo("a_db");
    assertThat(SegmentFormat.avroName("7d-x_y")).isEqualTo("_7d_hx__y");
  }

  @Test
  void theWorkspaceExposesTheFeatureStore() {
    try (Workspace ws = Mlops.open("mem:")) {
      ws.features().apply(Entity.of("user", "user_id"));
      ws.features().apply(FeatureView.builder("v", "user").feature("x", FeatureType.DOUBLE).ttl(Duration.ofDays(1)).build());
      ws.features().push("v", List.of(FeatureRow.of("u", Instant.now().minusSeconds(5), Map.of("x", 1.5))));
      assertThat(ws.features().online("u", "v:x").get("v:x").status()).isEqualTo(FeatureStatus.PRESENT);
    }
  }

  @Test
  void theOnlineCacheServesRepeatedLookupsWithoutStoreReads() {
    try (CountingStore store = new CountingStore();
        ObjectStoreFeatureStore features = ObjectStoreFeatureStore.builder(store).cacheMaximumSize(10).build()) {
      features.apply(Entity.of("user", "user_id"));
      features.apply(FeatureView.builder("v", "user").feature("x", FeatureType.DOUBLE).build());
      features.push("v", List.of(FeatureRow.of("u", Instant.now().minusSeconds(5), Map.of("x", 1.5))));
      features.online("u", "v:x");
      int before = store.reads;
      for (int i = 0; i < 100; i++) {
        assertThat(features.online("u", "v:x").get("v:x").value()).contains(1.5);
      }
      assertThat(store.reads - before).isZero();
    }
  }

  /** Counts reads of a mem: store. */
  static final class CountingStore implements dev.mlops.spi.ObjectStore {
    private final MemObjectStore d = new MemObjectStore();
    volatile int reads;

    @Override
    public java.util.Optional<byte[]> get(String key) {
      reads++;
      return d.get(key);
    }

    @Override
    public java.util.Optional<java.io.InputStream> openStream(String key) {
      reads++;
      return d.openStream(key);
    }

    @Override
    public void create(String key, byte[] bytes) {
      d.create(key, bytes);
    }

    @Override
    public void createFromStream(String key, java.io.InputStream in) {
      d.createFromStream(key, in);
    }

    @Override
    public dev.mlops.spi.ListPage list(String prefix, String startAfter, int limit) {
      if (prefix.startsWith("features/v/")) {
        reads++;
      }
      return d.list(prefix, startAfter, limit);
    }

    @Override
    public boolean delete(String key) {
      return d.delete(key);
    }

    @Override
    public dev.mlops.spi.StoreCapabilities capabilities() {
      return d.capabilities();
    }

    @Override
    public void close() {
      d.close();
    }
  }

  private static Stream<Path> list(Path dir) {
    try {
      return Files.list(dir);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unused")
  private static <T> List<T> drain(Iterator<T> it) {
    List<T> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
