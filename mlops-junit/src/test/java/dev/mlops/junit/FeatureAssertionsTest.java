package dev.mlops.junit;

import static dev.mlops.junit.MlopsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.features.Entity;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureStatus;
import dev.mlops.features.FeatureStore;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureView;
import dev.mlops.features.OnlineResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Online feature assertions: status, value (numbers across types, vectors by content), event time and age. */
@ExtendWith(MlopsExtension.class)
class FeatureAssertionsTest {
  Instant written;

  @BeforeEach
  void userFeatures(FeatureStore features, MutableClock clock) {
    features.apply(Entity.of("user", "user_id"));
    features.apply(FeatureView.builder("user", "user")
        .feature("age", FeatureType.LONG)
        .feature("score", FeatureType.DOUBLE)
        .feature("country", FeatureType.STRING)
        .feature("embedding", FeatureType.FLOAT_VECTOR)
        .ttl(Duration.ofHours(1)).build());
    written = clock.instant();
    features.push("user", List.of(FeatureRow.of("u1", written,
        Map.of("age", 42L, "score", 0.25, "embedding", new float[] {1f, 2f}))));
  }

  @Test
  void presentValuesAndAges(FeatureStore features, MutableClock clock) {
    clock.advance(Duration.ofMinutes(10));
    OnlineResult u1 = features.online("u1", "user:age", "user:score", "user:country", "user:embedding");

    assertThatCode(() -> assertThat(u1)
        .hasValue("user:age", 42)              // int 42 matches the stored 42L
        .hasValue("user:age", 42L)
        .hasValue("user:score", 0.25)
        .hasValue("user:embedding", new float[] {1f, 2f})
        .hasStatus("user:country", FeatureStatus.NOT_FOUND)
        .feature("user:score").isPresent().hasValueCloseTo(0.2, 0.06).hasEventTime(written)
        .hasAge(Duration.ofMinutes(10)).hasAgeAtMost(Duration.ofMinutes(10)).hasAgeAtLeast(Duration.ofMinutes(9)))
        .doesNotThrowAnyException();

    assertThatThrownBy(() -> assertThat(u1).hasValue("user:age", 41)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("user:age").hasMessageContaining("41").hasMessageContaining("42 (Long)");
    assertThatThrownBy(() -> assertThat(u1).hasValue("user:embedding", new float[] {1f, 3f}))
        .isInstanceOf(AssertionError.class).hasMessageContaining("[1.0, 2.0]");
    assertThatThrownBy(() -> assertThat(u1).hasValue("user:country", "FR")).isInstanceOf(AssertionError.class)
        .hasMessageContaining("user:country").hasMessageContaining("to be PRESENT but it is NOT_FOUND");
    assertThatThrownBy(() -> assertThat(u1).allPresent()).isInstanceOf(AssertionError.class)
        .hasMessageContaining("'u1'").hasMessageContaining("user:country");
    assertThatThrownBy(() -> assertThat(u1).feature("user:score").hasValueCloseTo(0.5, 0.1))
        .isInstanceOf(AssertionError.class).hasMessageContaining("0.5 ± 0.1").hasMessageContaining("0.25");
    assertThatThrownBy(() -> assertThat(u1).feature("user:age").hasAgeAtMost(Duration.ofMinutes(5)))
        .isInstanceOf(AssertionError.class).hasMessageContaining("at most PT5M").hasMessageContaining("age PT10M");
    assertThatThrownBy(() -> assertThat(u1).feature("user:age").hasAge(Duration.ZERO))
        .isInstanceOf(AssertionError.class).hasMessageContaining("PT10M");
    assertThatThrownBy(() -> assertThat(u1).feature("user:age").hasEventTime(written.plusSeconds(1)))
        .isInstanceOf(AssertionError.class).hasMessageContaining(written.toString());
    assertThatThrownBy(() -> assertThat(u1).feature("user:height")).isInstanceOf(AssertionError.class)
        .hasMessageContaining("not requested").hasMessageContaining("user:age");
  }

  @Test
  void expiredAndNotFound(FeatureStore features, MutableClock clock) {
    clock.advance(Duration.ofHours(2));
    assertThatCode(() -> assertThat(features.online("u1", "user:age").get("user:age"))
        .isExpired().hasEventTime(written).hasAgeAtLeast(Duration.ofHours(2))).doesNotThrowAnyException();
    assertThatCode(() -> assertThat(features.online("u2", "user:age").get("user:age")).isNotFound())
        .doesNotThrowAnyException();

    assertThatThrownBy(() -> assertThat(features.online("u1", "user:age").get("user:age")).isPresent())
        .isInstanceOf(AssertionError.class).hasMessageContaining("to be PRESENT but it is EXPIRED")
        .hasMessageContaining("age PT2H");
    assertThatThrownBy(() -> assertThat(features.online("u1", "user:age").get("user:age")).hasValue(42))
        .isInstanceOf(AssertionError.class).hasMessageContaining("EXPIRED");
    assertThatThrownBy(() -> assertThat(features.online("u2", "user:age").get("user:age")).hasAgeAtMost(Duration.ZERO))
        .isInstanceOf(AssertionError.class).hasMessageContaining("NOT_FOUND");
  }
}
