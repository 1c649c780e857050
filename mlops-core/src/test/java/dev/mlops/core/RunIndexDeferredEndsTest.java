package dev.mlops.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.CorruptDataException;
import dev.mlops.Run;
import dev.mlops.RunInfo;
import dev.mlops.RunQuery;
import dev.mlops.RunStatus;
import dev.mlops.StorageException;
import dev.mlops.core.internal.Json;
import dev.mlops.spi.ForwardingObjectStore;
import dev.mlops.spi.StoreCapabilities;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * On a store with latency (persistent), the search-index entry of a run that ended is not written
 * on its own: it goes into the same object as this process's next start entry of the experiment
 * ({@code {"format":1,"entries":[start, facts...]}}), or is stored by the delayed flush or by
 * {@code close()}. On the real {@code mem:} store, presented as persistent.
 */
class RunIndexDeferredEndsTest {
  private static final int BLOCK = 4;
  private static final String ENTRIES = "experiments/search/e/entries/";
  private static final RunQuery SORTED = RunQuery.builder().experiment("e").orderByMetric("acc", true).pageSize(50)
      .build();

  /** The real mem: store as a persistent one, whose index creates can be made to fail. */
  static final class PersistentMem extends ForwardingObjectStore {
    volatile boolean failIndexCreates;

    PersistentMem(MemObjectStore mem) {
      super(mem);
    }

    @Override
    public StoreCapabilities capabilities() {
      return new StoreCapabilities(true, true);
    }

    @Override
    public void create(String key, byte[] bytes) {
      if (failIndexCreates && key.startsWith(RunIndex.PREFIX)) {
        throw new StorageException("injected: the disk refused " + key);
      }
      super.create(key, bytes);
    }

    @Override
    public void close() {
      // the test owns the mem: store
    }
  }

