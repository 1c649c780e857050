package dev.mlops.pipeline.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.core.MemObjectStore;
import dev.mlops.pipeline.Pipeline;
import dev.mlops.pipeline.PipelineLauncher;
import dev.mlops.pipeline.Pipelines;
import dev.mlops.pipeline.Step;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
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
}
