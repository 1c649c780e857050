package dev.mlops.governance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.Mlops;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;
import dev.mlops.core.MemObjectStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Mark-and-sweep with a grace period, dry runs, re-marking and tombstones, on {@code mem:}. */
class GarbageCollectorTest {
  private static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-12-03T10:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void unreferencedBlobsGoAfterTheGracePeriodReferencedOnesAndLateRegistrationsStay() {
    TestClock clock = new TestClock();
    try (Workspace ws = Mlops.open(URI.create("mem:gc"), new MemObjectStore(),
        WorkspaceOptions.builder().actor("alice").aliasesRequireApproval(false).build())) {
      ArtifactRef kept = ws.artifacts().put(new byte[] {1}, ArtifactSpec.of("application/octet-stream"));
      ArtifactRef orphan = ws.artifacts().put(new byte[] {2}, ArtifactSpec.of("application/octet-stream"));
      ArtifactRef late = ws.artifacts().put(new byte[] {3}, ArtifactSpec.of("application/octet-stream"));
      ArtifactRef dead = ws.artifacts().put(new byte[] {4}, ArtifactSpec.of("application/octet-stream"));
      ws.registry().register("m", Registration.builder().artifact("a", kept).build());
      dev.mlops.Run run = ws.experiments().startRun("train");
      ArtifactRef runOutput = ws.artifacts().put(new byte[] {6}, ArtifactSpec.of("application/octet-stream"));
      run.logArtifact("out.bin", runOutput);
      run.end(dev.mlops.RunStatus.FINISHED);
      Tombstones.deleteRun(ws, run.id(), "alice", "GDPR erasure request");
      ws.registry().register("m", Registration.builder().artifact("a", dead).build());
      Tombstones.deleteVersion(ws, "m", 2, "trained on revoked data");
      GarbageCollector gc = GarbageCollector.builder(ws).gracePeriod(Duration.ofMinutes(10)).clock(clock).build();

      GcReport dry = gc.run(true);
      assertThat(dry.blobs()).isEqualTo(5);
      assertThat(dry.deleted()).isEmpty();
      assertThat(dry.waiting()).containsExactlyInAnyOrder(orphan.digest(), late.digest(), dead.digest(), runOutput.digest());

      GcReport first = gc.run(false); // starts the clocks
      assertThat(first.deleted()).isEmpty();
      clock.now = clock.now.plus(Duration.ofMinutes(11));
      ws.registry().register("m", Registration.builder().artifact("a", late).build()); // registered just after
      assertThat(gc.run(true).deleted()).containsExactlyInAnyOrder(orphan.digest(), dead.digest(), runOutput.digest());
      GcReport second = gc.run(false);
      assertThat(second.deleted()).containsExactlyInAnyOrder(orphan.digest(), dead.digest(), runOutput.digest());
      assertThat(Tombstones.isDeleted(ws, run.id())).isTrue();
      assertThat(ws.experiments().findRun(run.id())).isPresent(); // a tombstone, not a hole
      assertThat(ws.artifacts().find(kept.digest())).isPresent();
      assertThat(ws.artifacts().find(late.digest())).isPresent();
      assertThat(ws.artifacts().find(orphan.digest())).isEmpty();
      assertThat(ws.registry().versions("m")).hasSize(3); // the tombstone is an entry, not a hole
      assertThat(ws.registry().verify("m").ok()).isTrue();

      // a put of existing content restarts its grace period
      ArtifactRef again = ws.artifacts().put(new byte[] {5}, ArtifactSpec.of("application/octet-stream"));
      gc.run(false);
      clock.now = clock.now.plus(Duration.ofMinutes(9));
      ws.artifacts().put(new byte[] {5}, ArtifactSpec.of("application/octet-stream"));
      clock.now = clock.now.plus(Duration.ofMinutes(2));
      assertThat(gc.run(false).deleted()).doesNotContain(again.digest());
    }
  }