  private final MemObjectStore mem = new MemObjectStore();
  private final PersistentMem store = new PersistentMem(mem);
  private final List<CoreExperiments> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(CoreExperiments::close);
  }

  private CoreExperiments open(dev.mlops.spi.ObjectStore s) {
    CoreExperiments ex = new CoreExperiments(s, new RunIndexPropertiesTest.JumpingClock(), "t",
        MetricBuffer.Settings.DEFAULTS, BLOCK);
    opened.add(ex);
    return ex;
  }

  private Run endedRun(CoreExperiments ex, int i) {
    Run r = ex.startRun("e", "r" + i, Map.of("depth", Integer.toString(i % 3)), Map.of());
    r.logMetric("acc", i / 100.0, 1);
    r.end(RunStatus.FINISHED);
    return r;
  }

  private List<String> entries() {
    return mem.listAll(ENTRIES).toList();
  }

  private JsonNode read(String key) {
    return Json.read(key, mem.get(key).orElseThrow(), JsonNode.class);
  }

  @Test
  void anEndedRunsEntryGoesIntoTheObjectOfTheNextStart() {
    CoreExperiments ex = open(store);
    Run first = endedRun(ex, 0);
    assertThat(entries()).as("only the first run's start entry is stored").hasSize(1);
    assertThat(ex.index().deferred()).isEqualTo(1);
    // this process knows the facts at once
    assertThat(ex.search(SORTED).runs()).extracting(RunInfo::status).containsExactly(RunStatus.FINISHED);

    Run second = ex.startRun("e", "r1");
    List<String> keys = entries();
    assertThat(keys).hasSize(2);
    JsonNode both = read(keys.get(1));
    assertThat(both.path("format").asInt()).isEqualTo(1);
    assertThat(both.path("entries")).hasSize(2);
    assertThat(both.path("entries").get(0).path("kind").asText()).isEqualTo("start");
    assertThat(both.path("entries").get(0).path("run").asText()).isEqualTo(second.id().value());
    assertThat(both.path("entries").get(1).path("run").asText()).isEqualTo(first.id().value());
    assertThat(ex.index().deferred()).isZero();

    CoreExperiments reader = open(mem);
    reader.index().refresh("e");
    assertThat(reader.index().stored(first.id())).as("the first run's facts come from the index").isTrue();
    assertThat(reader.index().members("e")).containsExactlyInAnyOrder(first.id(), second.id());
    assertThat(reader.verifyIndex().ok()).isTrue();
  }

  @Test
  void closeStoresTheEntriesThatWaitForAStart() {
    CoreExperiments ex = open(store);
    Run run = endedRun(ex, 0);
    ex.close();
    assertThat(entries()).hasSize(2);
    CoreExperiments reader = open(mem);
    reader.index().refresh("e");
    assertThat(reader.index().stored(run.id())).isTrue();
  }

  @Test
  void withoutAnotherStartTheDelayedFlushStoresThem() throws InterruptedException {
    CoreExperiments ex = open(store);
    endedRun(ex, 0);
    // no timing asserted: the flush runs INDEX_END_DELAY after the end; wait for it generously
    long deadline = System.nanoTime() + 30 * CoreExperiments.INDEX_END_DELAY.toNanos();
    while (entries().size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(entries()).hasSize(2);
    assertThat(ex.index().deferred()).isZero();
  }

  @Test
  void aStartWhoseWriteFailsKeepsTheWaitingEntriesForTheNextOne() {
    CoreExperiments ex = open(store);
    Run first = endedRun(ex, 0);
    store.failIndexCreates = true;
    assertThatThrownBy(() -> ex.startRun("e", "refused")).isInstanceOf(StorageException.class);
    store.failIndexCreates = false;
    assertThat(ex.index().deferred()).isEqualTo(1);
    ex.startRun("e", "next");
    assertThat(ex.index().deferred()).isZero();
    CoreExperiments reader = open(mem);
    reader.index().refresh("e");
    assertThat(reader.index().stored(first.id())).isTrue();
  }

  @Test
  void listsInWholeBlocksAreCompactedAndReadBack() {
    CoreExperiments ex = open(store);
    List<Run> runs = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      runs.add(endedRun(ex, i));
    }
    ex.close();
    assertThat(mem.listAll("experiments/search/e/segments/").toList()).hasSize(entries().size() / BLOCK);

    RunIndexTest.ReadRecordingStore recording = new RunIndexTest.ReadRecordingStore(mem);
    CoreExperiments reader = open(recording);
    RunQuery top3 = RunQuery.builder().experiment("e").orderByMetric("acc", true).pageSize(3).build();
    assertThat(reader.search(top3).runs()).extracting(RunInfo::name).containsExactly("r10", "r9", "r8");
    assertThat(recording.runsRead).as("only the page's runs are read: the others' facts come from the index")
        .hasSize(3);
    runs.forEach(r -> assertThat(reader.index().stored(r.id())).as("facts of %s from the index", r.id()).isTrue());
    assertThat(open(mem).verifyIndex().ok()).isTrue();
    assertThat(open(mem).scan(SORTED).runs()).isEqualTo(reader.search(SORTED).runs());
  }

  @Test
  void aDamagedListIsNamed() {
    CoreExperiments ex = open(store);
    endedRun(ex, 0);
    ex.startRun("e", "r1");
    String list = entries().get(1);
    String text = new String(mem.get(list).orElseThrow(), UTF_8);

    mem.delete(list);
    mem.create(list, text.replace("\"entries\":[", "\"entries\":[{\"format\":1,\"entries\":[]},").getBytes(UTF_8));
    assertThatThrownBy(() -> open(mem).search(SORTED)).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(list).hasMessageContaining("nests");

    mem.delete(list);
    mem.create(list, text.replace("\"entries\":[", "\"entries\":[7,").getBytes(UTF_8));
    assertThatThrownBy(() -> open(mem).search(SORTED)).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(list).hasMessageContaining("not a JSON object");

    mem.delete(list);
    mem.create(list, text.replace("\"experiment\":\"e\"", "\"experiment\":\"f\"").getBytes(UTF_8));
    assertThatThrownBy(() -> open(mem).search(SORTED)).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(list);

    mem.delete(list);
    mem.create(list, text.replace("\"format\":1,\"entries\"", "\"format\":9,\"entries\"").getBytes(UTF_8));
    assertThatThrownBy(() -> open(mem).search(SORTED)).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(list).hasMessageContaining("format");
  }
}
