package dev.mlops.pipeline.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.core.MemObjectStore;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.PredictionMonitor;
import dev.mlops.drift.Windowing;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A fleet whose clocks disagree by a few seconds (each process its own skewed {@link Clock}, the
 * system clock untouched) sees one drift. Time windows: the event is the window's aligned bounds,
 * the same in every process whatever its skew. Count windows bucketed by their end: ends that
 * straddle a bucket boundary are two events unless the trigger's tolerance covers the skew — then
 * exactly one execution starts; beyond the tolerance, the documented bound, two may.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TriggerClockSkewTest {
  private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
  private static final Duration HOUR = Duration.ofHours(1);
  private static final Instant BOUNDARY = T0.plus(HOUR);

  private final MemObjectStore store = new MemObjectStore();
  private final TestClock real = new TestClock(T0);
  private final StoreRecordingLauncher launcher = new StoreRecordingLauncher(store, "fraud");

  @AfterEach
  void close() {
    store.close();
  }

  /** A process whose clock is {@code skew} ahead of the real time (behind if negative). */
  private Triggers process(String instance, Duration skew) {
    return Triggers.builder(store).clock(Clock.offset(real, skew)).instance(instance).build();
  }

  private static TriggerPolicy open() {
    return TriggerPolicy.defaults().withMaxConcurrent(100);
  }

  @Test
  void timeWindowsAreNamedByTheirAlignedBoundsWhateverEachProcesssSkew() {
    long[] skewsMillis = {-2_500, -800, 0, 1_200, 2_900};
    real.set(T0.plusSeconds(10)); // every skewed clock is inside the minute [T0, T0+1m)
    List<PredictionMonitor> monitors = new ArrayList<>();
    List<TriggerRecord> records = new ArrayList<>();
    for (int i = 0; i < skewsMillis.length; i++) {
      Duration skew = Duration.ofMillis(skewsMillis[i]);
      AlarmTrigger trigger = process("p" + i, skew).onAlarm("drift", launcher, open());
      monitors.add(Alarms.monitor().windowing(Windowing.tumbling(Duration.ofMinutes(1)))
          .clock(Clock.offset(real, skew)).executor(Runnable::run)
          .onAlert(r -> records.add(trigger.handle(r).orElseThrow())).build());
    }
    Random rnd = new Random(3);
    for (int k = 0; k < 2000; k++) {
      real.set(T0.plusSeconds(10).plusMillis(k * 20L)); // drifted traffic from 10 s to 50 s, real time
      for (PredictionMonitor m : monitors) {
        m.record(new double[] {rnd.nextGaussian() + 3}, 0.5);
      }
    }
    // each process closes the window when its own clock passes the boundary: the fast ones first
    for (long at = 57_000; at <= 63_000; at += 500) {
      real.set(T0.plusMillis(at));
      for (PredictionMonitor m : monitors) {
        m.closeWindowIfDue();
      }
    }

    assertThat(records).hasSize(skewsMillis.length);
    assertThat(records).extracting(TriggerRecord::event).containsOnly("w" + T0.toEpochMilli() + "-"
        + T0.plusSeconds(60).toEpochMilli());
    assertThat(records).filteredOn(r -> r.outcome() == TriggerOutcome.FIRED).hasSize(1);
    assertThat(records).filteredOn(r -> r.outcome() != TriggerOutcome.FIRED)
        .allMatch(r -> r.outcome() == TriggerOutcome.DUPLICATE);
    assertThat(launcher.started()).hasSize(1);
  }

  @Test
  void withoutATolerance_oneAlarmWhoseEndsStraddleABucketBoundaryStartsTwoExecutions() {
    // the same count-window alarm, closed at the same real moment by two processes 3 s apart
    DriftReport slow = Alarms.window(BOUNDARY.minusMillis(1_500), true);
    DriftReport fast = Alarms.window(BOUNDARY.plusMillis(1_500), true);

    TriggerRecord a = process("slow", Duration.ofMillis(-1_500)).onAlarm("drift", launcher, open(), HOUR)
        .handle(slow).orElseThrow();
    TriggerRecord b = process("fast", Duration.ofMillis(1_500)).onAlarm("drift", launcher, open(), HOUR)
        .handle(fast).orElseThrow();

    assertThat(a.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(b.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(launcher.started()).as("the bound of the default: skew across a boundary splits the event").hasSize(2);
  }

  @Test
  void withATolerance_oneAlarmWhoseEndsStraddleABucketBoundaryStartsOneExecution() {
    DriftReport slow = Alarms.window(BOUNDARY.minusMillis(1_500), true);
    DriftReport fast = Alarms.window(BOUNDARY.plusMillis(1_500), true);
    Duration tolerance = Duration.ofSeconds(5);

    TriggerRecord b = process("fast", Duration.ofMillis(1_500)).onAlarm("drift", launcher, open(), HOUR, tolerance)
        .handle(fast).orElseThrow();
    TriggerRecord a = process("slow", Duration.ofMillis(-1_500)).onAlarm("drift", launcher, open(), HOUR, tolerance)
        .handle(slow).orElseThrow();

    assertThat(b.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(b.event()).isEqualTo("b" + BOUNDARY.toEpochMilli());
    assertThat(a.outcome()).isEqualTo(TriggerOutcome.DUPLICATE);
    assertThat(a.event()).isEqualTo("b" + T0.toEpochMilli());
    assertThat(a.reason().orElseThrow()).contains("boundary n" + BOUNDARY.toEpochMilli() + " of event b" + T0.toEpochMilli())
        .contains("already claimed by fast");
    assertThat(launcher.started()).hasSize(1);
  }

  @Test
  void beyondTheToleranceTwoAlarmsAreTwoEvents() {
    Duration tolerance = Duration.ofSeconds(5);
    // ends 12 s apart across the boundary: more than twice the tolerance, no bucket in common
    TriggerRecord a = process("a", Duration.ZERO).onAlarm("drift", launcher, open(), HOUR, tolerance)
        .handle(Alarms.window(BOUNDARY.minusSeconds(6), true)).orElseThrow();
    TriggerRecord b = process("b", Duration.ZERO).onAlarm("drift", launcher, open(), HOUR, tolerance)
        .handle(Alarms.window(BOUNDARY.plusSeconds(6), true)).orElseThrow();

    assertThat(a.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(b.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(launcher.started()).hasSize(2);
  }

  @Test
  void concurrentProcessesWithinTheToleranceAcrossABoundaryStartExactlyOneExecutionEachRound() throws Exception {
    Duration tolerance = Duration.ofSeconds(4);
    long[] offsets = {-3_000, -1_000, 1_000, 3_000}; // window ends around each boundary, 6 s spread at most
    int rounds = 15;
    List<AlarmTrigger> triggers = new ArrayList<>();
    for (int i = 0; i < offsets.length; i++) {
      triggers.add(process("p" + i, Duration.ofMillis(offsets[i])).onAlarm("drift", launcher, open(), HOUR, tolerance));
    }
    ExecutorService pool = Executors.newFixedThreadPool(offsets.length);
    try {
      for (int round = 0; round < rounds; round++) {
        Instant boundary = BOUNDARY.plus(HOUR.multipliedBy(round));
        CyclicBarrier start = new CyclicBarrier(offsets.length);
        List<Future<Optional<TriggerRecord>>> results = new ArrayList<>();
        for (int i = 0; i < offsets.length; i++) {
          AlarmTrigger t = triggers.get(i);
          DriftReport report = Alarms.window(boundary.plusMillis(offsets[i]), true);
          results.add(pool.submit(() -> {
            start.await();
            return t.handle(report);
          }));
        }
        List<TriggerOutcome> outcomes = new ArrayList<>();
        for (Future<Optional<TriggerRecord>> f : results) {
          outcomes.add(f.get(30, TimeUnit.SECONDS).orElseThrow().outcome());
        }
        assertThat(outcomes).as("round " + round).filteredOn(o -> o == TriggerOutcome.FIRED).hasSize(1);
        assertThat(outcomes).filteredOn(o -> o != TriggerOutcome.FIRED)
            .allMatch(o -> o == TriggerOutcome.DUPLICATE || o == TriggerOutcome.LOST_RACE);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(launcher.started()).hasSize(rounds);
  }

  @Test
  void aToleranceOfHalfTheBucketOrMoreIsRefused() {
    Triggers t = process("a", Duration.ZERO);
    assertThatThrownBy(() -> t.onAlarm("drift", launcher, open(), HOUR, Duration.ofMinutes(30)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("under half the bucket")
        .hasMessageContaining("PT30M");
    assertThatThrownBy(() -> t.onAlarm("drift", launcher, open(), HOUR, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
  }

  /** Two processes' monitors with the default windowing (count windows of 10,000 records) see one drift. */
  private List<TriggerRecord> defaultMonitorsSeeOneDrift(AlarmTrigger a, AlarmTrigger b) {
    List<TriggerRecord> records = new ArrayList<>();
    PredictionMonitor ma = Alarms.monitor().clock(Clock.offset(real, Duration.ofMillis(-700))).executor(Runnable::run)
        .onAlert(r -> a.handle(r).ifPresent(records::add)).build();
    PredictionMonitor mb = Alarms.monitor().clock(Clock.offset(real, Duration.ofMillis(900))).executor(Runnable::run)
        .onAlert(r -> b.handle(r).ifPresent(records::add)).build();
    Random rnd = new Random(9);
    real.set(BOUNDARY.minusSeconds(20));
    for (int i = 0; i < 10_000; i++) { // a's traffic
      ma.record(new double[] {rnd.nextGaussian() + 3}, 0.5);
    }
    ma.closeWindowIfDue();
    records.forEach(r -> r.executionId().ifPresent(launcher::finish)); // a short retraining, over before b looks
    real.set(BOUNDARY.minusSeconds(12)); // b's window closes 8 s later: its traffic is a little lighter
    for (int i = 0; i < 10_000; i++) {
      mb.record(new double[] {rnd.nextGaussian() + 3}, 0.5);
    }
    mb.closeWindowIfDue();
    return records;
  }

  @Test
  void defaultCountWindowsWithAnUnbucketedAlarmStartOneExecutionPerProcess() {
    List<TriggerRecord> records = defaultMonitorsSeeOneDrift(
        process("a", Duration.ofMillis(-700)).onAlarm("drift", launcher, TriggerPolicy.defaults()),
        process("b", Duration.ofMillis(900)).onAlarm("drift", launcher, TriggerPolicy.defaults()));

    // each count window is named by its own process's bounds: two events for one drift (the bound
    // of the unbucketed form, documented: use a bucket for count windows)
    assertThat(records).extracting(TriggerRecord::outcome).containsExactly(TriggerOutcome.FIRED, TriggerOutcome.FIRED);
    assertThat(launcher.started()).hasSize(2);
  }

  @Test
  void defaultCountWindowsWithABucketedAlarmStartOneExecution() {
    List<TriggerRecord> records = defaultMonitorsSeeOneDrift(
        process("a", Duration.ofMillis(-700)).onAlarm("drift", launcher, TriggerPolicy.defaults(), HOUR,
            Duration.ofSeconds(30)),
        process("b", Duration.ofMillis(900)).onAlarm("drift", launcher, TriggerPolicy.defaults(), HOUR,
            Duration.ofSeconds(30)));

    assertThat(records).extracting(TriggerRecord::outcome)
        .containsExactly(TriggerOutcome.FIRED, TriggerOutcome.DUPLICATE);
    assertThat(launcher.started()).hasSize(1);
  }
}
