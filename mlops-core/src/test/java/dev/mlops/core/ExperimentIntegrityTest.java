package dev.mlops.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ArtifactRef;
import dev.mlops.CorruptDataException;
import dev.mlops.MetricPoint;
import dev.mlops.NotFoundException;
import dev.mlops.Run;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunQuery;
import dev.mlops.RunStatus;
import dev.mlops.VerifyReport;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every object a run consists of is verified on read or by {@code verify(runId)}: metric segments
 * (deleted, altered with a recomputed CRC), index markers, logged artifacts. Damage is done
 * through the real {@code mem:} store's SPI.
 */
class ExperimentIntegrityTest {
  private final MemObjectStore store = new MemObjectStore();
  // 10 points per segment, so a few points make several segments
  private final CoreExperiments ex = new CoreExperiments(store, new RunMetricsTest.TickingClock(), "t",
      new MetricBuffer.Settings(10, 4, Duration.ofHours(1), 3, Duration.ofMillis(1)));

  @AfterEach
  void close() {
    ex.close();
  }

  private Run runWithSegments(int points) {
    Run run = ex.startRun("churn", "r");
    for (int i = 0; i < points; i++) {
      run.logMetric("loss", i, i);
    }
    run.flush();
    return run;
  }

  private List<String> segmentKeys(RunId id) {
    return store.listAll("runs/" + id + "/metrics/").toList();
  }

  private static byte[] otherValidSegment() {
    return MetricSegments.encode(List.of("loss"), new int[10], new long[] {Double.doubleToRawLongBits(42), 0, 0, 0, 0,
        0, 0, 0, 0, 0}, new long[10], new long[10], 10);
  }

  @Test
  void aHealthyRunVerifiesCleanRunningAndEnded() {
    Run run = runWithSegments(35);
    run.logArtifact("model/weights.bin", new CoreArtifacts(store).put("w".getBytes(UTF_8)));
    VerifyReport running = ex.verify(run.id());
    assertThat(running.ok()).as(running.toString()).isTrue();
    // 3 log entries (START, ARTIFACT... ) + 2 markers + 4 segments + 1 artifact
    assertThat(running.entriesChecked()).isEqualTo(2 + 2 + 4 + 1);
    run.end(RunStatus.FINISHED);
    assertThat(ex.verify(run.id()).ok()).isTrue();
    assertThat(ex.verifyIndex()).satisfies(r -> assertThat(r.ok()).isTrue())
        .satisfies(r -> assertThat(r.entriesChecked()).isEqualTo(1));
    assertThatThrownBy(() -> ex.verify(RunId.of("nope"))).isInstanceOf(NotFoundException.class);
  }

  @Test
  void aSegmentDeletedFromARunningRunIsReportedNotSilentlyDropped() {
    Run run = runWithSegments(35); // segments 1..4 of one writer
    String second = segmentKeys(run.id()).get(1);
    store.delete(second);

    assertThatThrownBy(() -> ex.metricHistory(run.id(), "loss")).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(second).hasMessageContaining("missing");
    assertThatThrownBy(() -> ex.getRun(run.id())).isInstanceOf(CorruptDataException.class).hasMessageContaining(second);
    VerifyReport report = ex.verify(run.id());
    assertThat(report.ok()).isFalse();
    assertThat(report.brokenKey()).contains(second);
  }

  @Test
  void theLastSegmentDeletedFromAnEndedRunIsReported() {
    Run run = runWithSegments(35);
    run.end(RunStatus.FINISHED);
    List<String> keys = segmentKeys(run.id());
    String last = keys.get(keys.size() - 1);
    store.delete(last);

    assertThatThrownBy(() -> ex.metricHistory(run.id(), "loss")).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(last).hasMessageContaining("END entry records 4 segment(s)");
    assertThat(ex.verify(run.id()).brokenKey()).contains(last);
  }

