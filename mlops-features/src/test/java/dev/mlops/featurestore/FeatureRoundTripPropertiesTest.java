package dev.mlops.featurestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Names;
import dev.mlops.core.MemObjectStore;
import dev.mlops.features.Entity;
import dev.mlops.features.EntityRow;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureValue;
import dev.mlops.features.FeatureView;
import dev.mlops.features.TrainingRow;
import dev.mlops.features.TrainingSetRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever users push comes back unchanged online and offline; bad names fail naming the value. */
class FeatureRoundTripPropertiesTest {
  private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  @Property(tries = 60)
  void valuesAndKeysRoundTripOnlineAndOffline(@ForAll("entityKeys") String key, @ForAll("doubles") double d,
      @ForAll long l, @ForAll("strings") String s, @ForAll("vectors") float[] v, @ForAll boolean b) {
    try (MemObjectStore store = new MemObjectStore();
        ObjectStoreFeatureStore features = ObjectStoreFeatureStore.builder(store).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build()) {
      features.apply(Entity.of("e", "id"));
      features.apply(FeatureView.builder("v", "e").feature("d", FeatureType.DOUBLE).feature("l", FeatureType.LONG)
          .feature("s", FeatureType.STRING).feature("x", FeatureType.FLOAT_VECTOR).feature("b", FeatureType.BOOLEAN)
          .build());
      Instant event = NOW.minusNanos(123_456_000);
      features.push("v", List.of(FeatureRow.of(key, event, Map.of("d", d, "l", l, "s", s, "x", v, "b", b))));
      List<FeatureValue> online = features.online(key, "v:d", "v:l", "v:s", "v:x", "v:b").values();
      List<FeatureValue> offline;
      try (Stream<TrainingRow> rows = features.trainingSet(Stream.of(new EntityRow(key, NOW)),
          TrainingSetRequest.of("v:d", "v:l", "v:s", "v:x", "v:b"))) {
        offline = rows.toList().get(0).values();
      }
      for (List<FeatureValue> got : List.of(online, offline)) {
        assertThat(got.get(0).value()).contains(Double.valueOf(d)); // Double.equals: NaN equals NaN, -0.0 is not 0.0
        assertThat(got.get(1).value()).contains(l);
        assertThat(got.get(2).value()).contains(s);
        assertThat((float[]) got.get(3).value().orElseThrow()).isEqualTo(v);
        assertThat(got.get(4).value()).contains(b);
        assertThat(got.get(0).eventTime()).contains(event);
      }
    }
  }

  @Property(tries = 200)
  void badViewNamesFailNamingTheValue(@ForAll String name) {
    if (Names.isValid(name)) {
      assertThat(FeatureView.builder(name, "e").feature("f", FeatureType.LONG).build().name()).isEqualTo(name);
    } else {
      assertThatThrownBy(() -> FeatureView.builder(name, "e").feature("f", FeatureType.LONG).build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("feature view name");
    }
  }

  @Provide
  Arbitrary<String> entityKeys() {
    return Arbitraries.strings().ofMinLength(1).ofMaxLength(60)
        .filter(k -> k.getBytes(StandardCharsets.UTF_8).length <= ViewTable.MAX_ENTITY_KEY_BYTES);
  }

  @Provide
  Arbitrary<Double> doubles() {
    return Arbitraries.oneOf(Arbitraries.doubles(), Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, -0.0, Double.MAX_VALUE, Double.MIN_VALUE));
  }

  @Provide
  Arbitrary<String> strings() {
    return Arbitraries.strings().ofMaxLength(200);
  }

  @Provide
  Arbitrary<float[]> vectors() {
    return Arbitraries.floats().array(float[].class).ofMaxSize(64);
  }
}
