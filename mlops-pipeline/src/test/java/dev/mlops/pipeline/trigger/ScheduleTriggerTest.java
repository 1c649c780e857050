package dev.mlops.pipeline.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.core.MemObjectStore;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScheduleTriggerTest {
  private static final Instant T0 = Instant.parse("2026-01-05T10:30:00Z");

  private final MemObjectStore store = new MemObjectStore();
  private final TestClock clock = new TestClock(T0);
  private final StoreRecordingLauncher launcher = new StoreRecordingLauncher(store, "fraud");

  @AfterEach
  void close() {
    store.close();
  }

  private Triggers triggers(String instance) {
    return Triggers.builder(store).clock(clock).instance(instance).build();
  }

  @Test
  void aFixedRateFiresOnEachAlignedInstantWithoutBackFill() {
    Triggers triggers = triggers("a");
    ScheduleTrigger hourly = triggers.onSchedule("hourly", launcher, Schedule.fixedRate(Duration.ofHours(1)),
        TriggerPolicy.defaults().withMaxConcurrent(10));

    assertThat(hourly.poll()).as("10:00 was due before the trigger existed").isEmpty();
    clock.set(Instant.parse("2026-01-05T10:59:59.999Z"));
    assertThat(hourly.poll()).isEmpty();
    clock.set(Instant.parse("2026-01-05T11:00:00Z"));
    TriggerRecord eleven = hourly.poll().orElseThrow();
    assertThat(hourly.poll()).isEmpty();
    clock.set(Instant.parse("2026-01-05T13:30:00Z"));
    TriggerRecord afterPause = hourly.poll().orElseThrow();
    assertThat(hourly.poll()).isEmpty();

    assertThat(eleven.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(eleven.source()).isEqualTo(TriggerSource.SCHEDULE);
    assertThat(eleven.event()).isEqualTo("t" + Instant.parse("2026-01-05T11:00:00Z").toEpochMilli());
    assertThat(eleven.cause()).isEqualTo("schedule every PT1H due at 2026-01-05T11:00:00Z");
    assertThat(afterPause.event()).isEqualTo("t" + Instant.parse("2026-01-05T13:00:00Z").toEpochMilli());
    assertThat(launcher.started()).hasSize(2);
    assertThat(launcher.parameters(0)).containsEntry(ScheduleTrigger.PARAM_DUE, "2026-01-05T11:00:00Z");
  }

  @Test
  void aCronScheduleFiresAtItsMinuteInItsZone() {
    Triggers triggers = triggers("a");
    ScheduleTrigger nightly = triggers.onSchedule("nightly", launcher,
        Schedule.cron("0 3 * * *", ZoneId.of("Europe/Paris")), TriggerPolicy.defaults().withMaxConcurrent(10));

    clock.set(Instant.parse("2026-01-06T01:59:59Z"));
    assertThat(nightly.poll()).isEmpty();
    clock.set(Instant.parse("2026-01-06T02:00:00Z")); // 03:00 in Paris (UTC+1 in January)
    TriggerRecord r = nightly.poll().orElseThrow();
    clock.set(Instant.parse("2026-01-06T02:00:30Z"));
    assertThat(nightly.poll()).isEmpty();
    clock.set(Instant.parse("2026-01-07T02:00:01Z"));
    TriggerRecord next = nightly.poll().orElseThrow();

    assertThat(r.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(r.event()).isEqualTo("t" + Instant.parse("2026-01-06T02:00:00Z").toEpochMilli());
    assertThat(r.cause()).contains("cron '0 3 * * *' (Europe/Paris)");
    assertThat(next.event()).isEqualTo("t" + Instant.parse("2026-01-07T02:00:00Z").toEpochMilli());
  }

  @Test
  void aFleetOnOneScheduleStartsOneExecutionPerInstant() {
    ScheduleTrigger a = triggers("a").onSchedule("hourly", launcher, Schedule.fixedRate(Duration.ofHours(1)),
        TriggerPolicy.defaults().withMaxConcurrent(10));
    ScheduleTrigger b = triggers("b").onSchedule("hourly", launcher, Schedule.fixedRate(Duration.ofHours(1)),
        TriggerPolicy.defaults().withMaxConcurrent(10));

    clock.set(Instant.parse("2026-01-05T11:00:02Z"));
    TriggerRecord ra = a.poll().orElseThrow();
    clock.set(Instant.parse("2026-01-05T11:00:03Z")); // b's host looks a second later
    TriggerRecord rb = b.poll().orElseThrow();

    assertThat(ra.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(rb.outcome()).isEqualTo(TriggerOutcome.DUPLICATE);
    assertThat(rb.event()).isEqualTo(ra.event());
    assertThat(launcher.started()).hasSize(1);
  }

  @Test
  void cooldownAppliesToScheduledFirings() {
    Triggers triggers = triggers("a");
    ScheduleTrigger often = triggers.onSchedule("often", launcher, Schedule.fixedRate(Duration.ofMinutes(10)),
        TriggerPolicy.defaults().withCooldown(Duration.ofMinutes(25)).withMaxConcurrent(10));

    clock.set(Instant.parse("2026-01-05T10:40:00Z"));
    assertThat(often.poll().orElseThrow().outcome()).isEqualTo(TriggerOutcome.FIRED);
    clock.set(Instant.parse("2026-01-05T10:50:00Z"));
    assertThat(often.poll().orElseThrow().outcome()).isEqualTo(TriggerOutcome.COOLDOWN);
    clock.set(Instant.parse("2026-01-05T11:00:00Z"));
    assertThat(often.poll().orElseThrow().outcome()).isEqualTo(TriggerOutcome.COOLDOWN);
    clock.set(Instant.parse("2026-01-05T11:10:00Z"));
    assertThat(often.poll().orElseThrow().outcome()).isEqualTo(TriggerOutcome.FIRED);
  }

  @Test
  void startedOnTheHostsSchedulerItFiresWhenTheClockReachesTheDueInstant() throws Exception {
    Triggers triggers = triggers("a");
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
    try (ScheduleTrigger hourly = triggers.onSchedule("hourly", launcher, Schedule.fixedRate(Duration.ofHours(1)),
        TriggerPolicy.defaults())) {
      hourly.start(executor, Duration.ofMillis(5));
      assertThatThrownBy(() -> hourly.start(executor)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already started");
      clock.set(Instant.parse("2026-01-05T11:00:00Z"));
      Optional<TriggerRecord> fired = awaitHistory(triggers, 1);
      assertThat(fired.orElseThrow().outcome()).isEqualTo(TriggerOutcome.FIRED);
    } finally {
      executor.shutdownNow();
      assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(launcher.started()).hasSize(1);
  }

  /** Waits (bounded) until the history has n records; the wait is not what is asserted. */
  private static Optional<TriggerRecord> awaitHistory(Triggers triggers, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      var h = triggers.history("fraud");
      if (h.size() >= n) {
        return Optional.of(h.get(n - 1));
      }
      Thread.sleep(5);
    }
    return Optional.empty();
  }
}
