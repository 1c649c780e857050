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
  void aStepFromStarInTheHourFieldFiresInBothOccurrencesOfTheRepeatedHour() {
    // */2 is a wildcard hour for Vixie cron, like *: both real 02:00s of the fall-back night are due
    clock.set(Instant.parse("2026-10-24T21:30:00Z"));
    ScheduleTrigger everyTwo = triggers("a").onSchedule("every-two", launcher,
        Schedule.cron("0 */2 * * *", ZoneId.of("Europe/Paris")), TriggerPolicy.defaults().withMaxConcurrent(10));
    // 00:00 CEST, 02:00 CEST, 02:00 CET, 04:00 CET
    for (String due : new String[] {"2026-10-24T22:00:00Z", "2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z",
        "2026-10-25T03:00:00Z"}) {
      clock.set(Instant.parse(due).plusSeconds(30));
      assertThat(everyTwo.poll().orElseThrow().event()).isEqualTo("t" + Instant.parse(due).toEpochMilli());
    }
    assertThat(launcher.started()).hasSize(4);
  }

  @Test
  void aDailyCronInTheSkippedHourOfASpringForwardFiresOnceWhenTheClocksJump() {
    // Paris springs forward on 2026-03-29 at 02:00 CET -> 03:00 CEST (01:00Z): 02:30 does not exist
    // that day; like Vixie cron, the job runs at the first instant after the gap, 03:00 CEST
    clock.set(Instant.parse("2026-03-28T12:00:00Z"));
    ScheduleTrigger nightly = triggers("a").onSchedule("nightly", launcher,
        Schedule.cron("30 2 * * *", ZoneId.of("Europe/Paris")), TriggerPolicy.defaults().withMaxConcurrent(10));
    clock.set(Instant.parse("2026-03-29T00:59:59.999Z"));
    assertThat(nightly.poll()).isEmpty();
    clock.set(Instant.parse("2026-03-29T01:00:00Z"));
    TriggerRecord jump = nightly.poll().orElseThrow();
    for (String at : new String[] {"2026-03-29T01:00:30Z", "2026-03-29T01:30:00Z", "2026-03-29T23:59:59Z"}) {
      clock.set(Instant.parse(at));
      assertThat(nightly.poll()).as("at " + at).isEmpty();
    }
    clock.set(Instant.parse("2026-03-30T00:30:00Z")); // 02:30 CEST
    TriggerRecord next = nightly.poll().orElseThrow();

    assertThat(jump.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(jump.event()).isEqualTo("t" + Instant.parse("2026-03-29T01:00:00Z").toEpochMilli());
    assertThat(launcher.parameters(0)).containsEntry(ScheduleTrigger.PARAM_DUE, "2026-03-29T01:00:00Z");
    assertThat(next.event()).isEqualTo("t" + Instant.parse("2026-03-30T00:30:00Z").toEpochMilli());
    assertThat(launcher.started()).hasSize(2);
  }

  @Test
  void theShiftedInstantIsTheNextDueBeforeTheJumpAndNotBackFilledAfterIt() {
    Schedule nightly = Schedule.cron("30 2 * * *", ZoneId.of("Europe/Paris"));
    Instant jump = Instant.parse("2026-03-29T01:00:00Z");
    assertThat(nightly.nextDue(Instant.parse("2026-03-28T12:00:00Z"))).contains(jump);
    assertThat(nightly.nextDue(Instant.parse("2026-03-29T00:59:59.999Z"))).contains(jump);
    assertThat(nightly.nextDue(jump)).contains(Instant.parse("2026-03-30T00:30:00Z"));
    assertThat(nightly.latestDue(jump.minusMillis(1))).contains(Instant.parse("2026-03-28T01:30:00Z"));
    assertThat(nightly.latestDue(jump)).contains(jump);
    assertThat(nightly.latestDue(Instant.parse("2026-03-30T00:29:59Z"))).contains(jump);

    // created a few seconds after the jump: the shifted instant was due before, it is not fired
    clock.set(jump.plusSeconds(5));
    ScheduleTrigger late = triggers("a").onSchedule("nightly", launcher, nightly,
        TriggerPolicy.defaults().withMaxConcurrent(10));
    clock.set(jump.plusSeconds(50));
    assertThat(late.poll()).isEmpty();
    assertThat(launcher.started()).isEmpty();
  }

  @Test
  void startedOnTheHostsSchedulerItWakesUpAtTheShiftedInstant() throws Exception {
    // the default recheck is a minute: the trigger fires within the test's wait only if it sleeps
    // until the shifted instant (03:00 CEST) rather than until 02:30 CEST the next night
    clock.set(Instant.parse("2026-03-29T00:59:59.990Z"));
    Triggers triggers = triggers("a");
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
    try (ScheduleTrigger nightly = triggers.onSchedule("nightly", launcher,
        Schedule.cron("30 2 * * *", ZoneId.of("Europe/Paris")), TriggerPolicy.defaults())) {
      nightly.start(executor);
      clock.set(Instant.parse("2026-03-29T01:00:00Z"));
      Optional<TriggerRecord> fired = awaitHistory(triggers, 1);
      assertThat(fired.orElseThrow().event()).isEqualTo("t" + Instant.parse("2026-03-29T01:00:00Z").toEpochMilli());
    } finally {
      executor.shutdownNow();
      assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(launcher.started()).hasSize(1);
  }

  @Test
  void inNewYorkBothTimesOfAListInTheGapFireOnceAtTheJump() {
    // New York springs forward on 2026-03-08 (a Sunday) at 02:00 EST -> 03:00 EDT (07:00Z)
    clock.set(Instant.parse("2026-03-07T12:00:00Z"));
    ScheduleTrigger twice = triggers("a").onSchedule("twice", launcher,
        Schedule.cron("0,30 2 * * *", ZoneId.of("America/New_York")), TriggerPolicy.defaults().withMaxConcurrent(10));
    clock.set(Instant.parse("2026-03-08T06:59:59Z"));
    assertThat(twice.poll()).isEmpty();
    clock.set(Instant.parse("2026-03-08T07:00:59Z"));
    TriggerRecord jump = twice.poll().orElseThrow();
    for (String at : new String[] {"2026-03-08T07:30:00Z", "2026-03-08T08:00:00Z", "2026-03-09T05:59:59Z"}) {
      clock.set(Instant.parse(at));
      assertThat(twice.poll()).as("at " + at).isEmpty();
    }
    clock.set(Instant.parse("2026-03-09T06:00:00Z")); // 02:00 EDT
    TriggerRecord two = twice.poll().orElseThrow();
    clock.set(Instant.parse("2026-03-09T06:30:00Z"));
    TriggerRecord twoThirty = twice.poll().orElseThrow();

    assertThat(jump.event()).isEqualTo("t" + Instant.parse("2026-03-08T07:00:00Z").toEpochMilli());
    assertThat(two.event()).isEqualTo("t" + Instant.parse("2026-03-09T06:00:00Z").toEpochMilli());
    assertThat(twoThirty.event()).isEqualTo("t" + Instant.parse("2026-03-09T06:30:00Z").toEpochMilli());
    assertThat(launcher.started()).hasSize(3);
  }

  @Test
  void aFixedTimeInTheGapIsDueAtTheJumpForEveryShapeThatMatchesThatDate() {
    ZoneId newYork = ZoneId.of("America/New_York");
    Instant before = Instant.parse("2026-03-08T05:00:00Z"); // 00:00 EST on Sunday 2026-03-08
    Instant jump = Instant.parse("2026-03-08T07:00:00Z");
    for (String due : new String[] {"30 2 * * *", "30 2 * * 0", "30 2 * * SUN", "30 2 8 3 *", "30 2 1-10 * *",
        "0-59/20 2 * * *", "30 2-4 * * 0", "59 2 * * *", "0 0-2/2 * * *"}) {
      Schedule s = Schedule.cron(due, newYork);
      assertThat(s.nextDue(jump.minusSeconds(1))).as(due).contains(jump);
      assertThat(s.latestDue(jump)).as(due).contains(jump);
      assertThat(s.latestDue(jump.minusMillis(1))).as(due).isPresent().get().isNotEqualTo(jump);
    }
    for (String notThatDay : new String[] {"30 2 * * 1-6", "30 2 9 3 *", "30 2 * 4 *"}) {
      Schedule s = Schedule.cron(notThatDay, newYork);
      assertThat(s.nextDue(before)).as(notThatDay).isPresent().get().isNotEqualTo(jump);
      assertThat(s.latestDue(jump.plusSeconds(3600))).as(notThatDay).isPresent().get().isNotEqualTo(jump);
    }
  }

  @Test
  void aRangeThroughTheGapFiresAtTheJumpAndAtTheRealTimeAfterIt() {
    clock.set(Instant.parse("2026-03-28T12:00:00Z"));
    ScheduleTrigger range = triggers("a").onSchedule("range", launcher,
        Schedule.cron("15 2-3 * * *", ZoneId.of("Europe/Paris")), TriggerPolicy.defaults().withMaxConcurrent(10));
    // 02:15 does not exist: due at 03:00 CEST (01:00Z); 03:15 CEST (01:15Z) exists
    for (String due : new String[] {"2026-03-29T01:00:00Z", "2026-03-29T01:15:00Z"}) {
      clock.set(Instant.parse(due).plusSeconds(30));
      assertThat(range.poll().orElseThrow().event()).isEqualTo("t" + Instant.parse(due).toEpochMilli());
    }
    clock.set(Instant.parse("2026-03-29T23:00:00Z"));
    assertThat(range.poll()).isEmpty();
    assertThat(launcher.started()).hasSize(2);
  }

  @Test
  void aShiftedTimeThatCoincidesWithARealTimeOfTheSameScheduleFiresOnceAcrossAFleet() {
    // 0 2,3: 02:00 does not exist on 2026-03-29 in Paris and is shifted to 03:00 CEST, which is due anyway
    clock.set(Instant.parse("2026-03-28T12:00:00Z"));
    Schedule schedule = Schedule.cron("0 2,3 * * *", ZoneId.of("Europe/Paris"));
    ScheduleTrigger a = triggers("a").onSchedule("nightly", launcher, schedule, TriggerPolicy.defaults().withMaxConcurrent(10));
    ScheduleTrigger b = triggers("b").onSchedule("nightly", launcher, schedule, TriggerPolicy.defaults().withMaxConcurrent(10));
    Instant jump = Instant.parse("2026-03-29T01:00:00Z");
    assertThat(schedule.nextDue(jump.minusSeconds(1))).contains(jump);
    assertThat(schedule.nextDue(jump)).contains(Instant.parse("2026-03-30T00:00:00Z"));

    clock.set(jump.plusSeconds(2));
    TriggerRecord ra = a.poll().orElseThrow();
    clock.set(jump.plusSeconds(3));
    TriggerRecord rb = b.poll().orElseThrow();
    for (String at : new String[] {"2026-03-29T01:00:59Z", "2026-03-29T02:00:00Z", "2026-03-29T23:59:00Z"}) {
      clock.set(Instant.parse(at));
      assertThat(a.poll()).as("at " + at).isEmpty();
      assertThat(b.poll()).as("at " + at).isEmpty();
    }

    assertThat(ra.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(ra.event()).isEqualTo("t" + jump.toEpochMilli());
    assertThat(rb.outcome()).isEqualTo(TriggerOutcome.DUPLICATE);
    assertThat(rb.event()).isEqualTo(ra.event());
    assertThat(launcher.started()).hasSize(1);
  }

  @Test
  void lordHowesHalfHourGapShiftsToHalfPastTwo() {
    // Lord Howe springs forward by 30 minutes on 2026-10-04 at 02:00 +10:30 -> 02:30 +11:00 (15:30Z)
    clock.set(Instant.parse("2026-10-03T00:00:00Z"));
    ScheduleTrigger quarters = triggers("a").onSchedule("quarters", launcher,
        Schedule.cron("15,45 2 * * *", ZoneId.of("Australia/Lord_Howe")), TriggerPolicy.defaults().withMaxConcurrent(10));
    clock.set(Instant.parse("2026-10-03T15:29:59Z"));
    assertThat(quarters.poll()).isEmpty();
    // 02:15 does not exist: due at 02:30 +11:00; 02:45 +11:00 exists
    for (String due : new String[] {"2026-10-03T15:30:00Z", "2026-10-03T15:45:00Z", "2026-10-04T15:15:00Z"}) {
      clock.set(Instant.parse(due));
      assertThat(quarters.poll().orElseThrow().event()).isEqualTo("t" + Instant.parse(due).toEpochMilli());
      clock.set(Instant.parse(due).plusSeconds(60));
      assertThat(quarters.poll()).isEmpty();
    }
    assertThat(launcher.started()).hasSize(3);
  }

  @Test
  void wildcardHoursAndMinutesFireOnlyAtRealInstantsThroughASpringForward() {
    clock.set(Instant.parse("2026-03-28T22:30:00Z"));
    ScheduleTrigger hourly = triggers("a").onSchedule("hourly", launcher,
        Schedule.cron("0 * * * *", ZoneId.of("Europe/Paris")), TriggerPolicy.defaults().withMaxConcurrent(10));
    // 01:00 CET, then 03:00 CEST: the night has one hour fewer, and 03:00 fires once
    for (String due : new String[] {"2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"}) {
      clock.set(Instant.parse(due));
      assertThat(hourly.poll().orElseThrow().event()).isEqualTo("t" + Instant.parse(due).toEpochMilli());
      clock.set(Instant.parse(due).plusSeconds(1800));
      assertThat(hourly.poll()).isEmpty();
    }
    assertThat(launcher.started()).hasSize(3);

    // a step from * and a * minute are wildcard (Vixie): no run at the jump for the missing 02:xx
    ZoneId paris = ZoneId.of("Europe/Paris");
    Instant jump = Instant.parse("2026-03-29T01:00:00Z");
    assertThat(Schedule.cron("0 */2 * * *", paris).latestDue(jump.plusSeconds(1800)))
        .contains(Instant.parse("2026-03-28T23:00:00Z"));
    assertThat(Schedule.cron("0 */2 * * *", paris).nextDue(jump.minusSeconds(1)))
        .contains(Instant.parse("2026-03-29T02:00:00Z"));
    assertThat(Schedule.cron("* 2 * * *", paris).nextDue(jump.minusSeconds(1)))
        .contains(Instant.parse("2026-03-30T00:00:00Z"));
    assertThat(Schedule.cron("*/20 2 * * *", paris).latestDue(jump.plusSeconds(1800)))
        .contains(Instant.parse("2026-03-28T01:40:00Z"));
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
