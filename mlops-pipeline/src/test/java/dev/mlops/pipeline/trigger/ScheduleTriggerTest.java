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

  @Test
  void aDailyCronInTheRepeatedHourOfAFallBackFiresOnce() {
    // Paris falls back on 2026-10-25 at 03:00 CEST -> 02:00 CET (01:00Z): 02:30 happens at 00:30Z and 01:30Z
    clock.set(Instant.parse("2026-10-24T12:00:00Z"));
    ScheduleTrigger nightly = triggers("a").onSchedule("nightly", launcher,
        Schedule.cron("30 2 * * *", ZoneId.of("Europe/Paris")), TriggerPolicy.defaults().withMaxConcurrent(10));

    clock.set(Instant.parse("2026-10-25T00:30:00Z"));
    TriggerRecord first = nightly.poll().orElseThrow();
    for (String later : new String[] {"2026-10-25T01:30:00Z", "2026-10-25T01:45:00Z", "2026-10-26T00:00:00Z"}) {
      clock.set(Instant.parse(later));
      assertThat(nightly.poll()).as("at " + later).isEmpty();
    }
    clock.set(Instant.parse("2026-10-26T01:30:00Z")); // 02:30 CET
    TriggerRecord next = nightly.poll().orElseThrow();

    assertThat(first.event()).isEqualTo("t" + Instant.parse("2026-10-25T00:30:00Z").toEpochMilli());
    assertThat(next.event()).isEqualTo("t" + Instant.parse("2026-10-26T01:30:00Z").toEpochMilli());
    assertThat(launcher.started()).hasSize(2);
  }

  @Test
  void anHourlyCronFiresEveryRealHourThroughAFallBack() {
    clock.set(Instant.parse("2026-10-24T23:30:00Z"));
    ScheduleTrigger hourly = triggers("a").onSchedule("hourly", launcher,
        Schedule.cron("0 * * * *", ZoneId.of("Europe/Paris")), TriggerPolicy.defaults().withMaxConcurrent(10));
    // 02:00 CEST, 02:00 CET, 03:00 CET: three real hours
    for (String due : new String[] {"2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z"}) {
      clock.set(Instant.parse(due).plusSeconds(59));
      assertThat(hourly.poll().orElseThrow().event()).isEqualTo("t" + Instant.parse(due).toEpochMilli());
    }
    assertThat(launcher.started()).hasSize(3);
  }

  @Test
  void aDailyCronInTheSkippedHourOfASpringForwardDoesNotFireThatDay() {
    // Paris springs forward on 2026-03-29 at 02:00 CET -> 03:00 CEST (01:00Z): 02:30 does not exist that day
    clock.set(Instant.parse("2026-03-28T12:00:00Z"));
    ScheduleTrigger nightly = triggers("a").onSchedule("nightly", launcher,
        Schedule.cron("30 2 * * *", ZoneId.of("Europe/Paris")), TriggerPolicy.defaults().withMaxConcurrent(10));
    for (String at : new String[] {"2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z", "2026-03-29T23:59:59Z"}) {
      clock.set(Instant.parse(at));
      assertThat(nightly.poll()).as("at " + at).isEmpty();
    }
    clock.set(Instant.parse("2026-03-30T00:30:00Z")); // 02:30 CEST
    assertThat(nightly.poll().orElseThrow().outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(launcher.started()).hasSize(1);
  }

  @Test
  void aPollAtSecond59OfADueMinuteFiresThatMinuteOnce() {
    ScheduleTrigger everyMinute = triggers("a").onSchedule("minutely", launcher, Schedule.cron("* * * * *"),
        TriggerPolicy.defaults().withMaxConcurrent(10));
    clock.set(Instant.parse("2026-01-05T10:31:59.999Z"));
    assertThat(everyMinute.poll().orElseThrow().event())
        .isEqualTo("t" + Instant.parse("2026-01-05T10:31:00Z").toEpochMilli());
    assertThat(everyMinute.poll()).isEmpty();
    clock.set(Instant.parse("2026-01-05T10:32:00Z"));
    assertThat(everyMinute.poll().orElseThrow().event())
        .isEqualTo("t" + Instant.parse("2026-01-05T10:32:00Z").toEpochMilli());
  }

  @Test
  void aDueInstantHeldBackByACooldownAsLongAsThePeriodFiresWhenTheCooldownEnds() {
    // "hourly, at most once an hour": each poll comes a few ms after the due instant, so the last
    // firing is always a few ms more than an hour before the next due instant
    ScheduleTrigger hourly = triggers("a").onSchedule("hourly", launcher, Schedule.fixedRate(Duration.ofHours(1)),
        TriggerPolicy.defaults().withCooldown(Duration.ofHours(1)).withMaxConcurrent(10));

    clock.set(Instant.parse("2026-01-05T11:00:00.005Z"));
    assertThat(hourly.poll().orElseThrow().outcome()).isEqualTo(TriggerOutcome.FIRED);
    clock.set(Instant.parse("2026-01-05T12:00:00.001Z"));
    TriggerRecord held = hourly.poll().orElseThrow();
    clock.set(Instant.parse("2026-01-05T12:00:00.003Z"));
    assertThat(hourly.poll()).as("the suppression is recorded once").isEmpty();
    clock.set(Instant.parse("2026-01-05T12:01:00Z")); // the next look at the clock
    TriggerRecord late = hourly.poll().orElseThrow();

    assertThat(held.outcome()).isEqualTo(TriggerOutcome.COOLDOWN);
    assertThat(late.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(late.event()).isEqualTo(held.event()).isEqualTo("t" + Instant.parse("2026-01-05T12:00:00Z").toEpochMilli());
    assertThat(launcher.started()).hasSize(2);
  }

  @Test
  void aDueInstantHeldBackByTheCapFiresOnceTheRunningExecutionEndsUnlessTheNextIsDue() {
    ScheduleTrigger hourly = triggers("a").onSchedule("hourly", launcher, Schedule.fixedRate(Duration.ofHours(1)),
        TriggerPolicy.defaults());
    String running = launcher.start(java.util.Map.of(), "by hand");

    clock.set(Instant.parse("2026-01-05T11:00:00Z"));
    assertThat(hourly.poll().orElseThrow().outcome()).isEqualTo(TriggerOutcome.CONCURRENCY_CAP);
    clock.set(Instant.parse("2026-01-05T11:20:00Z"));
    assertThat(hourly.poll()).isEmpty();
    launcher.finish(running);
    clock.set(Instant.parse("2026-01-05T11:21:00Z"));
    TriggerRecord late = hourly.poll().orElseThrow();
    assertThat(late.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(late.event()).isEqualTo("t" + Instant.parse("2026-01-05T11:00:00Z").toEpochMilli());

    // held back until the next instant is due: the old one is dropped, only the latest counts
    clock.set(Instant.parse("2026-01-05T12:00:00Z"));
    assertThat(hourly.poll().orElseThrow().outcome()).isEqualTo(TriggerOutcome.CONCURRENCY_CAP);
    clock.set(Instant.parse("2026-01-05T13:00:30Z"));
    assertThat(hourly.poll().orElseThrow().event()).isEqualTo("t" + Instant.parse("2026-01-05T13:00:00Z").toEpochMilli());
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
