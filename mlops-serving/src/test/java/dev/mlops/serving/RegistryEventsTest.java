package dev.mlops.serving;

import static dev.mlops.serving.Fixture.MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.ApprovalStatus;
import dev.mlops.Workspace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two workspaces on one {@code file:} store, as two processes would be. */
class RegistryEventsTest {
  @TempDir
  Path dir;
  final Fixture f = new Fixture();

  @Test
  void aWatcherReportsChangesMadeThroughAnotherWorkspaceInLogOrder() {
    try (Workspace writer = f.open(dir.toUri()); Workspace reader = f.open(dir.toUri())) {
      List<RegistryEvent> seen = new CopyOnWriteArrayList<>();
      try (ModelWatcher w = ModelWatcher.builder(reader, MODEL).listener(seen::add).build()) {
        w.poll(); // takes its position: nothing yet
        int v1 = Fixture.register(writer, true);
        writer.registry().setAlias(MODEL, "production", v1);
        int v2 = Fixture.register(writer, false);
        writer.registry().approve(MODEL, v2, "alice", "metrics fine");
        Deployments.open(writer, MODEL, "production").start(DeploymentPlan.canary(v2, 10, Duration.ofMinutes(5)));
        List<RegistryEvent> events = w.poll();
        assertThat(events).isEqualTo(seen);
        assertThat(events).hasSize(6);
        assertThat(events.get(0)).isInstanceOfSatisfying(RegistryEvent.VersionRegistered.class,
            e -> assertThat(e.version()).isEqualTo(1));
        assertThat(events.get(2)).isInstanceOfSatisfying(RegistryEvent.AliasMoved.class, e -> {
          assertThat(e.from()).isEmpty();
          assertThat(e.to()).contains(1);
        });
        assertThat(events.get(4)).isInstanceOfSatisfying(RegistryEvent.ReviewDecided.class, e -> {
          assertThat(e.decision()).isEqualTo(ApprovalStatus.APPROVED);
          assertThat(e.actor()).isEqualTo("alice");
          assertThat(e.comment()).isEqualTo("metrics fine");
        });
        assertThat(events.get(5)).isInstanceOfSatisfying(RegistryEvent.DeploymentChanged.class, e -> {
          assertThat(e.alias()).isEqualTo("production");
          assertThat(e.record().type()).isEqualTo("START");
          assertThat(e.record().details()).containsEntry("strategy", "CANARY").containsEntry("versions", "2:10.0");
          assertThat(e.at()).isEqualTo(f.clock.instant());
        });
        assertThat(w.poll()).isEmpty();
      }
    }
  }

  @Test
  void aFailingListenerIsIsolatedAndScheduledPollingDeliversWithinTheInterval() throws Exception {
    try (Workspace writer = f.open(dir.toUri()); Workspace reader = f.open(dir.toUri())) {
      List<RegistryEvent> seen = new CopyOnWriteArrayList<>();
      try (ModelWatcher w = ModelWatcher.builder(reader, MODEL)
          .listener(e -> {
            throw new IllegalStateException("listener bug");
          })
          .listener(seen::add)
          .replayHistory(true)
          .start(Optional.empty(), Optional.of(Duration.ofMillis(20)))
          .build()) {
        int v = Fixture.register(writer, true);
        writer.registry().setAlias(MODEL, "staging", v);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (seen.size() < 3 && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertThat(seen).hasSize(3);
        assertThat(seen.get(2)).isInstanceOf(RegistryEvent.AliasMoved.class);
      }
    }
  }

  @Test
  void anEndpointInOneWorkspaceFollowsADeploymentStartedInAnother() {
    try (Workspace cd = f.open(dir.toUri()); Workspace serving = f.open(dir.toUri())) {
      int v1 = Fixture.register(cd, true);
      cd.registry().setAlias(MODEL, "production", v1);
      int v2 = Fixture.register(cd, true);
      Fixture.Loader loader = new Fixture.Loader();
      try (Endpoint<String, Integer> ep = Endpoint.builder(serving, MODEL, "production", loader).autoRefresh(false)
          .build()) {
        assertThat(ep.predict("k", "x")).isEqualTo(v1);
        Deployments.open(cd, MODEL, "production").start(DeploymentPlan.canary(v2, 20, Duration.ofMinutes(5)));
        ep.refresh();
        assertThat(ep.status().routes()).containsEntry(v2, 20.0);
        Deployments.open(cd, MODEL, "production").raiseAlarm(v2, "drift", "PSI 0.4 > 0.2");
        ep.refresh();
        assertThat(ep.status().routes()).containsOnlyKeys(v1);
        assertThat(ep.deployments().historyOf(v2)).extracting(DeploymentRecord::type).containsExactly("START", "ALARM");
      }
    }
  }

  @Test
  void changesCommittedThroughTheSameWorkspaceAreDeliveredAtOnceNotAtTheNextInterval() throws Exception {
    try (Workspace ws = f.open(dir.toUri())) {
      List<RegistryEvent> seen = new CopyOnWriteArrayList<>();
      try (ModelWatcher w = ModelWatcher.builder(ws, MODEL).listener(seen::add)
          .start(Optional.empty(), Optional.of(Duration.ofHours(1))).build()) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        w.poll(); // takes its position (if the scheduled first poll has not yet)
        int v = Fixture.register(ws, true);
        ws.registry().setAlias(MODEL, "production", v);
        while (seen.size() < 3 && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertThat(seen).hasSize(3);
        assertThat(seen.get(2)).isInstanceOf(RegistryEvent.AliasMoved.class);
      }
    }
  }
}
