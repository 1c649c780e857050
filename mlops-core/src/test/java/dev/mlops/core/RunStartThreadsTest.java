package dev.mlops.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.spi.ForwardingObjectStore;
import dev.mlops.spi.StoreCapabilities;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Which thread writes a run start's index entries: on a persistent store the index thread, at
 * the same time as the START entry; on an in-memory store the caller, before it (no latency to
 * overlap, so no hand-off). Either way every one of them is stored when {@code startRun} returns.
 */
class RunStartThreadsTest {
  /** The real mem: store, declaring itself persistent or not, recording who created each key. */
  static final class ThreadRecordingStore extends ForwardingObjectStore {
    final Map<String, String> creators = new ConcurrentHashMap<>();
    final boolean persistent;

    ThreadRecordingStore(boolean persistent) {
      super(new MemObjectStore());
      this.persistent = persistent;
    }

    @Override
    public void create(String key, byte[] bytes) {
      creators.put(key, Thread.currentThread().getName());
      super.create(key, bytes);
    }

    @Override
    public StoreCapabilities capabilities() {
      return new StoreCapabilities(persistent, false);
    }
  }

  /** @return who created each key that is stored when {@code startRun} returns */
  private static Map<String, String> startOneRun(ThreadRecordingStore store) {
    try (CoreExperiments ex = new CoreExperiments(store, new RunMetricsTest.TickingClock(), "t")) {
      dev.mlops.Run run = ex.startRun("churn", "r");
      Map<String, String> atStart = Map.copyOf(store.creators);
      assertThat(ex.verifyIndex().ok()).isTrue();
      run.close();
      return atStart;
    }
  }

  @Test
  void onAnInMemoryStoreTheCallerWritesTheIndexEntries() {
    String me = Thread.currentThread().getName();
    Map<String, String> creators = startOneRun(new ThreadRecordingStore(false));
    // the START entry, the index start entry, the experiment's name and complete markers (no run
    // marker: the experiment's index is complete, so its start entry lists the run)
    assertThat(creators).hasSize(4).allSatisfy((key, thread) -> assertThat(thread).as(key).isEqualTo(me));
    assertThat(creators.keySet()).noneMatch(k -> k.startsWith("experiments/runs/"));
  }

  @Test
  void onAPersistentStoreTheIndexThreadWritesThemBesideTheStart() {
    Map<String, String> creators = startOneRun(new ThreadRecordingStore(true));
    assertThat(creators).hasSize(4);
    assertThat(creators.keySet()).noneMatch(k -> k.startsWith("experiments/runs/"));
    String me = Thread.currentThread().getName();
    // the START entry, then the index: its start entry, the experiment's name marker and complete marker
    creators.forEach((key, thread) -> assertThat(thread).as(key).isEqualTo(key.startsWith("runs/") ? me : "mlops-run-index"));
  }
}
