package dev.mlops.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Experiments;
import dev.mlops.Run;
import dev.mlops.RunInfo;
import dev.mlops.Workspace;
import dev.mlops.features.Entity;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureStatus;
import dev.mlops.features.FeatureStore;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureValue;
import dev.mlops.features.FeatureView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The extension's clock and feature store: injected, shared by the test's workspaces, moved by the test. */
@ExtendWith(MlopsExtension.class)
class MlopsExtensionClockTest {
  private static final List<MutableClock> CLOCKS = new CopyOnWriteArrayList<>();

  private MutableClock fromBeforeEach;

  @BeforeEach
  void rememberClock(MutableClock clock) {
    fromBeforeEach = clock;
  }

  @AfterAll
  static void eachTestHadItsOwnClock() {
    assertThat(CLOCKS).hasSize(3).doesNotHaveDuplicates();
  }

  @Test
  void theFeatureStoreIsTheWorkspacesAndRowsExpireWhenTheClockPassesTheirTtl(Workspace workspace,
      FeatureStore features, MutableClock clock) {
    CLOCKS.add(clock);
    assertThat(clock).isSameAs(fromBeforeEach);
    assertThat(features).isSameAs(workspace.features());
    features.apply(Entity.of("user", "user_id"));
    features.apply(FeatureView.builder("user", "user").feature("age", FeatureType.LONG).ttl(Duration.ofHours(1)).build());
    Instant written = clock.instant();
    features.push("user", List.of(FeatureRow.of("u1", written, Map.of("age", 42L))));

    FeatureValue fresh = features.online("u1", "user:age").get("user:age");
    assertThat(fresh.status()).isEqualTo(FeatureStatus.PRESENT);
    assertThat(fresh.age()).contains(Duration.ZERO);

    clock.advance(Duration.ofMinutes(30));
    FeatureValue older = features.online("u1", "user:age").get("user:age");
    assertThat(older.status()).isEqualTo(FeatureStatus.PRESENT);
    assertThat(older.age()).contains(Duration.ofMinutes(30));

    clock.advance(Duration.ofMinutes(31));
    FeatureValue expired = features.online("u1", "user:age").get("user:age");
    assertThat(expired.status()).isEqualTo(FeatureStatus.EXPIRED);
    assertThat(expired.eventTime()).contains(written);
  }

  @Test
  void runTimestampsFollowTheClock(Experiments experiments, MutableClock clock) {
    CLOCKS.add(clock);
    Instant start = clock.instant();
    RunInfo info;
    try (Run run = experiments.startRun("exp", "timed")) {
      clock.advance(Duration.ofMinutes(5));
      run.logMetric("loss", 0.5, 1);
      clock.advance(Duration.ofSeconds(7));
      run.end(dev.mlops.RunStatus.FINISHED);
      info = run.info();
    }
    assertThat(info.startedAt()).isEqualTo(start);
    assertThat(info.endedAt()).contains(start.plus(Duration.ofMinutes(5).plusSeconds(7)));
    assertThat(experiments.metricHistory(info.id(), "loss").get(0).timestampMillis())
        .isEqualTo(start.plus(Duration.ofMinutes(5)).toEpochMilli());
  }

  @Test
  void theClockStandsStillUntilMovedAndStartsNearTheSystemTime(MutableClock clock) {
    CLOCKS.add(clock);
    Instant first = clock.instant();
    assertThat(Duration.between(first, Instant.now()).abs()).isLessThan(Duration.ofHours(1));
    assertThat(clock.instant()).isEqualTo(first);
    clock.setInstant(Instant.parse("2030-01-01T00:00:00Z"));
    assertThat(fromBeforeEach.instant()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
  }
}
