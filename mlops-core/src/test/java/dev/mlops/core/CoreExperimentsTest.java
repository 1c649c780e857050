package dev.mlops.core;

import dev.mlops.testkit.SharedStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ArtifactRef;
import dev.mlops.ConflictException;
import dev.mlops.CorruptDataException;
import dev.mlops.DatasetInput;
import dev.mlops.Digest;
import dev.mlops.NotFoundException;
import dev.mlops.Run;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunStatus;
import dev.mlops.core.internal.HashChainedLog;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CoreExperimentsTest {
  private final MemObjectStore store = new MemObjectStore();
  private final Clock clock = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
  private final CoreWorkspace ws = CoreWorkspace.builder(store).clock(clock).actor("alice").build();

  @AfterEach
  void close() {
    ws.close();
  }

  @Test
  void runLifecycleIsRecordedAndReadBack() {
    Run run = ws.experiments().startRun("churn", "baseline");
    run.logParam("lr", "0.01");
    run.logParams(Map.of("depth", "6", "optimizer", "adam"));
    run.setTag("team", "risk");
    run.logMetric("loss", 0.5, 1);
    Digest data = Digest.of("rows".getBytes(StandardCharsets.UTF_8));
    run.logInput(new DatasetInput("train", data, "{\"x\":\"double\"}", 1000, "training"));
    ArtifactRef model = ws.artifacts().put("weights".getBytes(StandardCharsets.UTF_8));
    run.logArtifact("model.bin", model);

    RunInfo live = run.info();
    assertThat(live.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(live.endedAt()).isEmpty();
    assertThat(live.experiment()).isEqualTo("churn");
    assertThat(live.name()).isEqualTo("baseline");
    assertThat(live.startedAt()).isEqualTo(clock.instant());
    assertThat(live.params()).containsExactlyInAnyOrderEntriesOf(Map.of("lr", "0.01", "depth", "6", "optimizer", "adam"));
    assertThat(live.tags()).containsExactlyEntriesOf(Map.of("team", "risk"));
    assertThat(live.latestMetrics()).containsExactlyEntriesOf(Map.of("loss", 0.5));
    assertThat(live.inputs()).containsExactly(new DatasetInput("train", data, "{\"x\":\"double\"}", 1000, "training"));
    assertThat(live.artifacts()).containsExactlyEntriesOf(Map.of("model.bin", model));

    run.end(RunStatus.FINISHED);
    RunInfo done = ws.experiments().getRun(run.id());
    assertThat(done.status()).isEqualTo(RunStatus.FINISHED);
    assertThat(done.endedAt()).contains(clock.instant());
    assertThat(done.latestMetrics()).containsExactlyEntriesOf(Map.of("loss", 0.5));
    assertThat(done.params()).isEqualTo(live.params());
    assertThat(ws.experiments().experimentNames()).containsExactly("churn");
    assertThat(new HashChainedLog(store, "runs/" + run.id() + "/log").verify().ok()).isTrue();
  }

  @Test
  void runIdsAreTimeOrderedValidNamesAndUnique() {
    List<RunId> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      ids.add(ws.experiments().startRun("e").id());
    }
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(ids).allSatisfy(id -> assertThat(id.value()).matches("[0-9a-f]{29}")
        .startsWith(String.format("%013x", clock.millis())));
  }

  @Test
  void paramsAreWriteOnce() {
    Run run = ws.experiments().startRun("e");
    run.logParam("lr", "0.01");
    run.logParam("lr", "0.01"); // same value: no-op
    assertThatThrownBy(() -> run.logParam("lr", "0.02"))
        .isInstanceOf(AlreadyExistsException.class)
        .hasMessageContaining("'lr'").hasMessageContaining("'0.01'").hasMessageContaining("'0.02'");
    assertThat(run.info().params()).containsExactlyEntriesOf(Map.of("lr", "0.01"));
    assertThat(store.listAll("runs/" + run.id() + "/log/").count()).isEqualTo(2); // START + one PARAM
  }

  @Test
  void tagsAreLastWriteWins() {
    Run run = ws.experiments().startRun("e");
    run.setTag("stage", "dev");
    run.setTag("stage", "prod");
    assertThat(run.info().tags()).containsExactlyEntriesOf(Map.of("stage", "prod"));
  }

  @Test
  void aRunEndsOnceAndAcceptsNothingAfterwards() {
    Run run = ws.experiments().startRun("e");
    run.end(RunStatus.FAILED);
    run.end(RunStatus.FAILED); // same status: no-op
    assertThatThrownBy(() -> run.end(RunStatus.FINISHED))
        .isInstanceOf(ConflictException.class).hasMessageContaining("FAILED").hasMessageContaining("FINISHED");
    assertThatThrownBy(() -> run.logParam("a", "1")).isInstanceOf(ConflictException.class).hasMessageContaining("ended");
    assertThatThrownBy(() -> run.setTag("a", "1")).isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> run.logMetric("m", 1.0)).isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> run.logInput(new DatasetInput("d", Digest.of(new byte[0]), "", -1, "")))
        .isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> run.end(RunStatus.RUNNING)).isInstanceOf(IllegalArgumentException.class);
    run.close(); // already ended: nothing happens
    assertThat(ws.experiments().getRun(run.id()).status()).isEqualTo(RunStatus.FAILED);
  }

  @Test
  void closingARunningRunFinishesIt() {
    RunId id;
    try (Run run = ws.experiments().startRun("e")) {
      run.logMetric("acc", 0.9, 3);
      id = run.id();
    }
    RunInfo info = ws.experiments().getRun(id);
    assertThat(info.status()).isEqualTo(RunStatus.FINISHED);
    assertThat(info.latestMetrics()).containsEntry("acc", 0.9);
  }

  @Test
  void anotherProcessCanReattachAndEndARun() {
    Run run = ws.experiments().startRun("e", "trainer");
    run.logParam("seed", "7");
    try (CoreWorkspace other = CoreWorkspace.builder(SharedStore.of(store)).actor("bob").build()) {
      Run remote = other.experiments().run(run.id());
      assertThat(remote.info().params()).containsEntry("seed", "7");
      remote.setTag("killed-by", "bob");
      remote.end(RunStatus.KILLED);
    }
    assertThatThrownBy(() -> run.logParam("more", "x")).isInstanceOf(ConflictException.class)
        .hasMessageContaining("KILLED");
    assertThatThrownBy(() -> run.logMetric("m", 1.0)).isInstanceOf(ConflictException.class);
    RunInfo info = ws.experiments().getRun(run.id());
    assertThat(info.status()).isEqualTo(RunStatus.KILLED);
    assertThat(info.tags()).containsEntry("killed-by", "bob");
    Run again = ws.experiments().run(run.id());
    assertThatThrownBy(() -> again.setTag("x", "y")).isInstanceOf(ConflictException.class);
  }

  @Test
  void endingThroughOneHandleStoresWhatTheOtherHandlesOfTheRunBuffered() {
    Run first = ws.experiments().startRun("e");
    Run second = ws.experiments().run(first.id());
    first.logMetric("loss", 0.25, 7); // buffered in the first handle, not flushed
    second.end(RunStatus.FINISHED);
    RunInfo info = ws.experiments().getRun(first.id());
    assertThat(info.latestMetrics()).containsExactlyEntriesOf(Map.of("loss", 0.25));
    assertThat(ws.experiments().metricHistory(first.id(), "loss")).hasSize(1);
    assertThatThrownBy(() -> first.logMetric("loss", 0.1, 8)).isInstanceOf(ConflictException.class)
        .hasMessageContaining("FINISHED");
    assertThatThrownBy(() -> second.logMetric("loss", 0.1, 8)).isInstanceOf(ConflictException.class);
    first.close(); // already ended: no-op
    assertThat(ws.experiments().getRun(first.id()).status()).isEqualTo(RunStatus.FINISHED);
  }

  @Test
  void unknownRunsAreReportedAsSuch() {
    RunId nope = RunId.of("0000000000000deadbeefdeadbeef");
    assertThat(ws.experiments().findRun(nope)).isEmpty();
    assertThatThrownBy(() -> ws.experiments().getRun(nope)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> ws.experiments().run(nope)).isInstanceOf(NotFoundException.class).hasMessageContaining(nope.value());
    assertThatThrownBy(() -> ws.experiments().metricHistory(nope, "loss")).isInstanceOf(NotFoundException.class);
  }

  @Test
  void concurrentWritersOfOneParamAgreeOnOneValue() throws Exception {
    Run run = ws.experiments().startRun("e");
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int me = t;
        Run handle = ws.experiments().run(run.id()); // a separate handle per thread, as separate processes would have
        results.add(pool.submit((Callable<Boolean>) () -> {
          handle.setTag("t" + me, "x");
          try {
            handle.logParam("winner", "thread-" + me);
            return true;
          } catch (AlreadyExistsException lost) {
            return false;
          }
        }));
      }
      int winners = 0;
      for (Future<Boolean> f : results) {
        winners += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(winners).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
    RunInfo info = run.info();
    assertThat(info.params().get("winner")).startsWith("thread-");
    assertThat(info.tags()).hasSize(threads);
    assertThat(new HashChainedLog(store, "runs/" + run.id() + "/log").verify().ok()).isTrue();
  }

  @Test
  void workspaceCloseStoresBufferedMetricsButEndsNoRun() {
    MemObjectStore shared = new MemObjectStore();
    CoreWorkspace first = CoreWorkspace.builder(SharedStore.of(shared)).build();
    Run run = first.experiments().startRun("e");
    for (int i = 0; i < 123; i++) {
      run.logMetric("loss", 1.0 / (i + 1), i);
    }
    first.close();
    try (CoreWorkspace second = CoreWorkspace.builder(shared).build()) {
      RunInfo info = second.experiments().getRun(run.id());
      assertThat(info.status()).isEqualTo(RunStatus.RUNNING);
      assertThat(second.experiments().metricHistory(run.id(), "loss")).hasSize(123);
      assertThat(info.latestMetrics()).containsEntry("loss", 1.0 / 123);
    }
    assertThatThrownBy(() -> first.experiments().startRun("e")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> run.logMetric("loss", 0.0, 124)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void badNamesAreRejectedNamingTheValueAndNothingIsStored() {
    long before = store.listAll("").count();
    for (String bad : List.of("", "a/b", "..", "a..b", "-x", "tab\tkey", "x".repeat(129), "ü")) {
      assertThatThrownBy(() -> ws.experiments().startRun(bad))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("experiment name")
          .hasMessageContaining("[A-Za-z0-9]");
    }
    assertThat(store.listAll("").count()).isEqualTo(before);

    Run run = ws.experiments().startRun("e");
    long withRun = store.listAll("").count();
    for (String bad : List.of("", "a/b", "..", "x\u0000", "x".repeat(129))) {
      assertThatThrownBy(() -> run.logParam(bad, "v")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("param key");
      assertThatThrownBy(() -> run.setTag(bad, "v")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tag key");
      assertThatThrownBy(() -> run.logMetric(bad, 1.0, 0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("metric key");
    }
    // artifact names are path names: "a/b" is fine, but not empty, '.'/'..' or empty segments
    for (String bad : List.of("", "/a", "a/", "a//b", "..", "a/../b", "x\u0000", "x".repeat(129))) {
      assertThatThrownBy(() -> run.logArtifact(bad, ws.artifacts().put(new byte[0])))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("artifact name");
    }
    assertThatThrownBy(() -> run.logParam("big", "v".repeat(CoreRun.MAX_VALUE_LENGTH + 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'big'");
    assertThatThrownBy(() -> run.logParam("k", null)).isInstanceOf(NullPointerException.class);
    run.flush();
    // only the empty artifact blob and its descriptor were added; no run entry, no segment
    assertThat(store.listAll("runs/").count()).isEqualTo(1);
    assertThat(store.listAll("").filter(k -> !k.startsWith("artifacts/")).count())
        .isEqualTo(withRun);
    RunInfo info = run.info();
    assertThat(info.params()).isEmpty();
    assertThat(info.tags()).isEmpty();
    assertThat(info.latestMetrics()).isEmpty();
  }

  @Test
  void aTamperedRunLogIsReportedNotMisread() {
    Run run = ws.experiments().startRun("e");
    run.logParam("lr", "0.1");
    run.end(RunStatus.FINISHED);
    String key = new HashChainedLog(store, "runs/" + run.id() + "/log").keyOf(2);
    byte[] bytes = store.get(key).orElseThrow();
    String text = new String(bytes, StandardCharsets.UTF_8).replace("0.1", "0.9");
    store.delete(key);
    store.create(key, text.getBytes(StandardCharsets.UTF_8));
    try (CoreWorkspace fresh = CoreWorkspace.builder(SharedStore.of(store)).build()) {
      assertThatThrownBy(() -> fresh.experiments().findRun(run.id()))
          .isInstanceOf(CorruptDataException.class).hasMessageContaining(key);
    }
  }

  @Test
  void findRunIsEmptyForAnIndexedRunWhoseLogWasNeverWritten() {
    store.create("experiments/names/e", new byte[0]);
    store.create("experiments/runs/e/0000000000000aaaaaaaaaaaaaaaa", new byte[0]);
    assertThat(ws.experiments().findRun(RunId.of("0000000000000aaaaaaaaaaaaaaaa"))).isEqualTo(Optional.empty());
    assertThat(ws.experiments().search(dev.mlops.RunQuery.builder().build()).runs()).isEmpty();
  }
}
