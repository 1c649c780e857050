package dev.mlops.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Run;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunQuery;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Run ids reserved ahead ({@link CoreWorkspace#reserveRuns}): their index start entries are one
 * object, each run started with one writes only its START, every started run is listed, and the
 * ids never started are released (no longer listed) once the reservation is closed. On an
 * in-memory store and on one that declares itself persistent (where the index writes go to the
 * index thread).
 */
class RunReservationTest {
  private static final String INDEX = "experiments/search/churn/";

  private static Set<String> ids(CoreExperiments ex) {
    return ex.search(RunQuery.builder().experiment("churn").build()).runs().stream()
        .map(r -> r.id().value()).collect(Collectors.toSet());
  }

  private static List<String> indexObjects(RunStartThreadsTest.ThreadRecordingStore store) {
    return store.creators.keySet().stream().filter(k -> k.startsWith(INDEX + "entries/")).sorted().toList();
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void reservedRunsWriteOnlyTheirStartAndAreListed(boolean persistent) {
    RunStartThreadsTest.ThreadRecordingStore store = new RunStartThreadsTest.ThreadRecordingStore(persistent);
    try (CoreExperiments ex = new CoreExperiments(store, new RunMetricsTest.TickingClock(), "t")) {
      RunReservation r = ex.reserve("churn", 3);
      assertThat(r.remaining()).isEqualTo(3);
      Run a = r.startRun("a", Map.of("depth", "6"), Map.of("team", "x"));
      assertThat(indexObjects(store)).as("the reservation's start entries, one object").hasSize(1);
      Run b = r.startRun("b", Map.of(), Map.of());
      Run c = r.startRun("c", Map.of(), Map.of());
      assertThat(indexObjects(store)).as("no index write per reserved run").hasSize(1);
      assertThat(store.creators.keySet().stream().filter(k -> k.startsWith("runs/"))).hasSize(3);
      assertThat(r.remaining()).isZero();
      assertThat(List.of(a, b, c)).extracting(run -> run.id().value()).as("ids sort in start order").isSorted();
      assertThat(ids(ex)).containsExactlyInAnyOrder(a.id().value(), b.id().value(), c.id().value());
      RunInfo info = ex.getRun(a.id());
      assertThat(info.params()).containsEntry("depth", "6");
      assertThat(info.tags()).containsEntry("team", "x");
      // beyond the reservation, a run starts as startRun starts it (its own index entry)
      Run d = r.startRun("d", Map.of(), Map.of());
      assertThat(indexObjects(store)).hasSize(2);
      assertThat(ids(ex)).contains(d.id().value());
      List.of(a, b, c, d).forEach(Run::close);
      r.close();
      assertThat(ex.verifyIndex().ok()).isTrue();
    }
    try (CoreExperiments other = new CoreExperiments(store, new RunMetricsTest.TickingClock(), "t")) {
      assertThat(ids(other)).hasSize(4);
      assertThat(other.verifyIndex().ok()).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void idsNeverStartedAreReleasedAndNoLongerListed(boolean persistent) {
    RunStartThreadsTest.ThreadRecordingStore store = new RunStartThreadsTest.ThreadRecordingStore(persistent);
    RunId started;
    try (CoreExperiments ex = new CoreExperiments(store, new RunMetricsTest.TickingClock(), "t")) {
      RunReservation r = ex.reserve("churn", 5);
      Run run = r.startRun("only", Map.of(), Map.of());
      started = run.id();
      run.close();
      r.close();
      r.close(); // idempotent
      assertThat(r.remaining()).isZero();
      Run after = r.startRun("after-close", Map.of(), Map.of()); // an ordinary start
      after.close();
      assertThat(ids(ex)).containsExactlyInAnyOrder(started.value(), after.id().value());
      assertThat(ex.index().members("churn")).hasSize(2);
    } // close stores the released entries (at once on an in-memory store)
    String stored = store.creators.keySet().stream().filter(k -> k.startsWith(INDEX))
        .map(k -> new String(store.get(k).orElseThrow(), java.nio.charset.StandardCharsets.UTF_8))
        .collect(Collectors.joining("\n"));
    assertThat(stored.split("\"kind\":\"released\"", -1)).as("four released entries").hasSize(5);
    try (CoreExperiments other = new CoreExperiments(store, new RunMetricsTest.TickingClock(), "t")) {
      other.index().refresh("churn");
      assertThat(other.index().members("churn")).as("the released ids are not members").hasSize(2)
          .contains(started);
      assertThat(ids(other)).hasSize(2);
      assertThat(other.verifyIndex().ok()).isTrue();
    }
  }

  @Test
  void anExperimentListedByMarkersGetsNoIdsAndItsRunsTheirMarkers() {
    RunStartThreadsTest.ThreadRecordingStore store = new RunStartThreadsTest.ThreadRecordingStore(true);
    // an experiment created by a version without the search index: its name marker, no 'complete'
    store.create("experiments/names/churn", new byte[0]);
    try (CoreExperiments ex = new CoreExperiments(store, new RunMetricsTest.TickingClock(), "t")) {
      RunReservation r = ex.reserve("churn", 3);
      assertThat(r.remaining()).isZero();
      Run run = r.startRun("r", Map.of(), Map.of());
      assertThat(store.get("experiments/runs/churn/" + run.id().value())).isPresent();
      assertThat(ids(ex)).containsExactly(run.id().value());
      run.close();
      r.close();
    }
  }

  @Test
  void aBadCountOrNameIsRefusedNamingItAndNothingIsWritten() {
    RunStartThreadsTest.ThreadRecordingStore store = new RunStartThreadsTest.ThreadRecordingStore(true);
    CoreExperiments ex = new CoreExperiments(store, new RunMetricsTest.TickingClock(), "t");
    assertThatThrownBy(() -> ex.reserve("churn", 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
    assertThatThrownBy(() -> ex.reserve("churn", RunReservation.MAX + 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Integer.toString(RunReservation.MAX + 1));
    assertThatThrownBy(() -> ex.reserve("bad name", 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad name");
    RunReservation r = ex.reserve("churn", 1);
    assertThatThrownBy(() -> r.startRun("x", Map.of("bad key", "v"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad key");
    assertThat(r.remaining()).as("a refused start takes no id").isEqualTo(1);
    assertThat(store.creators.keySet()).noneMatch(k -> k.startsWith("runs/"));
    ex.close();
    assertThatThrownBy(() -> ex.reserve("churn", 1)).isInstanceOf(IllegalStateException.class);
  }
}
