package dev.mlops.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.AlreadyExistsException;
import dev.mlops.CorruptDataException;
import dev.mlops.MetricPoint;
import dev.mlops.Run;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunStatus;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.spi.ForwardingObjectStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a run start writes: params and tags given to {@code startRun} travel in the START entry
 * (one create), the experiment's name marker is created once per process, START entries written
 * before they could carry params and tags still read, and a metric buffer that starts small grows
 * to full chunks without losing points. On the real {@code mem:} store, counting the creates that
 * reach it.
 */
class RunStartWritesTest {
  /** Records every key a create is attempted on, then forwards it. */
  static final class CountingStore extends ForwardingObjectStore {
    final List<String> creates = new CopyOnWriteArrayList<>();

    CountingStore(MemObjectStore delegate) {
      super(delegate);
    }

    @Override
    public void create(String key, byte[] bytes) {
      creates.add(key);
      super.create(key, bytes);
    }

    long count(String prefix) {
      return creates.stream().filter(k -> k.startsWith(prefix)).count();
    }
  }

  private final MemObjectStore mem = new MemObjectStore();
  private final CountingStore store = new CountingStore(mem);
  private final CoreExperiments ex = new CoreExperiments(store, new RunMetricsTest.TickingClock(), "t");

  @AfterEach
  void close() {
    ex.close();
  }

  private List<String> logKeys(RunId id) {
    return mem.listAll("runs/" + id + "/log/").toList();
  }

  @Test
  void paramsAndTagsGivenAtTheStartAreOneLogEntryAndReadBackEverywhere() {
    Run run = ex.startRun("churn", "r", Map.of("lr", "0.1", "depth", "3"), Map.of("team", "risk", "stage", "dev"));
    assertThat(logKeys(run.id())).hasSize(1);
    assertThat(store.count("runs/")).isEqualTo(1);

    RunInfo info = run.info();
    assertThat(info.params()).containsExactlyInAnyOrderEntriesOf(Map.of("lr", "0.1", "depth", "3"));
    assertThat(info.tags()).containsExactlyInAnyOrderEntriesOf(Map.of("team", "risk", "stage", "dev"));
    // params stay write-once, tags can change
    assertThatThrownBy(() -> run.logParam("lr", "0.2")).isInstanceOf(AlreadyExistsException.class);
    run.logParam("lr", "0.1");
    run.setTag("stage", "prod");
    run.end(RunStatus.FINISHED);

    try (CoreExperiments fresh = new CoreExperiments(mem, new RunMetricsTest.TickingClock(), "u")) {
      RunInfo read = fresh.getRun(run.id());
      assertThat(read.params()).containsExactlyInAnyOrderEntriesOf(Map.of("lr", "0.1", "depth", "3"));
      assertThat(read.tags()).containsExactlyInAnyOrderEntriesOf(Map.of("team", "risk", "stage", "prod"));
      assertThat(fresh.verify(run.id()).ok()).isTrue();
    }
  }