  /**
   * A writer that uploads, stalls past the grace period, and registers while a pass is deleting:
   * here the registration runs (in another workspace) just after the pass has re-marked, before
   * it re-reads the blob's candidate marker. The registration restarts the grace period, so the
   * pass keeps the blob. Before, the pass deleted it and the version referenced a missing blob
   * (S3GcProcessesIT once found one on a loaded machine).
   */
  @Test
  void aRegistrationDuringAPassAfterALongStallKeepsItsBlob() {
    TestClock clock = new TestClock();
    MemObjectStore shared = new MemObjectStore();
    try (Workspace writer = Mlops.open(URI.create("mem:gc"), shared,
        WorkspaceOptions.builder().actor("writer").aliasesRequireApproval(false).build())) {
      ArtifactRef stalled = writer.artifacts().put(new byte[] {7}, ArtifactSpec.of("application/octet-stream"));
      String marker = GarbageCollector.CANDIDATES + stalled.digest().hex();
      java.util.concurrent.atomic.AtomicInteger markerReads = new java.util.concurrent.atomic.AtomicInteger();
      dev.mlops.spi.ObjectStore gcView = new dev.mlops.spi.ForwardingObjectStore(shared) {
        @Override
        public java.util.Optional<byte[]> get(String key) {
          // reads of the marker: pass 1 (none yet), pass 2's first read, pass 2's re-read
          if (key.equals(marker) && markerReads.incrementAndGet() == 3) {
            writer.registry().register("m", Registration.builder().artifact("a", stalled).build());
          }
          return super.get(key);
        }
      };
      try (Workspace gcWs = Mlops.open(URI.create("mem:gc"), gcView, WorkspaceOptions.builder().actor("gc").build())) {
        GarbageCollector gc = GarbageCollector.builder(gcWs).gracePeriod(Duration.ofMinutes(10)).clock(clock).build();
        assertThat(gc.run(false).waiting()).containsExactly(stalled.digest()); // starts its clock
        clock.now = clock.now.plus(Duration.ofMinutes(11)); // the writer stalls
        assertThat(gc.run(false).deleted()).isEmpty();
        assertThat(markerReads.get()).isEqualTo(3);
        assertThat(writer.registry().versions("m")).hasSize(1);
        assertThat(writer.artifacts().find(stalled.digest())).isPresent();
        assertThat(shared.get("artifacts/sha256/" + stalled.digest().hex().substring(0, 2) + "/"
            + stalled.digest().hex().substring(2))).isPresent();
      }
    }
  }

  /** A registration whose blob a pass deleted (descriptor left behind) is refused, naming the digest. */
  @Test
  void aRegistrationOfAnArtifactWhoseBlobIsGoneIsRefused() {
    MemObjectStore store = new MemObjectStore();
    try (Workspace ws = Mlops.open(URI.create("mem:gc"), store, WorkspaceOptions.builder().actor("w").build())) {
      ArtifactRef ref = ws.artifacts().put(new byte[] {8}, ArtifactSpec.of("application/octet-stream"));
      store.delete("artifacts/sha256/" + ref.digest().hex().substring(0, 2) + "/" + ref.digest().hex().substring(2));
      org.assertj.core.api.Assertions.assertThatThrownBy(
          () -> ws.registry().register("m", Registration.builder().artifact("a", ref).build()))
          .isInstanceOf(dev.mlops.NotFoundException.class).hasMessageContaining(ref.digest().toString());
    }
  }