  @Test
  void aSegmentOfAnEndedRunRewrittenWithAValidChecksumIsReported() {
    Run run = runWithSegments(20);
    run.end(RunStatus.FINISHED);
    String first = segmentKeys(run.id()).get(0);
    store.delete(first);
    store.create(first, otherValidSegment()); // a well-formed segment, CRC and all, with other values

    assertThatThrownBy(() -> ex.metricHistory(run.id(), "loss")).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(first).hasMessageContaining("altered");
    assertThat(ex.verify(run.id()).brokenKey()).contains(first);
  }

  @Test
  void aFlippedByteInASegmentIsReportedByVerify() {
    Run run = runWithSegments(20);
    String first = segmentKeys(run.id()).get(0);
    byte[] bytes = store.get(first).orElseThrow();
    bytes[30] ^= 1;
    store.delete(first);
    store.create(first, bytes);
    VerifyReport report = ex.verify(run.id());
    assertThat(report.brokenKey()).contains(first);
    assertThat(report.problem()).hasValueSatisfying(p -> assertThat(p).contains("checksum"));
  }

  @Test
  void strayFilesInTheMetricsDirectoryAreIgnored() {
    Run run = runWithSegments(15);
    store.create("runs/" + run.id() + "/metrics/README", "notes".getBytes(UTF_8));
    store.create("runs/" + run.id() + "/metrics/notes.seg", "notes".getBytes(UTF_8));
    assertThat(ex.metricHistory(run.id(), "loss")).hasSize(15);
    run.end(RunStatus.FINISHED);
    assertThat(ex.metricHistory(run.id(), "loss")).hasSize(15);
    assertThat(ex.verify(run.id()).ok()).isTrue();
  }

  @Test
  void segmentsStoredAfterTheEndAreNotPartOfTheRun() {
    Run run = runWithSegments(15);
    run.end(RunStatus.FINISHED);
    store.create("runs/" + run.id() + "/metrics/00000000000000aa-0000000001.seg", otherValidSegment());
    assertThat(ex.metricHistory(run.id(), "loss")).hasSize(15).extracting(MetricPoint::value).doesNotContain(42.0);
    assertThat(ex.getRun(run.id()).latestMetrics()).containsEntry("loss", 14.0);
  }

  @Test
  void aRunOfAnExperimentWithACompleteIndexHasNoMarkerAndIsListedByItsStartEntry() {
    Run run = runWithSegments(1);
    Run other = ex.startRun("fraud");
    assertThat(store.listAll("experiments/runs/").toList()).isEmpty();
    RunQuery churn = RunQuery.builder().experiment("churn").build();
    assertThat(ex.search(churn).runs()).extracting(RunInfo::id).containsExactly(run.id());
    assertThat(ex.scan(churn).runs()).extracting(RunInfo::id).containsExactly(run.id());
    assertThat(ex.search(RunQuery.builder().build()).runs()).extracting(RunInfo::id)
        .containsExactlyInAnyOrder(run.id(), other.id());
    assertThat(ex.verify(run.id()).ok()).isTrue();
    assertThat(ex.verifyIndex().ok()).isTrue();

    // a deleted name marker is damage: experimentNames() and an all-experiments search lose the experiment
    store.delete("experiments/names/fraud");
    assertThat(ex.experimentNames()).containsExactly("churn");
    assertThat(ex.verify(other.id()).brokenKey()).contains("experiments/names/fraud");
    assertThat(ex.verifyIndex().brokenKey()).contains("experiments/names/fraud");
    assertThat(ex.repairIndex()).isEqualTo(1);
    assertThat(ex.repairIndex()).isZero();
    assertThat(ex.verifyIndex().ok()).isTrue();
    assertThat(ex.experimentNames()).containsExactly("churn", "fraud");
    assertThat(store.listAll("experiments/runs/").toList()).isEmpty();
  }