  @Test
  void aBadKeyOrValueAtTheStartIsRefusedBeforeAnythingIsWritten() {
    assertThatThrownBy(() -> ex.startRun("churn", "r", Map.of("bad key", "1"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad key");
    assertThatThrownBy(() -> ex.startRun("churn", "r", Map.of(), Map.of("t", "x".repeat(CoreRun.MAX_VALUE_LENGTH + 1))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'t'");
    assertThat(store.creates).isEmpty();
  }

  @Test
  void theExperimentsNameMarkerIsCreatedOncePerProcessNotOnEveryStart() {
    for (int i = 0; i < 3; i++) {
      ex.startRun("churn", "r" + i).close();
    }
    ex.startRun("fraud").close();
    assertThat(store.count("experiments/names/")).isEqualTo(2);
    // experiments created by this version have complete search indexes: no run markers
    assertThat(store.count("experiments/runs/")).isZero();
    assertThat(ex.search(dev.mlops.RunQuery.builder().experiment("churn").build()).runs()).hasSize(3);
    assertThat(ex.experimentNames()).containsExactly("churn", "fraud");
    assertThat(ex.verifyIndex().ok()).isTrue();
  }

  @Test
  void aStartEntryWrittenBeforeStartsCarriedParamsAndTagsStillReads() {
    // a START entry exactly as earlier versions wrote it: no params, no tags field
    RunId id = RunId.of("0000000000001" + "00112233445566ff");
    ObjectNode start = ex.entry(RunState.START);
    start.put("run", id.value());
    start.put("experiment", "churn");
    start.put("name", "old");
    ObjectNode prov = start.putObject("provenance");
    for (String f : List.of("libraryVersion", "jvm", "os", "host", "user")) {
      prov.put(f, "x");
    }
    mem.create("experiments/names/churn", new byte[0]);
    mem.create("experiments/runs/churn/" + id, new byte[0]);
    HashChainedLog.Entry e = new HashChainedLog(mem, "runs/" + id + "/log").append(0, HashChainedLog.GENESIS, start);
    assertThat(new String(mem.get(e.key()).orElseThrow(), UTF_8)).doesNotContain("\"params\"").doesNotContain("\"tags\"");

    RunInfo info = ex.getRun(id);
    assertThat(info.name()).isEqualTo("old");
    assertThat(info.params()).isEmpty();
    assertThat(info.tags()).isEmpty();
    Run run = ex.run(id);
    run.setTag("team", "risk");
    run.logParam("lr", "0.1");
    run.end(RunStatus.FINISHED);
    assertThat(ex.getRun(id).tags()).containsEntry("team", "risk");
    assertThat(ex.verify(id).ok()).isTrue();
  }

  @Test
  void aStartEntryWhoseTagsAreNotStringsIsCorruptDataNamingTheEntry() {
    RunId id = RunId.of("0000000000002" + "00112233445566ff");
    ObjectNode start = ex.entry(RunState.START);
    start.put("run", id.value());
    start.put("experiment", "churn");
    start.put("name", "bad");
    ObjectNode prov = start.putObject("provenance");
    for (String f : List.of("libraryVersion", "jvm", "os", "host", "user")) {
      prov.put(f, "x");
    }
    start.putObject("tags").put("team", 7);
    HashChainedLog.Entry e = new HashChainedLog(mem, "runs/" + id + "/log").append(0, HashChainedLog.GENESIS, start);
    assertThatThrownBy(() -> ex.getRun(id)).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(e.key()).hasMessageContaining("team");

    RunId other = RunId.of("0000000000003" + "00112233445566ff");
    start.put("run", other.value());
    start.put("params", "lr=0.1");
    start.remove("tags");
    HashChainedLog.Entry e2 = new HashChainedLog(mem, "runs/" + other + "/log").append(0, HashChainedLog.GENESIS, start);
    assertThatThrownBy(() -> ex.getRun(other)).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(e2.key()).hasMessageContaining("params");
  }

  @Test
  void aBufferThatStartsSmallGrowsToFullChunksWithoutLosingPoints() {
    try (CoreExperiments big = new CoreExperiments(mem, new RunMetricsTest.TickingClock(), "t",
        new MetricBuffer.Settings(300, 4, Duration.ofHours(1), 3, Duration.ofMillis(1)))) {
      Run run = big.startRun("churn");
      for (int i = 0; i < 1000; i++) {
        run.logMetric("loss", i, i);
      }
      run.end(RunStatus.FINISHED);
      List<MetricPoint> history = big.metricHistory(run.id(), "loss");
      List<Double> values = new ArrayList<>();
      history.forEach(p -> values.add(p.value()));
      assertThat(values).hasSize(1000).first().isEqualTo(0.0);
      assertThat(values.get(999)).isEqualTo(999.0);
      assertThat(history).extracting(MetricPoint::step).isSorted();
      // 300 + 300 + 300 + 100: the arrays grew 64 -> 128 -> 256 -> 300 and then sealed full chunks
      assertThat(mem.listAll("runs/" + run.id() + "/metrics/").toList()).hasSize(4);
      assertThat(big.getRun(run.id()).latestMetrics()).containsEntry("loss", 999.0);
      assertThat(big.verify(run.id()).ok()).isTrue();
    }
  }
}
