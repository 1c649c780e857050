package dev.mlops.pipeline.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.core.MemObjectStore;
import dev.mlops.drift.DriftReport;
import dev.mlops.pipeline.PipelineLauncher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlarmTriggerTest {
  private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");

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
  void anAlarmingWindowStartsOneExecutionWithTheWindowAsParameters() {
    Triggers triggers = triggers("a");
    AlarmTrigger trigger = triggers.onAlarm("drift", launcher, TriggerPolicy.defaults().withParameters(Map.of("lr", "0.1")));

    DriftReport report = Alarms.window(T0, true, trigger);

    assertThat(report.alarm()).isTrue();
    List<TriggerRecord> history = triggers.history("fraud");
    assertThat(history).hasSize(1);
    TriggerRecord r = history.get(0);
    assertThat(r.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(r.executionId()).contains("fraud-0");
    assertThat(r.source()).isEqualTo(TriggerSource.ALARM);
    assertThat(r.trigger()).isEqualTo("drift");
    assertThat(r.event()).isEqualTo("w" + T0.toEpochMilli() + "-" + T0.toEpochMilli());
    assertThat(r.cause()).contains("dataset drift (1 of 1 features drifted)");
    assertThat(r.at()).isEqualTo(T0);
    assertThat(r.instance()).isEqualTo("a");
    assertThat(launcher.started()).hasSize(1);
    assertThat(launcher.parameters(0)).containsEntry("lr", "0.1").containsEntry(Triggers.PARAM_TRIGGER, "drift")
        .containsEntry(Triggers.PARAM_EVENT, r.event()).containsEntry(AlarmTrigger.PARAM_WINDOW_START, T0.toString())
        .containsEntry(AlarmTrigger.PARAM_WINDOW_END, T0.toString());
  }

  @Test
  void aQuietWindowIsIgnored() {
    Triggers triggers = triggers("a");
    AlarmTrigger trigger = triggers.onAlarm("drift", launcher, TriggerPolicy.defaults());

    DriftReport quiet = Alarms.window(T0, false);

    assertThat(quiet.alarm()).isFalse();
    assertThat(trigger.handle(quiet)).isEmpty();
    assertThat(triggers.history("fraud")).isEmpty();
    assertThat(launcher.started()).isEmpty();
  }

  @Test
  void theSameWindowSeenAgainIsADuplicate() {
    Triggers triggers = triggers("a");
    AlarmTrigger trigger = triggers.onAlarm("drift", launcher, TriggerPolicy.defaults().withMaxConcurrent(5));
    DriftReport report = Alarms.window(T0, true);

    assertThat(trigger.handle(report).orElseThrow().outcome()).isEqualTo(TriggerOutcome.FIRED);
    TriggerRecord again = trigger.handle(report).orElseThrow();

    assertThat(again.outcome()).isEqualTo(TriggerOutcome.DUPLICATE);
    assertThat(again.reason().orElseThrow()).contains("already claimed by a at " + T0);
    assertThat(launcher.started()).hasSize(1);
  }

  @Test
  void cooldownSuppressesFiringsUntilItHasPassed() {
    Triggers triggers = triggers("a");
    AlarmTrigger trigger = triggers.onAlarm("drift", launcher,
        TriggerPolicy.defaults().withCooldown(Duration.ofHours(1)).withMaxConcurrent(10));

    assertThat(trigger.handle(Alarms.window(T0, true)).orElseThrow().outcome()).isEqualTo(TriggerOutcome.FIRED);
    clock.advance(Duration.ofMinutes(59));
    TriggerRecord suppressed = trigger.handle(Alarms.window(clock.instant(), true)).orElseThrow();
    clock.advance(Duration.ofMinutes(1));
    TriggerRecord after = trigger.handle(Alarms.window(clock.instant(), true)).orElseThrow();

    assertThat(suppressed.outcome()).isEqualTo(TriggerOutcome.COOLDOWN);
    assertThat(suppressed.reason().orElseThrow()).contains("last fired at " + T0).contains("PT1H")
        .contains("until " + T0.plus(Duration.ofHours(1)));
    assertThat(after.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(launcher.started()).hasSize(2);
  }

  @Test
  void cooldownHoldsAcrossProcessesSharingTheStore() {
    AlarmTrigger first = triggers("a").onAlarm("drift", launcher,
        TriggerPolicy.defaults().withCooldown(Duration.ofHours(1)).withMaxConcurrent(10));
    Triggers other = triggers("b");
    AlarmTrigger second = other.onAlarm("drift", new StoreRecordingLauncher(store, "fraud"),
        TriggerPolicy.defaults().withCooldown(Duration.ofHours(1)).withMaxConcurrent(10));

    first.handle(Alarms.window(T0, true));
    clock.advance(Duration.ofMinutes(10));
    TriggerRecord r = second.handle(Alarms.window(clock.instant(), true)).orElseThrow();

    assertThat(r.outcome()).isEqualTo(TriggerOutcome.COOLDOWN);
    assertThat(r.instance()).isEqualTo("b");
    assertThat(other.history("fraud")).extracting(TriggerRecord::outcome)
        .containsExactly(TriggerOutcome.FIRED, TriggerOutcome.COOLDOWN);
  }

  @Test
  void theConcurrencyCapCountsRunningExecutions() {
    Triggers triggers = triggers("a");
    AlarmTrigger trigger = triggers.onAlarm("drift", launcher, TriggerPolicy.defaults().withMaxConcurrent(2));

    String e1 = trigger.handle(Alarms.window(T0, true)).orElseThrow().executionId().orElseThrow();
    trigger.handle(Alarms.window(T0.plusSeconds(60), true));
    TriggerRecord capped = trigger.handle(Alarms.window(T0.plusSeconds(120), true)).orElseThrow();
    launcher.finish(e1);
    TriggerRecord next = trigger.handle(Alarms.window(T0.plusSeconds(180), true)).orElseThrow();

    assertThat(capped.outcome()).isEqualTo(TriggerOutcome.CONCURRENCY_CAP);
    assertThat(capped.reason().orElseThrow()).isEqualTo("2 executions running, at most 2 allowed");
    assertThat(next.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(launcher.started()).hasSize(3);
  }

  @Test
  void aProcessThatClaimsTheWindowBetweenAnothersCheckAndClaimWinsTheRace() {
    DriftReport report = Alarms.window(T0, true);
    AlarmTrigger winner = triggers("winner").onAlarm("drift", launcher, TriggerPolicy.defaults());
    // the loser's launcher is asked for the running count after the loser checked for a claim and
    // before it claims: the winner handles the same window right then
    PipelineLauncher interleaving = new PipelineLauncher() {
      @Override
      public String pipelineName() {
        return "fraud";
      }

      @Override
      public int runningExecutions() {
        int running = launcher.runningExecutions();
        winner.handle(report);
        return running;
      }

      @Override
      public String start(Map<String, String> parameters, String cause) {
        return launcher.start(parameters, cause);
      }
    };
    Triggers loserTriggers = triggers("loser");
    AlarmTrigger loser = loserTriggers.onAlarm("drift", interleaving, TriggerPolicy.defaults());

    TriggerRecord lost = loser.handle(report).orElseThrow();

    assertThat(lost.outcome()).isEqualTo(TriggerOutcome.LOST_RACE);
    assertThat(lost.reason().orElseThrow()).contains("claimed at the same time by winner");
    assertThat(launcher.started()).hasSize(1);
    assertThat(loserTriggers.history("fraud")).extracting(TriggerRecord::outcome, TriggerRecord::instance)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(TriggerOutcome.FIRED, "winner"),
            org.assertj.core.groups.Tuple.tuple(TriggerOutcome.LOST_RACE, "loser"));
  }

  @Test
  void fiveInstancesSeeingTheSameAlarmAtOnceStartOneExecution() throws Exception {
    DriftReport report = Alarms.window(T0, true);
    int n = 5;
    List<AlarmTrigger> fleet = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      // no cooldown and a high cap: only the claim keeps the others from starting
      fleet.add(triggers("p" + i).onAlarm("drift", new StoreRecordingLauncher(store, "fraud"),
          TriggerPolicy.defaults().withMaxConcurrent(100)));
    }
    CyclicBarrier barrier = new CyclicBarrier(n);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<TriggerRecord>> results = new ArrayList<>();
      for (AlarmTrigger t : fleet) {
        results.add(pool.submit(() -> {
          barrier.await();
          return t.handle(report).orElseThrow();
        }));
      }
      List<TriggerOutcome> outcomes = new ArrayList<>();
      for (Future<TriggerRecord> f : results) {
        outcomes.add(f.get().outcome());
      }
      assertThat(outcomes).filteredOn(o -> o == TriggerOutcome.FIRED).hasSize(1);
      assertThat(outcomes).filteredOn(o -> o != TriggerOutcome.FIRED)
          .allMatch(o -> o == TriggerOutcome.DUPLICATE || o == TriggerOutcome.LOST_RACE);
    } finally {
      pool.shutdownNow();
    }
    assertThat(launcher.started()).hasSize(1);
    assertThat(triggers("reader").history("fraud")).hasSize(n);
  }

  @Test
  void countWindowsDeDuplicateByTimeBucket() {
    Triggers a = triggers("a");
    Triggers b = triggers("b");
    AlarmTrigger ta = a.onAlarm("drift", launcher, TriggerPolicy.defaults().withMaxConcurrent(5), Duration.ofMinutes(10));
    AlarmTrigger tb = b.onAlarm("drift", launcher, TriggerPolicy.defaults().withMaxConcurrent(5), Duration.ofMinutes(10));

    TriggerRecord first = ta.handle(Alarms.window(T0.plusSeconds(61), true)).orElseThrow();
    TriggerRecord sameBucket = tb.handle(Alarms.window(T0.plusSeconds(545), true)).orElseThrow();
    TriggerRecord nextBucket = tb.handle(Alarms.window(T0.plusSeconds(600), true)).orElseThrow();

    assertThat(first.event()).isEqualTo("b" + T0.toEpochMilli());
    assertThat(sameBucket.outcome()).isEqualTo(TriggerOutcome.DUPLICATE);
    assertThat(nextBucket.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(nextBucket.event()).isEqualTo("b" + T0.plusSeconds(600).toEpochMilli());
  }

  @Test
  void aLauncherThatThrowsIsRecordedAsFailedAndTheWindowIsConsumed() {
    PipelineLauncher broken = new PipelineLauncher() {
      @Override
      public String pipelineName() {
        return "fraud";
      }

      @Override
      public int runningExecutions() {
        return 0;
      }

      @Override
      public String start(Map<String, String> parameters, String cause) {
        throw new IllegalStateException("engine is down");
      }
    };
    Triggers triggers = triggers("a");
    AlarmTrigger trigger = triggers.onAlarm("drift", broken, TriggerPolicy.defaults());
    DriftReport report = Alarms.window(T0, true);

    TriggerRecord failed = trigger.handle(report).orElseThrow();
    TriggerRecord again = trigger.handle(report).orElseThrow();

    assertThat(failed.outcome()).isEqualTo(TriggerOutcome.FAILED);
    assertThat(failed.reason().orElseThrow()).contains("engine is down");
    assertThat(again.outcome()).isEqualTo(TriggerOutcome.DUPLICATE);
  }
}
