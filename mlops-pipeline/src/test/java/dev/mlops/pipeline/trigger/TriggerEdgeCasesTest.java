package dev.mlops.pipeline.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.Mlops;
import dev.mlops.NotFoundException;
import dev.mlops.Workspace;
import dev.mlops.core.MemObjectStore;
import dev.mlops.pipeline.ExecutionResult;
import dev.mlops.pipeline.ExecutionStatus;
import dev.mlops.pipeline.Pipeline;
import dev.mlops.pipeline.PipelineLauncher;
import dev.mlops.pipeline.Pipelines;
import dev.mlops.pipeline.Step;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Retrain triggers at the edges an outside check tried: a launcher whose {@link Pipelines} is
 * closed, a dataset digest that flips back and forth, a claim object copied from another event's
 * key, and an execution abandoned by its driver holding the only slot of the default policy.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TriggerEdgeCasesTest {
  private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
  private static final Digest D1 = Digest.of("day 1".getBytes(StandardCharsets.UTF_8));
  private static final Digest D2 = Digest.of("day 2".getBytes(StandardCharsets.UTF_8));

  private final MemObjectStore store = new MemObjectStore();
  private final Workspace ws = Mlops.open(URI.create("kit:triggers"), store);
  private final TestClock clock = new TestClock(T0);

  @AfterEach
  void close() {
    ws.close();
  }

  private Triggers triggers(String instance) {
    return Triggers.builder(store).clock(clock).instance(instance).build();
  }

  private static Pipeline quick() {
    return Pipeline.builder("fraud").step(Step.task("train", ctx -> ctx.metric("auc", 0.9)).metrics("auc")).build();
  }

  @Test
  void aTriggerFiredAfterItsPipelinesClosedRecordsFailedAndLeavesNoExecutionBehind() {
    Pipelines closed = Pipelines.on(ws);
    PipelineLauncher launcher = closed.launcher(quick());
    closed.close();

    TriggerRecord r = triggers("a").onAlarm("drift", launcher, TriggerPolicy.defaults())
        .handle(Alarms.window(T0, true)).orElseThrow();

    assertThat(r.outcome()).isEqualTo(TriggerOutcome.FAILED);
    assertThat(r.reason().orElseThrow()).contains("closed");
    try (Pipelines reader = Pipelines.on(ws)) {
      // an execution written but driven by nobody would count as running for ever and hold the
      // default policy's only slot in every process
      assertThat(reader.executions("fraud")).isEmpty();
      assertThat(reader.runningExecutions("fraud")).isZero();
    }
  }

  @Test
  void aDigestFlippingBackAndForthIsRecordedOnceAsADuplicatePerProcess() {
    StoreRecordingLauncher launcher = new StoreRecordingLauncher(store, "fraud");
    AtomicReference<Digest> dataset = new AtomicReference<>(D1);
    Triggers triggers = triggers("a");
    DataTrigger trigger = triggers.onNewData("new-data", launcher, dataset::get, TriggerPolicy.defaults()
        .withMaxConcurrent(10));

    for (int i = 0; i < 6; i++) { // D1 D2 D1 D2 D1 D2: two replicas of a source answering in turn
      dataset.set(i % 2 == 0 ? D1 : D2);
      trigger.poll();
    }

    assertThat(triggers.history("fraud")).extracting(TriggerRecord::event, TriggerRecord::outcome).containsExactly(
        org.assertj.core.groups.Tuple.tuple("d" + D1.hex(), TriggerOutcome.FIRED),
        org.assertj.core.groups.Tuple.tuple("d" + D2.hex(), TriggerOutcome.FIRED),
        org.assertj.core.groups.Tuple.tuple("d" + D1.hex(), TriggerOutcome.DUPLICATE),
        org.assertj.core.groups.Tuple.tuple("d" + D2.hex(), TriggerOutcome.DUPLICATE));
    assertThat(launcher.started()).hasSize(2);
  }

  @Test
  void aClaimCopiedFromAnotherEventIsCorruptNamingItsKey() {
    StoreRecordingLauncher launcher = new StoreRecordingLauncher(store, "fraud");
    AlarmTrigger trigger = triggers("a").onAlarm("drift", launcher, TriggerPolicy.defaults().withMaxConcurrent(10));
    TriggerRecord first = trigger.handle(Alarms.window(T0, true)).orElseThrow();
    assertThat(first.outcome()).isEqualTo(TriggerOutcome.FIRED);
    Instant next = T0.plus(Duration.ofHours(1));
    String from = "pipeline-triggers/fraud/claims/drift/" + first.event();
    String to = "pipeline-triggers/fraud/claims/drift/w" + next.toEpochMilli() + "-" + next.toEpochMilli();
    store.create(to, store.get(from).orElseThrow());

    assertThatThrownBy(() -> trigger.handle(Alarms.window(next, true))).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(to).hasMessageContaining(first.event());
    assertThat(launcher.started()).hasSize(1);
  }

  @Test
  void aClaimOfAnotherTriggerOrPipelineIsCorruptNamingItsKey() {
    StoreRecordingLauncher launcher = new StoreRecordingLauncher(store, "fraud");
    Triggers triggers = triggers("a");
    TriggerRecord first = triggers.onAlarm("drift", launcher, TriggerPolicy.defaults().withMaxConcurrent(10))
        .handle(Alarms.window(T0, true)).orElseThrow();
    String claim = "pipeline-triggers/fraud/claims/drift/" + first.event();
    String otherTrigger = "pipeline-triggers/fraud/claims/quality/" + first.event();
    store.create(otherTrigger, store.get(claim).orElseThrow());
    String otherPipeline = "pipeline-triggers/churn/claims/drift/" + first.event();
    store.create(otherPipeline, store.get(claim).orElseThrow());

    assertThatThrownBy(() -> triggers.onAlarm("quality", launcher, TriggerPolicy.defaults().withMaxConcurrent(10))
        .handle(Alarms.window(T0, true))).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(otherTrigger).hasMessageContaining("'drift'");
    StoreRecordingLauncher churn = new StoreRecordingLauncher(store, "churn");
    assertThatThrownBy(() -> triggers.onAlarm("drift", churn, TriggerPolicy.defaults().withMaxConcurrent(10))
        .handle(Alarms.window(T0, true))).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(otherPipeline).hasMessageContaining("'fraud'");
    assertThat(launcher.started()).hasSize(1);
    assertThat(churn.started()).isEmpty();
  }

  /** A v1 pipeline whose only step blocks (interruptibly) the first time it runs. */
  private static Pipeline blockingOnce(CountDownLatch running, AtomicBoolean blocked) {
    return Pipeline.builder("fraud").step(Step.task("train", ctx -> {
      running.countDown();
      if (blocked.compareAndSet(false, true)) {
        new CountDownLatch(1).await(); // until the driver's Pipelines close and interrupt it
      }
      ctx.metric("auc", 0.8);
    }).metrics("auc").noCache()).build();
  }

  /** Starts an execution and stops its driver mid-step: the store holds it RUNNING, driven by nobody. */
  private String deadExecution(Pipeline pipeline, CountDownLatch running) throws InterruptedException {
    Pipelines dying = Pipelines.builder(ws).lease(Duration.ofMillis(200)).pollInterval(Duration.ofMillis(10)).build();
    String id = dying.start(pipeline, Map.of()).id();
    assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
    dying.close();
    return id;
  }

  @Test
  void aDeadExecutionHoldsTheDefaultSlotUntilItIsResumed() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    Pipeline v1 = blockingOnce(running, new AtomicBoolean());
    String dead = deadExecution(v1, running);
    try (Pipelines live = Pipelines.builder(ws).lease(Duration.ofMillis(200)).pollInterval(Duration.ofMillis(10))
        .build()) {
      AlarmTrigger trigger = triggers("a").onAlarm("drift", live.launcher(v1), TriggerPolicy.defaults());
      TriggerRecord held = trigger.handle(Alarms.window(T0, true)).orElseThrow();
      assertThat(held.outcome()).isEqualTo(TriggerOutcome.CONCURRENCY_CAP);
      assertThat(held.reason().orElseThrow()).contains("1 executions running, at most 1 allowed");

      // the way out: resume it (here, after its lease expired), and it finishes
      assertThat(live.resume(v1, dead).await().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(live.runningExecutions("fraud")).isZero();
      TriggerRecord again = trigger.handle(Alarms.window(T0, true)).orElseThrow();
      assertThat(again.outcome()).as("the same alarm window, held back, fires now").isEqualTo(TriggerOutcome.FIRED);
    }
  }

  @Test
  void aDeadExecutionOfAnOldDefinitionIsAbandonedToFreeTheSlot() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    String dead = deadExecution(blockingOnce(running, new AtomicBoolean()), running);
    Pipeline v2 = Pipeline.builder("fraud").step(Step.task("prepare", ctx -> ctx.output("rows", "10")).parameters("rows"))
        .step(Step.task("train", ctx -> ctx.metric("auc", 0.9)).after("prepare").metrics("auc")).build();
    try (Pipelines live = Pipelines.on(ws)) {
      AlarmTrigger trigger = triggers("a").onAlarm("drift", live.launcher(v2), TriggerPolicy.defaults());
      assertThat(trigger.handle(Alarms.window(T0, true)).orElseThrow().outcome())
          .isEqualTo(TriggerOutcome.CONCURRENCY_CAP);
      // the deployed definition changed since: the dead execution cannot be resumed with it
      assertThatThrownBy(() -> live.resume(v2, dead)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("other steps");

      ExecutionResult abandoned = live.abandon("fraud", dead, "v1 is no longer deployed");

      assertThat(abandoned.status()).isEqualTo(ExecutionStatus.FAILED);
      assertThat(abandoned.reason()).isEqualTo("abandoned: v1 is no longer deployed");
      assertThat(live.status("fraud", dead)).isEqualTo(abandoned);
      assertThat(live.runningExecutions("fraud")).isZero();
      assertThat(live.verify("fraud", dead).ok()).isTrue();
      assertThatThrownBy(() -> live.abandon("fraud", dead, "again")).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(dead).hasMessageContaining("already finished FAILED");
      assertThatThrownBy(() -> live.abandon("fraud", "e-none", "x")).isInstanceOf(NotFoundException.class)
          .hasMessageContaining("e-none");
      assertThat(trigger.handle(Alarms.window(T0, true)).orElseThrow().outcome()).isEqualTo(TriggerOutcome.FIRED);
    }
  }

  @Test
  void aHugeCooldownSuppressesInsteadOfOverflowing() {
    StoreRecordingLauncher launcher = new StoreRecordingLauncher(store, "fraud");
    Duration forever = Duration.ofSeconds(Long.MAX_VALUE);
    AlarmTrigger trigger = triggers("a").onAlarm("drift", launcher,
        TriggerPolicy.defaults().withCooldown(forever).withMaxConcurrent(10));

    assertThat(trigger.handle(Alarms.window(T0, true)).orElseThrow().outcome()).isEqualTo(TriggerOutcome.FIRED);
    clock.advance(Duration.ofDays(365 * 100));
    TriggerRecord held = trigger.handle(Alarms.window(T0.plusSeconds(60), true)).orElseThrow();

    assertThat(held.outcome()).isEqualTo(TriggerOutcome.COOLDOWN);
    assertThat(held.reason().orElseThrow()).contains("cooldown " + forever);
    assertThat(launcher.started()).hasSize(1);
  }

  @Test
  void aZeroCooldownIsRefusedWithTheWayToSayNone() {
    assertThatThrownBy(() -> TriggerPolicy.defaults().withCooldown(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S").hasMessageContaining("leave it unset");
  }

  @Test
  void anotherAlertListenerThatThrowsDoesNotStopTheTrigger() {
    StoreRecordingLauncher launcher = new StoreRecordingLauncher(store, "fraud");
    Triggers triggers = triggers("a");
    AlarmTrigger trigger = triggers.onAlarm("drift", launcher, TriggerPolicy.defaults());
    java.util.concurrent.atomic.AtomicInteger uncaught = new java.util.concurrent.atomic.AtomicInteger();
    Thread.UncaughtExceptionHandler before = Thread.currentThread().getUncaughtExceptionHandler();
    Thread.currentThread().setUncaughtExceptionHandler((t, e) -> uncaught.incrementAndGet());
    try {
      dev.mlops.drift.PredictionMonitor monitor = Alarms.monitor().windowing(dev.mlops.drift.Windowing.manual())
          .clock(java.time.Clock.fixed(T0, java.time.ZoneOffset.UTC)).executor(Runnable::run)
          .onAlert(r -> {
            throw new IllegalStateException("pager is down");
          })
          .onAlert(trigger).build();
      java.util.Random rnd = new java.util.Random(5);
      for (int i = 0; i < 2000; i++) {
        monitor.record(new double[] {rnd.nextGaussian() + 3}, 0.5);
      }
      monitor.closeWindow();
    } finally {
      Thread.currentThread().setUncaughtExceptionHandler(before);
    }
    assertThat(uncaught.get()).isEqualTo(1);
    assertThat(triggers.history("fraud")).extracting(TriggerRecord::outcome).containsExactly(TriggerOutcome.FIRED);
    assertThat(launcher.started()).hasSize(1);
  }
}