  @Test
  void aDeletedRunMarkerOfAnExperimentWithoutACompleteIndexIsFoundAndRepairedFromTheRunsOwnLog() {
    // a store written before the search index existed: markers list its runs, no index is complete
    RunId old = RunId.of("0000000000001" + "00112233445566ff");
    writeOldRun(old, "churn");
    RunId kept = RunId.of("0000000000002" + "00112233445566ff");
    writeOldRun(kept, "churn");
    Run started = ex.startRun("churn"); // a start in an experiment whose index is not complete writes its marker
    assertThat(store.get("experiments/runs/churn/" + started.id())).isPresent();
    RunQuery churn = RunQuery.builder().experiment("churn").build();
    assertThat(ex.search(churn).runs()).extracting(RunInfo::id).containsExactlyInAnyOrder(old, kept, started.id());
    assertThat(ex.verifyIndex().ok()).isTrue();

    String marker = "experiments/runs/churn/" + old;
    store.delete(marker);
    assertThat(ex.scan(churn).runs()).extracting(RunInfo::id).doesNotContain(old); // the markers are what it lists...
    assertThat(ex.search(churn).runs()).extracting(RunInfo::id).doesNotContain(old);
    assertThat(ex.verify(old).brokenKey()).contains(marker); // ...and the damage is detected
    assertThat(ex.verify(kept).ok()).isTrue();
    VerifyReport index = ex.verifyIndex();
    assertThat(index.brokenKey()).contains(marker);
    assertThat(index.problem()).hasValueSatisfying(p -> assertThat(p).contains(old.value()));

    // the repair backfills every run's start entry and completes the index, which then lists the run
    assertThat(ex.repairIndex()).isZero(); // (no marker re-created: the index lists it now)
    assertThat(ex.verifyIndex().ok()).isTrue();
    assertThat(ex.search(churn).runs()).extracting(RunInfo::id).containsExactlyInAnyOrder(old, kept, started.id());
    try (CoreExperiments fresh = new CoreExperiments(store, new RunMetricsTest.TickingClock(), "t2")) {
      Run after = fresh.startRun("churn");
      assertThat(store.get("experiments/runs/churn/" + after.id())).isEmpty(); // complete now: no marker
      assertThat(fresh.search(churn).runs()).hasSize(4);
      assertThat(fresh.verifyIndex().ok()).isTrue();
    }
    // (this process decided at its first start in the experiment to write run markers, and goes
    // on: markers nobody needs, never one missing)
    Run again = ex.startRun("churn");
    assertThat(store.get("experiments/runs/churn/" + again.id())).isPresent();
    assertThat(ex.search(churn).runs()).hasSize(5);
  }

  /** A run as a version without the search index wrote it: START, END, the two markers, no index entry. */
  private void writeOldRun(RunId id, String experiment) {
    com.fasterxml.jackson.databind.node.ObjectNode start = ex.entry(RunState.START);
    start.put("run", id.value());
    start.put("experiment", experiment);
    start.put("name", "old");
    com.fasterxml.jackson.databind.node.ObjectNode prov = start.putObject("provenance");
    for (String f : List.of("libraryVersion", "jvm", "os", "host", "user")) {
      prov.put(f, "x");
    }
    if (store.get("experiments/names/" + experiment).isEmpty()) {
      store.create("experiments/names/" + experiment, new byte[0]);
    }
    store.create("experiments/runs/" + experiment + "/" + id, new byte[0]);
    new dev.mlops.core.internal.HashChainedLog(store, "runs/" + id + "/log").append(0,
        dev.mlops.core.internal.HashChainedLog.GENESIS, start);
  }

  @Test
  void aRunMissingFromACompleteSearchIndexIsReportedByVerifyIndexAndBackfilledByRepair() {
    // what a crash inside startRun can leave: the START and markers are durable, the search
    // index start entry (written at the same time) is not
    Run run = ex.startRun("churn", "r");
    List<String> entries = store.listAll("experiments/search/churn/entries/").toList();
    assertThat(entries).hasSize(1);
    store.delete(entries.get(0));
    try (CoreExperiments fresh = new CoreExperiments(store, new RunMetricsTest.TickingClock(), "t2",
        new MetricBuffer.Settings(10, 4, Duration.ofHours(1), 3, Duration.ofMillis(1)))) {
      RunQuery churn = RunQuery.builder().experiment("churn").build();
      assertThat(fresh.search(churn).runs()).isEmpty(); // a complete index lists its members only
      VerifyReport report = fresh.verifyIndex();
      assertThat(report.ok()).isFalse();
      assertThat(report.brokenKey()).contains("experiments/search/churn/entries/");
      assertThat(report.problem()).hasValueSatisfying(p -> assertThat(p).contains(run.id().value(), "start entry"));
      fresh.repairIndex();
      assertThat(fresh.verifyIndex().ok()).isTrue();
      assertThat(fresh.search(churn).runs()).extracting(RunInfo::id).containsExactly(run.id());
    }
  }

