package dev.mlops.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class MutableClockTest {
  static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");

  @Test
  void standsStillAndMovesOnlyWhenTold() {
    MutableClock clock = MutableClock.at(T0);
    assertThat(clock.instant()).isEqualTo(T0);
    assertThat(clock.millis()).isEqualTo(T0.toEpochMilli());
    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
    assertThat(clock.advance(Duration.ofSeconds(90))).isEqualTo(T0.plusSeconds(90));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(90));
    clock.advance(Duration.ofSeconds(-30));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(60));
    clock.setInstant(T0);
    assertThat(clock.instant()).isEqualTo(T0);
    assertThatThrownBy(() -> clock.setInstant(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> clock.advance(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aZoneViewSharesTheInstant() {
    MutableClock clock = MutableClock.at(T0);
    MutableClock paris = clock.withZone(ZoneId.of("Europe/Paris"));
    assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    clock.advance(Duration.ofHours(1));
    assertThat(paris.instant()).isEqualTo(T0.plusSeconds(3600));
    paris.setInstant(T0);
    assertThat(clock.instant()).isEqualTo(T0);
    assertThat(clock.withZone(ZoneOffset.UTC)).isSameAs(clock);
    assertThat(paris).isNotEqualTo(clock).isEqualTo(clock.withZone(ZoneId.of("Europe/Paris")));
    assertThat(MutableClock.at(T0)).isNotEqualTo(clock);
  }

  @Test
  void concurrentAdvancesAreNeverLost() throws Exception {
    MutableClock clock = MutableClock.at(T0);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < 10_000; i++) {
            clock.advance(Duration.ofMillis(1));
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(clock.instant()).isEqualTo(T0.plusMillis(40_000));
  }
}
