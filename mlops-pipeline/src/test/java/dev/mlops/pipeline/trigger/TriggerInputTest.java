package dev.mlops.pipeline.trigger;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.core.MemObjectStore;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TriggerInputTest {
  private final MemObjectStore store = new MemObjectStore();
  private final Triggers triggers = Triggers.builder(store).build();
  private final StoreRecordingLauncher launcher = new StoreRecordingLauncher(store, "fraud");

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void cooldownMustBePositive() {
    assertThatThrownBy(() -> TriggerPolicy.defaults().withCooldown(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cooldown must be positive, got PT0S");
    assertThatThrownBy(() -> TriggerPolicy.defaults().withCooldown(Duration.ofMinutes(-5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got PT-5M");
    assertThatThrownBy(() -> new TriggerPolicy(Optional.of(Duration.ZERO), 1, Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cooldown must be positive");
  }

  @Test
  void maxConcurrentMustBeAtLeastOne() {
    assertThatThrownBy(() -> TriggerPolicy.defaults().withMaxConcurrent(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConcurrent must be at least 1, got 0");
    assertThatThrownBy(() -> TriggerPolicy.defaults().withMaxConcurrent(-3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -3");
  }

  @Test
  void anInvalidCronExpressionIsNamed() {
    assertThatThrownBy(() -> Schedule.cron("61 * * * *"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid cron expression '61 * * * *'");
    assertThatThrownBy(() -> Schedule.cron("every day"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'every day'")
        .hasMessageContaining("Unix cron");
    assertThatThrownBy(() -> Schedule.cron("0 3 * * * *"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'0 3 * * * *'");
  }

  @Test
  void aFixedRateNeedsAPeriod() {
    assertThatThrownBy(() -> Schedule.fixedRate(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 ms, got PT0S");
  }

  @Test
  void aNullLauncherIsRejected() {
    assertThatThrownBy(() -> triggers.onAlarm("drift", null, TriggerPolicy.defaults()))
        .isInstanceOf(NullPointerException.class).hasMessage("launcher");
    assertThatThrownBy(() -> triggers.onSchedule("s", null, Schedule.fixedRate(Duration.ofHours(1)), TriggerPolicy.defaults()))
        .isInstanceOf(NullPointerException.class).hasMessage("launcher");
    assertThatThrownBy(() -> triggers.onNewData("d", null, () -> null, TriggerPolicy.defaults()))
        .isInstanceOf(NullPointerException.class).hasMessage("launcher");
  }

  @Test
  void namesAreChecked() {
    assertThatThrownBy(() -> triggers.onAlarm("bad name", launcher, TriggerPolicy.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trigger name 'bad name' is invalid");
    assertThatThrownBy(() -> triggers.history("../x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pipeline name '../x'");
    triggers.onAlarm("drift", launcher, TriggerPolicy.defaults());
    assertThatThrownBy(() -> triggers.onSchedule("drift", launcher, Schedule.fixedRate(Duration.ofHours(1)), TriggerPolicy.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has a trigger named 'drift'");
  }

  @Test
  void alarmBucketsAndPollIntervalsMustBePositive() {
    assertThatThrownBy(() -> triggers.onAlarm("drift", launcher, TriggerPolicy.defaults(), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bucket must be at least 1 ms");
    DataTrigger d = triggers.onNewData("d", launcher, () -> null, TriggerPolicy.defaults());
    assertThatThrownBy(() -> d.start(new java.util.concurrent.ScheduledThreadPoolExecutor(1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("poll interval must be at least 1 ms");
  }
}
