package dev.mlops.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ConflictException;
import dev.mlops.Run;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunQuery;
import dev.mlops.RunStatus;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How runs end: {@code run(...)} records failures, {@code close()} means FINISHED, {@code fail} records why. */
class RunEndingTest {
  private final MemObjectStore store = new MemObjectStore();
  private final Clock clock = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
  private final CoreWorkspace ws = CoreWorkspace.builder(store).clock(clock).actor("alice").build();

  @AfterEach
  void close() {
    ws.close();
  }

  @Test
  void aBodyThatReturnsEndsFinishedAndHandsBackItsResult() {
    AtomicReference<RunId> id = new AtomicReference<>();
    double auc = ws.experiments().run("churn", "xgb", run -> {
      id.set(run.id());
      run.logMetric("auc", 0.91);
      return 0.91;
    });

    assertThat(auc).isEqualTo(0.91);
    RunInfo info = ws.experiments().getRun(id.get());
    assertThat(info.status()).isEqualTo(RunStatus.FINISHED);
    assertThat(info.statusReason()).isEmpty();
    assertThat(info.latestMetrics()).containsEntry("auc", 0.91);
  }

  @Test
  void aBodyThatThrowsEndsFailedWithTheReasonAndTheExceptionPropagatesUnchanged() {
    AtomicReference<RunId> id = new AtomicReference<>();
    IllegalStateException thrown = new IllegalStateException("loss diverged at epoch 7");

    assertThatThrownBy(() -> ws.experiments().run("churn", "xgb", run -> {
      id.set(run.id());
      run.logMetric("loss", Double.NaN, 7);
      throw thrown;
    })).isSameAs(thrown).satisfies(t -> assertThat(t.getSuppressed()).isEmpty());

    RunInfo info = ws.experiments().getRun(id.get());
    assertThat(info.status()).isEqualTo(RunStatus.FAILED);
    assertThat(info.statusReason()).contains("java.lang.IllegalStateException: loss diverged at epoch 7");
    assertThat(info.latestMetrics()).containsKey("loss");
    // the failure is searchable
    assertThat(ws.experiments().search(RunQuery.builder().experiment("churn").status(RunStatus.FAILED).build()).runs())
        .extracting(RunInfo::id).containsExactly(id.get());
  }

  @Test
  void checkedExceptionsAndErrorsAreRethrownUnchangedToo() {
    IOException io = new IOException("disk full");
    AtomicReference<RunId> id = new AtomicReference<>();
    assertThatThrownBy(() -> ws.experiments().runWithoutResult("churn", "io", run -> {
      id.set(run.id());
      throw io;
    })).isSameAs(io);
    assertThat(ws.experiments().getRun(id.get()).statusReason()).contains("java.io.IOException: disk full");

    StackOverflowError error = new StackOverflowError();
    assertThatThrownBy(() -> ws.experiments().run("churn", "error", run -> {
      id.set(run.id());
      throw error;
    })).isSameAs(error);
    RunInfo info = ws.experiments().getRun(id.get());
    assertThat(info.status()).isEqualTo(RunStatus.FAILED);
    assertThat(info.statusReason()).contains("java.lang.StackOverflowError");
  }

  @Test
  void aVoidBodyReturnsTheRunId() throws Exception {
    RunId id = ws.experiments().runWithoutResult("churn", "void", run -> run.logParam("lr", "0.1"));
    assertThat(ws.experiments().getRun(id).status()).isEqualTo(RunStatus.FINISHED);
    assertThat(ws.experiments().getRun(id).params()).containsEntry("lr", "0.1");
  }

  @Test
  void anEndChosenByTheBodyStands() {
    RunId killed = ws.experiments().run("churn", "k", run -> {
      run.end(RunStatus.KILLED, "preempted");
      return run.id();
    });
    assertThat(ws.experiments().getRun(killed).status()).isEqualTo(RunStatus.KILLED);
    assertThat(ws.experiments().getRun(killed).statusReason()).contains("preempted");

    AtomicReference<RunId> id = new AtomicReference<>();
    RuntimeException late = new RuntimeException("after the end");
    assertThatThrownBy(() -> ws.experiments().run("churn", "f", run -> {
      id.set(run.id());
      run.end(RunStatus.FINISHED);
      throw late;
    })).isSameAs(late);
    assertThat(ws.experiments().getRun(id.get()).status()).isEqualTo(RunStatus.FINISHED);
  }

  @Test
  void anInvalidExperimentNameRunsNoBody() {
    AtomicReference<Boolean> ran = new AtomicReference<>(false);
    assertThatThrownBy(() -> ws.experiments().run("bad name", "", run -> ran.getAndSet(true)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'bad name'");
    assertThat(ran.get()).isFalse();
    assertThat(ws.experiments().experimentNames()).isEmpty();
  }

  @Test
  void closeMeansFinishedAndFailRecordsTheCause() {
    Run failed = ws.experiments().startRun("churn", "manual");
    try (Run run = failed) {
      try {
        throw new ArithmeticException("/ by zero");
      } catch (ArithmeticException e) {
        run.fail(e);
      }
    }
    assertThat(ws.experiments().getRun(failed.id()).status()).isEqualTo(RunStatus.FAILED);
    assertThat(ws.experiments().getRun(failed.id()).statusReason()).contains("java.lang.ArithmeticException: / by zero");
    // failing again is a no-op; finishing a failed run is a conflict
    failed.fail(new RuntimeException("other"));
    assertThat(ws.experiments().getRun(failed.id()).statusReason()).contains("java.lang.ArithmeticException: / by zero");
    assertThatThrownBy(() -> failed.end(RunStatus.FINISHED)).isInstanceOf(ConflictException.class);

    Run closed = ws.experiments().startRun("churn", "closed");
    closed.close();
    assertThat(ws.experiments().getRun(closed.id()).status()).isEqualTo(RunStatus.FINISHED);
  }

  @Test
  void aLongReasonIsCutAndSurvivesAReopen() {
    Run run = ws.experiments().startRun("churn");
    run.end(RunStatus.FAILED, "x".repeat(Run.MAX_REASON_LENGTH + 10));
    try (CoreExperiments other = new CoreExperiments(store, clock, "bob")) {
      assertThat(other.getRun(run.id()).statusReason()).hasValueSatisfying(r ->
          assertThat(r).hasSize(Run.MAX_REASON_LENGTH));
    }
    assertThat(List.of(RunStatus.values())).contains(RunStatus.FAILED);
  }
}
