package dev.mlops.pipeline.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.drift.DriftReport;
import dev.mlops.spi.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every storage backend runs for retrain triggers: de-duplication of one event
 * across {@link Triggers} instances (as in separate processes) rests on the store's
 * create-if-absent; the cooldown is read from the shared log; the history round-trips every field
 * and detects an altered entry. A backend's test extends this class and implements
 * {@link #newStore()}; it is shipped in mlops-pipeline's test jar, run on {@code mem:} here, on
 * {@code file:} in mlops-registry-fs and on {@code s3:} in mlops-registry-s3. Instances are not
 * thread-safe (one per test, as JUnit makes them).
 */
public abstract class TriggerContract {
  private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");

  /** The store under test, fresh for each test. */
  protected ObjectStore store;
  private TestClock clock;
  private StoreRecordingLauncher launcher;

  /** For subclasses. */
  protected TriggerContract() {}

  /**
   * Returns an empty store of the backend under test.
   *
   * @return a fresh store, not shared with another test
   */
  protected abstract ObjectStore newStore();

  @BeforeEach
  final void openStore() {
    store = newStore();
    clock = new TestClock(T0);
    launcher = new StoreRecordingLauncher(store, "fraud");
  }

  @AfterEach
  final void closeStore() {
    store.close();
  }

  private Triggers triggers(String instance) {
    return Triggers.builder(store).clock(clock).instance(instance).build();
  }

  @Test
  void oneWindowSeenByTwoInstancesStartsOneExecution() {
    DriftReport report = Alarms.window(T0, true);
    AlarmTrigger a = triggers("a").onAlarm("drift", launcher, TriggerPolicy.defaults().withMaxConcurrent(10));
    AlarmTrigger b = triggers("b").onAlarm("drift", launcher, TriggerPolicy.defaults().withMaxConcurrent(10));

    TriggerRecord ra = a.handle(report).orElseThrow();
    TriggerRecord rb = b.handle(report).orElseThrow();

    assertThat(ra.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(rb.outcome()).isEqualTo(TriggerOutcome.DUPLICATE);
    assertThat(rb.reason().orElseThrow()).contains("claimed by a at " + T0);
    assertThat(launcher.started()).hasSize(1);
  }

  @Test
  void instancesRacingForOneWindowStartOneExecution() throws Exception {
    int n = 4;
    for (int round = 0; round < 3; round++) {
      DriftReport report = Alarms.window(T0.plus(Duration.ofHours(round)), true);
      List<AlarmTrigger> fleet = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        fleet.add(triggers("p" + i).onAlarm("drift", new StoreRecordingLauncher(store, "fraud"),
            TriggerPolicy.defaults().withMaxConcurrent(100)));
      }
      CyclicBarrier barrier = new CyclicBarrier(n);
      ExecutorService pool = Executors.newFixedThreadPool(n);
      List<TriggerOutcome> outcomes = new ArrayList<>();
      try {
        List<Future<TriggerRecord>> results = new ArrayList<>();
        for (AlarmTrigger t : fleet) {
          results.add(pool.submit(() -> {
            barrier.await();
            return t.handle(report).orElseThrow();
          }));
        }
        for (Future<TriggerRecord> f : results) {
          outcomes.add(f.get().outcome());
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(outcomes).filteredOn(o -> o == TriggerOutcome.FIRED).hasSize(1);
      assertThat(outcomes).filteredOn(o -> o != TriggerOutcome.FIRED)
          .allMatch(o -> o == TriggerOutcome.DUPLICATE || o == TriggerOutcome.LOST_RACE);
      assertThat(launcher.started()).hasSize(round + 1);
    }
    Triggers reader = triggers("reader");
    assertThat(reader.history("fraud")).hasSize(3 * n);
    assertThat(reader.verify("fraud").ok()).isTrue();
  }

  @Test
  void theCooldownIsReadFromTheSharedLog() {
    TriggerPolicy policy = TriggerPolicy.defaults().withCooldown(Duration.ofHours(1)).withMaxConcurrent(10);
    AlarmTrigger a = triggers("a").onAlarm("drift", launcher, policy);
    AlarmTrigger b = triggers("b").onAlarm("drift", launcher, policy);

    a.handle(Alarms.window(T0, true));
    clock.advance(Duration.ofMinutes(30));
    TriggerRecord cooling = b.handle(Alarms.window(clock.instant(), true)).orElseThrow();
    clock.advance(Duration.ofMinutes(30));
    TriggerRecord fired = b.handle(Alarms.window(clock.instant(), true)).orElseThrow();

    assertThat(cooling.outcome()).isEqualTo(TriggerOutcome.COOLDOWN);
    assertThat(fired.outcome()).isEqualTo(TriggerOutcome.FIRED);
  }

  @Test
  void aDigestFiresOnceAcrossInstances() {
    Digest d = Digest.of("rows".getBytes(StandardCharsets.UTF_8));
    DataTrigger a = triggers("a").onNewData("new-data", launcher, () -> d, TriggerPolicy.defaults());
    DataTrigger b = triggers("b").onNewData("new-data", launcher, () -> d, TriggerPolicy.defaults());

    assertThat(a.poll().orElseThrow().outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(b.poll().orElseThrow().outcome()).isEqualTo(TriggerOutcome.DUPLICATE);
    assertThat(launcher.started()).hasSize(1);
  }

  @Test
  void historyRoundTripsEveryFieldAndDetectsAnAlteredEntry() {
    Triggers triggers = triggers("host-1");
    ScheduleTrigger hourly = triggers.onSchedule("hourly", launcher, Schedule.fixedRate(Duration.ofHours(1)),
        TriggerPolicy.defaults());
    clock.set(T0.plus(Duration.ofHours(1)));
    TriggerRecord fired = hourly.poll().orElseThrow();
    clock.set(T0.plus(Duration.ofHours(2)));
    TriggerRecord capped = hourly.poll().orElseThrow();

    List<TriggerRecord> read = triggers("other").history("fraud");
    assertThat(read).containsExactly(fired, capped);
    assertThat(capped.outcome()).isEqualTo(TriggerOutcome.CONCURRENCY_CAP);
    assertThat(capped.reason()).contains("1 executions running, at most 1 allowed");

    String key = "pipeline-triggers/fraud/log/" + String.format("%020d", 2) + ".json";
    byte[] stored = store.get(key).orElseThrow();
    store.delete(key);
    store.create(key, new String(stored, StandardCharsets.UTF_8).replace("host-1", "host-9").getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> triggers("fresh").history("fraud")).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(key);
    assertThat(triggers("fresh").verify("fraud").brokenKey()).contains(key);
  }
}