  @Test
  void metricSegmentsOfEndedTombstonedRunsGoAfterTheGracePeriodTheRunsLogAndOtherRunsStay() {
    TestClock clock = new TestClock();
    MemObjectStore store = new MemObjectStore();
    try (Workspace ws = Mlops.open(URI.create("mem:gc"), store, WorkspaceOptions.builder().actor("alice").build())) {
      dev.mlops.Run dead = ws.experiments().startRun("train");
      dev.mlops.Run kept = ws.experiments().startRun("train");
      dev.mlops.Run stillRunning = ws.experiments().startRun("train");
      for (dev.mlops.Run r : java.util.List.of(dead, kept, stillRunning)) {
        for (int step = 0; step < 3; step++) {
          r.logMetric("loss", 1.0 / (step + 1), step);
        }
        r.flush();
      }
      dead.end(dev.mlops.RunStatus.FINISHED);
      kept.end(dev.mlops.RunStatus.FINISHED);
      String deadSegments = "runs/" + dead.id().value() + "/metrics/";
      assertThat(store.listAll(deadSegments).toList()).isNotEmpty();
      Tombstones.deleteRun(ws, dead.id(), "alice", "GDPR erasure request");
      Tombstones.deleteRun(ws, stillRunning.id(), "alice", "bad config");
      GarbageCollector gc = GarbageCollector.builder(ws).gracePeriod(Duration.ofMinutes(10)).clock(clock).build();

      assertThat(gc.run(true).waitingRuns()).containsExactly(dead.id().value()); // the running one is left alone
      assertThat(gc.run(false).deletedSegments()).isEmpty(); // starts the clock
      clock.now = clock.now.plus(Duration.ofMinutes(11));
      java.util.List<String> expected = store.listAll(deadSegments).toList();
      assertThat(gc.run(true).deletedSegments()).containsExactlyElementsOf(expected);
      assertThat(store.listAll(deadSegments).toList()).isEqualTo(expected); // a dry run deletes nothing
      GcReport sweep = gc.run(false);
      assertThat(sweep.deletedSegments()).containsExactlyElementsOf(expected);
      assertThat(store.listAll(deadSegments).toList()).isEmpty();
      assertThat(store.listAll("runs/" + kept.id().value() + "/metrics/").toList()).isNotEmpty();
      assertThat(store.listAll("runs/" + stillRunning.id().value() + "/metrics/").toList()).isNotEmpty();
      assertThat(ws.experiments().metricHistory(kept.id(), "loss")).hasSize(3);
      // the run stays listed with its latest values; its history is gone, and says so
      assertThat(ws.experiments().findRun(dead.id()).orElseThrow().latestMetrics()).containsEntry("loss", 1.0 / 3);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> ws.experiments().metricHistory(dead.id(), "loss"))
          .isInstanceOf(dev.mlops.CorruptDataException.class).hasMessageContaining(deadSegments);
      assertThat(store.listAll("gc/log/").map(k -> new String(store.get(k).orElseThrow(),
          java.nio.charset.StandardCharsets.UTF_8)).filter(e -> e.contains("deletedSegments")).count()).isEqualTo(1);
      assertThat(gc.run(false).deletedSegments()).isEmpty(); // nothing left to do
    }
  }
  @Test
  void supersededOnlineFeatureRowsBeyondTheRetentionGoAfterTheGracePeriodAndTheSweepIsLogged() {
    TestClock clock = new TestClock();
    MemObjectStore store = new MemObjectStore();
    Instant base = clock.now;
    try (Workspace ws = Mlops.open(URI.create("mem:gc"), store, WorkspaceOptions.builder().actor("alice").build());
        dev.mlops.featurestore.ObjectStoreFeatureStore fs = dev.mlops.featurestore.ObjectStoreFeatureStore
            .builder(store).clock(clock).build()) {
      fs.apply(dev.mlops.features.Entity.of("customer", "customer_id"));
      fs.apply(dev.mlops.features.FeatureView.builder("stats", "customer")
          .feature("spend", dev.mlops.features.FeatureType.DOUBLE).onlineRetention(Duration.ofHours(1)).build());
      fs.apply(dev.mlops.features.FeatureView.builder("kept", "customer")
          .feature("spend", dev.mlops.features.FeatureType.DOUBLE).build()); // no retention: keeps every row
      for (int h = 0; h < 3; h++) {
        clock.now = base.plus(Duration.ofHours(h));
        for (String view : java.util.List.of("stats", "kept")) {
          fs.push(view, java.util.List.of(dev.mlops.features.FeatureRow.of("c1", clock.now, java.util.Map.of("spend", h))));
        }
      }
      java.util.List<String> rows = store.listAll("features/stats/v1/online/").toList(); // newest first
      assertThat(rows).hasSize(3);
      clock.now = base.plus(Duration.ofHours(4)); // horizon base+3h: the row at base+2h supersedes the other two
      GarbageCollector gc = GarbageCollector.builder(ws).gracePeriod(Duration.ofMinutes(10)).clock(clock).build();

      GcReport dry = gc.run(true);
      assertThat(dry.deletedFeatureRows()).isEmpty();
      assertThat(dry.waitingFeatureRows()).isEqualTo(2);
      assertThat(gc.run(false).deletedFeatureRows()).isEmpty(); // starts the clocks
      clock.now = clock.now.plus(Duration.ofMinutes(11));
      GcReport dryAfter = gc.run(true);
      assertThat(dryAfter.deletedFeatureRows()).containsExactlyInAnyOrder(rows.get(1), rows.get(2));
      assertThat(dryAfter.toString()).contains("superseded online feature rows: 2 would be deleted");
      assertThat(store.listAll("features/stats/v1/online/").toList()).hasSize(3);

      GcReport sweep = gc.run(false);
      assertThat(sweep.deletedFeatureRows()).containsExactlyInAnyOrder(rows.get(1), rows.get(2));
      assertThat(store.listAll("features/stats/v1/online/").toList()).containsExactly(rows.get(0));
      assertThat(store.listAll("features/kept/v1/online/").toList()).hasSize(3);
      assertThat(fs.online("c1", "stats:spend").get("stats:spend").value()).contains(2.0);
      java.util.List<String> logged = store.listAll("gc/log/").map(k -> new String(store.get(k).orElseThrow(),
          java.nio.charset.StandardCharsets.UTF_8)).filter(e -> e.contains("deletedFeatureRows")).toList();
      assertThat(logged).hasSize(1);
      assertThat(logged.get(0)).contains(rows.get(1)).contains(rows.get(2));
      assertThat(gc.run(false).deletedFeatureRows()).isEmpty();
    }
  }
}
