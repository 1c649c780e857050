package dev.mlops.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.CorruptDataException;
import dev.mlops.Run;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunQuery;
import dev.mlops.RunStatus;
import dev.mlops.core.internal.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs started deferred ({@link RunReservation#startRunDeferred}): nothing is stored until the
 * run's first entry, {@code info()}, a second, or the workspace's close; a run that ends first is
 * one {@code START_END} entry, read back as a START and an END. And {@link CoreWorkspace#restoreRun}.
 */
class DeferredRunTest {
  private static List<String> runKeys(RunStartThreadsTest.ThreadRecordingStore store, RunId id) {
    return store.creators.keySet().stream().filter(k -> k.startsWith("runs/" + id.value() + "/log/")).sorted().toList();
  }

  private static String text(RunStartThreadsTest.ThreadRecordingStore store, String key) {
    return new String(store.get(key).orElseThrow(), StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aRunThatEndsBeforeWritingAnythingIsOneEntry(boolean persistent) {
    RunStartThreadsTest.ThreadRecordingStore store = new RunStartThreadsTest.ThreadRecordingStore(persistent);
    RunId id;
    try (CoreExperiments ex = new CoreExperiments(store, new RunMetricsTest.TickingClock(), "t")) {
      RunReservation r = ex.reserve("churn", 2);
      Run run = r.startRunDeferred("step", Map.of("depth", "6"), Map.of("team", "x"));
      id = run.id();
      assertThat(runKeys(store, id)).as("nothing stored at the start").isEmpty();
      assertThat(ex.findRun(id)).isEmpty();
      run.logMetric("auc", 0.9);
      run.flush(); // a metric segment: not a log entry
      assertThat(runKeys(store, id)).isEmpty();
      run.close();
      List<String> keys = runKeys(store, id);
      assertThat(keys).as("one entry").hasSize(1);
      assertThat(text(store, keys.get(0))).contains("\"type\":\"START_END\"");
      RunInfo info = ex.getRun(id);
      assertThat(info.status()).isEqualTo(RunStatus.FINISHED);
      assertThat(info.name()).isEqualTo("step");
      assertThat(info.params()).containsEntry("depth", "6");
      assertThat(info.tags()).containsEntry("team", "x");
      assertThat(info.latestMetrics()).containsEntry("auc", 0.9);
      assertThat(info.endedAt().orElseThrow()).isAfter(info.startedAt());
      assertThat(ex.metricHistory(id, "auc")).hasSize(1);
      assertThat(ex.search(RunQuery.builder().experiment("churn").build()).runs()).extracting(RunInfo::id)
          .containsExactly(id);
      run.close(); // idempotent
      assertThatThrownBy(() -> run.logParam("late", "1")).hasMessageContaining("ended");
      assertThat(ex.verify(id).ok()).isTrue();
      r.close();
    }
    try (CoreExperiments other = new CoreExperiments(store, new RunMetricsTest.TickingClock(), "t")) {
      assertThat(other.getRun(id).status()).isEqualTo(RunStatus.FINISHED);
      assertThat(other.verifyIndex().ok()).isTrue();
    }
  }

  @Test
  void aFirstEntryOrInfoWritesTheStartFirstAndAFailedRunIsOneEntryToo() {
    RunStartThreadsTest.ThreadRecordingStore store = new RunStartThreadsTest.ThreadRecordingStore(false);
    try (CoreExperiments ex = new CoreExperiments(store, new RunMetricsTest.TickingClock(), "t")) {
      RunReservation r = ex.reserve("churn", 3);
      Run withParam = r.startRunDeferred("p", Map.of(), Map.of());
      withParam.logParam("lr", "0.1");
      assertThat(runKeys(store, withParam.id())).hasSize(2);
      withParam.close();
      assertThat(runKeys(store, withParam.id())).hasSize(3);
      assertThat(text(store, runKeys(store, withParam.id()).get(0))).contains("\"type\":\"START\"");
      assertThat(ex.getRun(withParam.id()).params()).containsEntry("lr", "0.1");

      Run looked = r.startRunDeferred("i", Map.of(), Map.of());
      assertThat(looked.info().status()).isEqualTo(RunStatus.RUNNING);
      assertThat(runKeys(store, looked.id())).hasSize(1);
      looked.close();

      Run failed = r.startRunDeferred("f", Map.of(), Map.of());
      failed.fail(new IllegalStateException("boom"));
      assertThat(runKeys(store, failed.id())).hasSize(1);
      RunInfo info = ex.getRun(failed.id());
      assertThat(info.status()).isEqualTo(RunStatus.FAILED);
      assertThat(info.statusReason()).hasValueSatisfying(why -> assertThat(why).contains("boom"));
      r.close();
    }
  }

  @Test
  void aRunStillRunningAfterASecondOrAtCloseHasItsStartStored() throws Exception {
    RunStartThreadsTest.ThreadRecordingStore store = new RunStartThreadsTest.ThreadRecordingStore(true);
    RunId timed;
    RunId atClose;
    try (CoreExperiments ex = new CoreExperiments(store, java.time.Clock.systemUTC(), "t")) {
      RunReservation r = ex.reserve("churn", 2);
      Run run = r.startRunDeferred("long", Map.of(), Map.of());
      timed = run.id();
      long until = System.nanoTime() + 10_000_000_000L;
      while (ex.findRun(timed).isEmpty() && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertThat(ex.findRun(timed)).as("START stored by the timer").isPresent();
      assertThat(ex.search(RunQuery.builder().experiment("churn").build()).runs()).extracting(RunInfo::id)
          .contains(timed);
      run.close();
      assertThat(runKeys(store, timed)).hasSize(2);
      atClose = r.startRunDeferred("open", Map.of(), Map.of()).id();
    }
    try (CoreExperiments other = new CoreExperiments(store, java.time.Clock.systemUTC(), "t")) {
      assertThat(other.getRun(atClose).status()).as("left running, as any run").isEqualTo(RunStatus.RUNNING);
    }
  }

  @Test
  void restoreWritesAMissingRunOnceAndNothingForOneInTheStore() {
    RunStartThreadsTest.ThreadRecordingStore store = new RunStartThreadsTest.ThreadRecordingStore(false);
    try (CoreWorkspace ws = (CoreWorkspace) dev.mlops.Mlops.open(java.net.URI.create("mem:restore"), store)) {
      RunReservation r = ws.reserveRuns("churn", 2);
      Run lost = r.startRunDeferred("lost", Map.of(), Map.of()); // its process "died": never ended
      lost.logMetric("loss", 0.5);
      lost.flush();
      assertThat(ws.restoreRun("churn", lost.id(), "lost", Map.of("a", "1"), Map.of("t", "v"), "restored"))
          .isTrue();
      RunInfo info = ws.experiments().getRun(lost.id());
      assertThat(info.status()).isEqualTo(RunStatus.FINISHED);
      assertThat(info.params()).containsEntry("a", "1");
      assertThat(info.latestMetrics()).containsEntry("loss", 0.5);
      assertThat(info.statusReason()).contains("restored");
      assertThat(ws.restoreRun("churn", lost.id(), "lost", Map.of(), Map.of(), "")).isFalse();
      Run ended = r.startRunDeferred("ended", Map.of(), Map.of());
      ended.close();
      assertThat(ws.restoreRun("churn", ended.id(), "ended", Map.of(), Map.of(), "")).isFalse();
      assertThatThrownBy(() -> ws.restoreRun("churn", RunId.of("0123456789abcdef0123456789abc"), "n",
          Map.of("bad key", "v"), Map.of(), "")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("bad key");
      // the handle of the "dead" process, if it were still alive, finds the run restored
      lost.close();
      assertThat(ws.experiments().getRun(lost.id()).statusReason()).contains("restored");
      assertThatThrownBy(() -> lost.logParam("late", "1")).hasMessageContaining("ended");
    }
  }

  @Test
  void anEndTheStoreRefusedIsWrittenByTheNextTry() {
    java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger(1);
    dev.mlops.spi.ObjectStore store = new dev.mlops.spi.ForwardingObjectStore(new MemObjectStore()) {
      @Override
      public void create(String key, byte[] bytes) {
        if (key.startsWith("runs/") && key.contains("/log/") && failures.getAndDecrement() > 0) {
          throw new dev.mlops.StorageException("injected: refused " + key);
        }
        super.create(key, bytes);
      }
    };
    try (CoreExperiments ex = new CoreExperiments(store, new RunMetricsTest.TickingClock(), "t")) {
      RunReservation r = ex.reserve("churn", 1);
      Run run = r.startRunDeferred("step", Map.of(), Map.of());
      assertThatThrownBy(run::close).hasMessageContaining("injected");
      assertThat(ex.findRun(run.id())).isEmpty();
      run.close();
      assertThat(ex.getRun(run.id()).status()).isEqualTo(RunStatus.FINISHED);
      assertThat(store.listAll("runs/" + run.id().value() + "/log/").count()).isEqualTo(1);
    }
  }

  @Test
  void aStartEndEntryAnywhereButFirstOrNotEndingIsDamage() {
    RunId id = RunId.of("0123456789abcdef0123456789abc");
    ObjectNode start = Json.MAPPER.createObjectNode().put("type", "START_END").put("at", "2026-12-04T00:00:00Z")
        .put("endedAt", "2026-12-04T00:00:01Z").put("run", id.value()).put("experiment", "churn").put("name", "n")
        .put("status", "FINISHED");
    start.putObject("provenance").put("libraryVersion", "x").put("jvm", "j").put("os", "o").put("host", "h")
        .put("user", "u");
    start.putObject("metrics");
    RunState one = RunState.empty(id).apply(new dev.mlops.core.internal.HashChainedLog.Entry(1, "k1", start, "h1", "g"));
    assertThat(one.status()).isEqualTo(RunStatus.FINISHED);
    assertThatThrownBy(() -> one.apply(new dev.mlops.core.internal.HashChainedLog.Entry(2, "k2", start, "h2", "g")))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("k2");
    ObjectNode running = start.deepCopy().put("status", "RUNNING");
    assertThatThrownBy(() -> RunState.empty(id).apply(new dev.mlops.core.internal.HashChainedLog.Entry(1, "k3", running, "h3", "g"))).isInstanceOf(CorruptDataException.class).hasMessageContaining("RUNNING");
    ObjectNode noEnd = start.deepCopy();
    noEnd.remove("endedAt");
    assertThatThrownBy(() -> RunState.empty(id).apply(new dev.mlops.core.internal.HashChainedLog.Entry(1, "k4", noEnd, "h4", "g"))).isInstanceOf(CorruptDataException.class).hasMessageContaining("k4");
  }
}