  @Test
  void aMarkerFiledUnderAnotherExperimentDoesNotMoveTheRun() {
    Run run = runWithSegments(1);
    store.create("experiments/runs/fraud/" + run.id(), new byte[0]);
    assertThat(ex.search(RunQuery.builder().experiment("fraud").build()).runs()).isEmpty();
    assertThat(ex.search(RunQuery.builder().experiment("churn").build()).runs()).hasSize(1);
  }

  @Test
  void aLoggedArtifactWhoseBlobOrDescriptorIsDamagedIsReported() {
    Run run = ex.startRun("churn");
    ArtifactRef ref = new CoreArtifacts(store).put("weights".getBytes(UTF_8));
    run.logArtifact("model/weights.bin", ref);
    String meta = CoreArtifacts.metaKey(ref.digest());
    byte[] descriptor = store.get(meta).orElseThrow();
    store.delete(meta);
    store.create(meta, new String(descriptor, UTF_8).replace("octet-stream", "octet-strean").getBytes(UTF_8));
    assertThat(ex.verify(run.id()).brokenKey()).contains(meta);

    store.delete(CoreArtifacts.blobKey(ref.digest()));
    assertThat(ex.verify(run.id()).brokenKey()).contains(CoreArtifacts.blobKey(ref.digest()));
  }

  @Test
  void anAlteredLogEntryIsReportedByVerify() {
    Run run = runWithSegments(1);
    run.setTag("team", "risk");
    String entry = store.listAll("runs/" + run.id() + "/log/").toList().get(1);
    byte[] bytes = store.get(entry).orElseThrow();
    store.delete(entry);
    store.create(entry, new String(bytes, UTF_8).replace("risk", "riss").getBytes(UTF_8));
    assertThat(ex.verify(run.id()).brokenKey()).contains(entry);
  }

  @Test
  void aRunEndedBeforeEndEntriesListedSegmentsIsStillReadAndGapsAreStillFound() {
    Run run = runWithSegments(25); // 3 segments
    // an END entry as earlier versions wrote it: no segments field
    RunState s = ex.state(run.id());
    com.fasterxml.jackson.databind.node.ObjectNode end = ex.entry(RunState.END);
    end.put("status", "FINISHED");
    end.set("metrics", RunState.metricsNode(ex.latestFromSegments(run.id())));
    new dev.mlops.core.internal.HashChainedLog(store, "runs/" + run.id() + "/log").append(s.lastSeq(), s.lastHash(), end);

    try (CoreExperiments fresh = new CoreExperiments(store, new RunMetricsTest.TickingClock(), "u")) {
      assertThat(fresh.getRun(run.id()).status()).isEqualTo(RunStatus.FINISHED);
      assertThat(fresh.metricHistory(run.id(), "loss")).hasSize(25);
      assertThat(fresh.verify(run.id()).ok()).isTrue();
      String middle = segmentKeys(run.id()).get(1);
      store.delete(middle);
      assertThatThrownBy(() -> fresh.metricHistory(run.id(), "loss")).isInstanceOf(CorruptDataException.class)
          .hasMessageContaining(middle);
      assertThat(fresh.verify(run.id()).brokenKey()).contains(middle);
    }
  }

  @Test
  void aReadmeInTheRunsLogDirectoryDoesNotMakeItUnreadable() {
    Run run = runWithSegments(3);
    store.create("runs/" + run.id() + "/log/README", "do not touch".getBytes(UTF_8));
    try (CoreExperiments fresh = new CoreExperiments(store, new RunMetricsTest.TickingClock(), "u")) {
      assertThat(fresh.getRun(run.id()).latestMetrics()).containsEntry("loss", 2.0);
      fresh.run(run.id()).end(RunStatus.FINISHED);
      assertThat(fresh.verify(run.id()).ok()).isTrue();
    }
  }
}
