package dev.mlops.pipeline.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Digest;
import dev.mlops.core.MemObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DataTriggerTest {
  private static final Instant T0 = Instant.parse("2026-01-05T10:30:00Z");
  private static final Digest D1 = Digest.of("day 1".getBytes(StandardCharsets.UTF_8));
  private static final Digest D2 = Digest.of("day 2".getBytes(StandardCharsets.UTF_8));

  private final MemObjectStore store = new MemObjectStore();
  private final TestClock clock = new TestClock(T0);
  private final StoreRecordingLauncher launcher = new StoreRecordingLauncher(store, "fraud");
  private final AtomicReference<Digest> dataset = new AtomicReference<>(D1);

  @AfterEach
  void close() {
    store.close();
  }

  private Triggers triggers(String instance) {
    return Triggers.builder(store).clock(clock).instance(instance).build();
  }

  @Test
  void firesOncePerNewDigest() {
    Triggers triggers = triggers("a");
    DataTrigger trigger = triggers.onNewData("new-data", launcher, dataset::get, TriggerPolicy.defaults().withMaxConcurrent(10));

    TriggerRecord first = trigger.poll().orElseThrow();
    assertThat(trigger.poll()).isEmpty();
    dataset.set(D2);
    TriggerRecord second = trigger.poll().orElseThrow();
    assertThat(trigger.poll()).isEmpty();

    assertThat(first.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(first.source()).isEqualTo(TriggerSource.DATA);
    assertThat(first.event()).isEqualTo("d" + D1.hex());
    assertThat(first.cause()).isEqualTo("new data: digest " + D1);
    assertThat(second.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(launcher.started()).hasSize(2);
    assertThat(launcher.parameters(1)).containsEntry(DataTrigger.PARAM_DIGEST, D2.toString());
  }

  @Test
  void aDigestSeenBeforeIsADuplicateRecordedOnce() {
    Triggers triggers = triggers("a");
    DataTrigger trigger = triggers.onNewData("new-data", launcher, dataset::get, TriggerPolicy.defaults().withMaxConcurrent(10));
    trigger.poll();
    dataset.set(D2);
    trigger.poll();

    dataset.set(D1);
    TriggerRecord back = trigger.poll().orElseThrow();

    assertThat(back.outcome()).isEqualTo(TriggerOutcome.DUPLICATE);
    assertThat(back.reason().orElseThrow()).contains("already claimed by a");
    assertThat(trigger.poll()).isEmpty();
    assertThat(launcher.started()).hasSize(2);
  }

  @Test
  void anotherProcessSeeingTheSameDigestRecordsADuplicate() {
    DataTrigger a = triggers("a").onNewData("new-data", launcher, dataset::get, TriggerPolicy.defaults());
    DataTrigger b = triggers("b").onNewData("new-data", launcher, dataset::get, TriggerPolicy.defaults());

    assertThat(a.poll().orElseThrow().outcome()).isEqualTo(TriggerOutcome.FIRED);
    TriggerRecord rb = b.poll().orElseThrow();

    assertThat(rb.outcome()).isEqualTo(TriggerOutcome.DUPLICATE);
    assertThat(rb.reason().orElseThrow()).contains("claimed by a at " + T0);
    assertThat(b.poll()).isEmpty();
    assertThat(launcher.started()).hasSize(1);
  }

  @Test
  void aNewDigestHeldBackByTheCapIsRecordedOnceAndFiresWhenTheCapAllows() {
    Triggers triggers = triggers("a");
    DataTrigger trigger = triggers.onNewData("new-data", launcher, dataset::get, TriggerPolicy.defaults());
    String running = trigger.poll().orElseThrow().executionId().orElseThrow();
    dataset.set(D2);

    TriggerRecord capped = trigger.poll().orElseThrow();
    assertThat(trigger.poll()).as("the same suppression is not recorded at every poll").isEmpty();
    launcher.finish(running);
    TriggerRecord fired = trigger.poll().orElseThrow();

    assertThat(capped.outcome()).isEqualTo(TriggerOutcome.CONCURRENCY_CAP);
    assertThat(fired.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(fired.event()).isEqualTo("d" + D2.hex());
    assertThat(triggers.history("fraud")).extracting(TriggerRecord::outcome)
        .containsExactly(TriggerOutcome.FIRED, TriggerOutcome.CONCURRENCY_CAP, TriggerOutcome.FIRED);
  }

  @Test
  void aNewDigestInTheCooldownFiresWhenTheCooldownEnds() {
    Triggers triggers = triggers("a");
    DataTrigger trigger = triggers.onNewData("new-data", launcher, dataset::get,
        TriggerPolicy.defaults().withCooldown(Duration.ofHours(6)).withMaxConcurrent(10));
    trigger.poll();
    dataset.set(D2);
    clock.advance(Duration.ofHours(1));

    TriggerRecord cooling = trigger.poll().orElseThrow();
    clock.advance(Duration.ofHours(2));
    assertThat(trigger.poll()).isEmpty();
    clock.advance(Duration.ofHours(3));
    TriggerRecord fired = trigger.poll().orElseThrow();

    assertThat(cooling.outcome()).isEqualTo(TriggerOutcome.COOLDOWN);
    assertThat(fired.outcome()).isEqualTo(TriggerOutcome.FIRED);
    assertThat(fired.at()).isEqualTo(T0.plus(Duration.ofHours(6)));
  }

  @Test
  void polledOnTheHostsSchedulerItFiresForANewDigest() throws Exception {
    Triggers triggers = triggers("a");
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
    try (DataTrigger trigger = triggers.onNewData("new-data", launcher, dataset::get,
        TriggerPolicy.defaults().withMaxConcurrent(10))) {
      trigger.start(executor, Duration.ofMillis(2));
      awaitStarts(1);
      dataset.set(D2);
      awaitStarts(2);
    } finally {
      executor.shutdownNow();
      assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(triggers.history("fraud")).extracting(TriggerRecord::event).containsExactly("d" + D1.hex(), "d" + D2.hex());
  }

  @Test
  void aSupplierReturningNullIsAnError() {
    DataTrigger trigger = triggers("a").onNewData("new-data", launcher, () -> null, TriggerPolicy.defaults());
    assertThatThrownBy(trigger::poll).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("new-data").hasMessageContaining("returned null");
  }

  private void awaitStarts(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (launcher.started().size() < n && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
    assertThat(launcher.started()).hasSize(n);
  }
}
