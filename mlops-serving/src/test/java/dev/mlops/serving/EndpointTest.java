package dev.mlops.serving;

import static dev.mlops.serving.Fixture.MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ConflictException;
import dev.mlops.NotFoundException;
import dev.mlops.Workspace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EndpointTest {
  final Fixture f = new Fixture();
  final Workspace ws = f.mem();
  final Fixture.Loader loader = new Fixture.Loader();

  @AfterEach
  void close() {
    ws.close();
  }

  private Endpoint.Builder<String, Integer> endpoint() {
    return Endpoint.builder(ws, MODEL, "production", loader).autoRefresh(false);
  }

  private int production(int approvedVersions) {
    return Fixture.production(ws, approvedVersions);
  }

  @Test
  void servesTheAliasAndHotSwapsUnderLoadWithoutAFailedRequestClosingEachOldPredictorOnce() throws Exception {
    production(5);
    try (Endpoint<String, Integer> ep = endpoint().build()) {
      Fixture.SwapLoad load = Fixture.swapUnderLoad(ws, ep, 8, 100);
      assertThat(load.failures()).isEmpty();
      assertThat(load.ok()).isPositive();
      // 101 loads: the first plus one per move; all but the serving one closed exactly once
      assertThat(loader.made).hasSize(101);
      assertThat(loader.made.subList(0, 100)).allSatisfy(p -> assertThat(p.closes.get()).isEqualTo(1));
      assertThat(loader.made.get(100).closes.get()).isZero();
    }
    assertThat(loader.made).allSatisfy(p -> assertThat(p.closes.get()).isEqualTo(1));
  }

  @Test
  void canarySendsTenPercentOfAMillionKeysToTheCandidate() {
    production(2);
    try (Endpoint<String, Integer> ep = endpoint().build()) {
      ep.deployments().start(DeploymentPlan.canary(2, 10, Duration.ofHours(1)));
      ep.refresh();
      assertThat(ep.status().routes()).containsEntry(1, 90.0).containsEntry(2, 10.0);
      int n = 1_000_000;
      int toCandidate = 0;
      for (int i = 0; i < n; i++) {
        if (ep.predict("user-" + i, "x") == 2) {
          toCandidate++;
        }
      }
      assertThat((double) toCandidate / n).isBetween(0.097, 0.103);
    }
  }

  @Test
  void manualPromoteEndsTheBakeEarlyAndAbortReturnsTrafficToTheAlias() {
    production(3);
    try (Endpoint<String, Integer> ep = endpoint().build()) {
      Deployments d = ep.deployments();
      assertThatThrownBy(d::promote).isInstanceOf(ConflictException.class).hasMessageContaining("promote");
      assertThat(d.abort("nothing to abort")).isFalse();

      d.start(DeploymentPlan.canary(2, 10, Duration.ofHours(1)));
      ep.refresh();
      assertThat(ep.status().routes()).isEqualTo(Map.of(1, 90.0, 2, 10.0));
      assertThatThrownBy(() -> d.promote(3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3");
      d.promote(); // long before the hour's bake ends
      ep.refresh();
      assertThat(ws.registry().resolve(MODEL + "@production").version()).isEqualTo(2);
      assertThat(ep.status().routes()).isEqualTo(Map.of(2, 100.0));

      d.start(DeploymentPlan.canary(3, 10, Duration.ofHours(1)));
      ep.refresh();
      assertThat(ep.status().routes()).isEqualTo(Map.of(2, 90.0, 3, 10.0));
      assertThat(d.abort("release withdrawn")).isTrue();
      ep.refresh();
      assertThat(ep.status().active()).isEmpty();
      assertThat(ep.status().routes()).isEqualTo(Map.of(2, 100.0));
      assertThat(ws.registry().resolve(MODEL + "@production").version()).isEqualTo(2);
      for (int i = 0; i < 1_000; i++) {
        assertThat(ep.predict("user-" + i, "x")).isEqualTo(2);
      }
      assertThat(d.history()).extracting(DeploymentRecord::type).containsExactly("START", "COMPLETE", "START", "ABORT");
      assertThat(d.history().get(3).details()).containsEntry("reason", "release withdrawn");
      assertThat(d.historyOf(3)).extracting(DeploymentRecord::type).contains("START");
    }
  }

  @Test
  void canaryBakesThenPromotesAndMovesTheAlias() {
    production(2);
    try (Endpoint<String, Integer> ep = endpoint().build()) {
      ep.deployments().start(DeploymentPlan.canary(2, 10, Duration.ofMinutes(10)));
      ep.refresh();
      f.clock.advance(Duration.ofMinutes(9));
      ep.refresh();
      assertThat(ep.status().active()).isPresent();
      f.clock.advance(Duration.ofMinutes(2));
      ep.refresh();
      assertThat(ep.status().active()).isEmpty();
      assertThat(ws.registry().resolve(MODEL + "@production").version()).isEqualTo(2);
      assertThat(ep.status().routes()).isEqualTo(Map.of(2, 100.0));
      assertThat(ep.deployments().history()).extracting(DeploymentRecord::type).containsExactly("START", "COMPLETE");
      assertThat(loader.made.get(0).closes.get()).isEqualTo(1);
    }
  }

  @Test
  void linearStepsEachBaked() {
    production(2);
    try (Endpoint<String, Integer> ep = endpoint().build()) {
      ep.deployments().start(DeploymentPlan.linear(2, 3, 25, Duration.ofMinutes(5)));
      ep.refresh();
      assertThat(ep.status().routes()).containsEntry(2, 25.0);
      f.clock.advance(Duration.ofMinutes(6));
      ep.refresh();
      assertThat(ep.status().routes()).containsEntry(2, 50.0);
      f.clock.advance(Duration.ofMinutes(6));
      ep.refresh();
      assertThat(ep.status().routes()).containsEntry(2, 75.0);
      f.clock.advance(Duration.ofMinutes(6));
      ep.refresh();
      assertThat(ep.status().routes()).isEqualTo(Map.of(2, 100.0));
      assertThat(ep.deployments().historyOf(2)).extracting(DeploymentRecord::type)
          .containsExactly("START", "STEP", "STEP", "COMPLETE");
    }
  }

  @Test
  void errorRateAlarmDuringBakeRollsBackAndIsRecorded() {
    production(2);
    PredictorLoader<String, Integer> failingV2 = v -> v.version() == 2
        ? in -> { throw new IllegalStateException("boom"); } : new Fixture.VersionPredictor(v.version());
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", failingV2).autoRefresh(false)
        .guardrail(Guardrail.errorRate(0.05, 50)).build()) {
      ep.deployments().start(DeploymentPlan.canary(2, 50, Duration.ofMinutes(10)));
      ep.refresh();
      int failed = 0;
      for (int i = 0; i < 1000; i++) {
        try {
          ep.predict("k" + i, "x");
        } catch (PredictionException e) {
          failed++;
          assertThat(e.version()).isEqualTo(2);
        }
      }
      assertThat(failed).isPositive();
      ep.refresh();
      assertThat(ep.status().active()).isEmpty();
      assertThat(ep.status().routes()).isEqualTo(Map.of(1, 100.0));
      assertThat(ws.registry().resolve(MODEL + "@production").version()).isEqualTo(1);
      DeploymentRecord alarm = ep.deployments().history().get(1);
      assertThat(alarm.type()).isEqualTo("ALARM");
      assertThat(alarm.details()).containsEntry("alarm", "error-rate").containsEntry("version", "2");
      for (int i = 0; i < 100; i++) {
        assertThat(ep.predict("k" + i, "x")).isEqualTo(1);
      }
    }
  }

  @Test
  void abAssignmentIsStickyAndComparedWithASignificanceTest() {
    production(3);
    try (Endpoint<String, Integer> ep = endpoint().build()) {
      ep.deployments().start(DeploymentPlan.ab(Map.of(1, 50.0, 2, 30.0, 3, 20.0)));
      ep.refresh();
      Map<String, Integer> first = new HashMap<>();
      int[] counts = new int[4];
      for (int i = 0; i < 20_000; i++) {
        int v = ep.predict("user-" + i, "x");
        first.put("user-" + i, v);
        counts[v]++;
      }
      for (int i = 0; i < 20_000; i++) {
        assertThat(ep.predict("user-" + i, "x")).isEqualTo(first.get("user-" + i));
        assertThat(ep.versionFor("user-" + i)).isEqualTo(first.get("user-" + i));
      }
      assertThat(counts[1] / 20_000.0).isBetween(0.48, 0.52);
      assertThat(counts[2] / 20_000.0).isBetween(0.28, 0.32);
      java.util.Random r = new java.util.Random(7);
      for (int i = 0; i < 20_000; i++) {
        String key = "user-" + i;
        double lift = first.get(key) == 2 ? 0.2 : 0.0;
        ep.recordOutcome(key, "revenue", 1.0 + lift + r.nextGaussian());
      }
      AbComparison c = ep.compare("revenue", 1, 2);
      assertThat(c.test()).isEqualTo("welch-t");
      assertThat(c.meanB()).isGreaterThan(c.meanA());
      assertThat(c.significant(0.01)).isTrue();
      AbComparison same = ep.compare("error", 1, 3);
      assertThat(same.pValue()).isEqualTo(1.0);
      ep.deployments().promote(2);
      ep.refresh();
      assertThat(ep.status().routes()).isEqualTo(Map.of(2, 100.0));
    }
  }

  @Test
  void shadowNeverChangesTheResponseNorBlocksOnASlowOrFailingCandidate() throws Exception {
    production(3);
    PredictorLoader<String, Integer> loaderWithSlowAndFailing = v -> switch (v.version()) {
      case 2 -> in -> {
        Thread.sleep(10);
        return 99;
      };
      case 3 -> in -> {
        throw new IllegalStateException("candidate broken");
      };
      default -> new Fixture.VersionPredictor(v.version());
    };
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", loaderWithSlowAndFailing)
        .autoRefresh(false).shadowQueue(4).build()) {
      ep.deployments().start(DeploymentPlan.shadow(2, 100));
      ep.refresh();
      assertThat(ep.status().shadow()).contains(2);
      for (int i = 0; i < 2_000; i++) {
        assertThat(ep.predict("k" + i, "x")).isEqualTo(1);
      }
      ShadowStats s = ep.shadowStats().orElseThrow();
      assertThat(s.mirrored() + s.dropped()).isEqualTo(2_000);
      assertThat(s.dropped()).isPositive(); // a 10 ms candidate cannot keep up: dropped, not waited for
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (ep.shadowStats().orElseThrow().compared() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(ep.shadowStats().orElseThrow().agreementRate()).isEqualTo(0.0);
      ep.deployments().abort("switch candidate");
      ep.deployments().start(DeploymentPlan.shadow(3, 100));
      ep.refresh();
      for (int i = 0; i < 500; i++) {
        assertThat(ep.predict("k" + i, "x")).isEqualTo(1);
      }
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (ep.shadowStats().orElseThrow().candidateErrors() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(ep.shadowStats().orElseThrow().candidateErrors()).isPositive();
      assertThat(ep.status().variants()).singleElement().satisfies(v -> assertThat(v.errors()).isZero());
    }
  }

  @Test
  void blueGreenKeepsTheOldVersionWarmForTheRetentionPeriod() {
    production(2);
    try (Endpoint<String, Integer> ep = endpoint().build()) {
      ep.deployments().start(DeploymentPlan.blueGreen(2, Duration.ofMinutes(30)));
      ep.refresh();
      assertThat(ep.status().routes()).isEqualTo(Map.of(2, 100.0));
      assertThat(ep.status().loaded()).containsExactlyInAnyOrder(1, 2);
      assertThat(loader.made.get(0).closes.get()).isZero();
      ep.deployments().raiseAlarm(2, "manual", "looks wrong");
      ep.refresh();
      assertThat(ep.status().routes()).isEqualTo(Map.of(1, 100.0));
      assertThat(loader.made).hasSize(2); // the rollback reused the warm predictor
      ep.deployments().start(DeploymentPlan.blueGreen(2, Duration.ofMinutes(30)));
      ep.refresh();
      f.clock.advance(Duration.ofMinutes(31));
      ep.refresh();
      assertThat(ep.status().loaded()).containsExactly(2);
      assertThat(ws.registry().resolve(MODEL + "@production").version()).isEqualTo(2);
    }
  }

  @Test
  void aLoaderThatThrowsLeavesTrafficOnTheOldVersionAndRecordsWhy() {
    production(2);
    PredictorLoader<String, Integer> badV2 = v -> {
      if (v.version() == 2) {
        throw new java.io.IOException("artifact unreadable");
      }
      return new Fixture.VersionPredictor(v.version());
    };
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", badV2).autoRefresh(false).build()) {
      ws.registry().setAlias(MODEL, "production", 2);
      ep.refresh();
      assertThat(ep.predict("k", "x")).isEqualTo(1);
      assertThat(ep.status().lastFailure()).hasValueSatisfying(s -> assertThat(s).contains("artifact unreadable"));
    }
  }

  @Test
  void onlyApprovedVersionsAreServedUnlessTheDeploymentRecordsAnOverride() {
    production(1);
    int pending = Fixture.register(ws, false);
    int rejected = Fixture.register(ws, false);
    ws.registry().reject(MODEL, rejected, "reviewer", "bad");
    try (Endpoint<String, Integer> ep = endpoint().build()) {
      Deployments d = ep.deployments();
      assertThatThrownBy(() -> d.start(DeploymentPlan.canary(pending, 10, Duration.ofMinutes(1))))
          .isInstanceOf(ConflictException.class).hasMessageContaining("PENDING_MANUAL_APPROVAL");
      assertThatThrownBy(() -> d.start(DeploymentPlan.canary(rejected, 10, Duration.ofMinutes(1))))
          .isInstanceOf(ConflictException.class).hasMessageContaining("REJECTED");
      assertThatThrownBy(() -> d.start(DeploymentPlan.canary(42, 10, Duration.ofMinutes(1))))
          .isInstanceOf(NotFoundException.class).hasMessageContaining("fraud/42");
      assertThatThrownBy(() -> DeploymentPlan.ab(Map.of(1, 50.0, 2, 40.0)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sum to 100");
      d.start(DeploymentPlan.canary(pending, 50, Duration.ofMinutes(1)).allowUnapproved("hotfix INC-7"));
      ep.refresh();
      assertThat(ep.status().routes()).containsEntry(pending, 50.0);
      assertThat(d.history().get(0).details()).containsEntry("unapprovedOverride", "hotfix INC-7");
      assertThat(ep.predict("k", "x")).isIn(1, pending);
    }
  }

  @Test
  void concurrentStartsForOneAliasLetExactlyOneWin() throws Exception {
    production(2);
    int n = 6;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Deployments d = Deployments.open(ws, MODEL, "production");
      results.add(pool.submit(() -> {
        go.await();
        try {
          d.start(DeploymentPlan.canary(2, 10, Duration.ofMinutes(5)));
          return "won";
        } catch (ConflictException e) {
          return "conflict";
        }
      }));
    }
    go.countDown();
    List<String> outcomes = new ArrayList<>();
    for (Future<String> r : results) {
      outcomes.add(r.get(1, TimeUnit.MINUTES));
    }
    pool.shutdown();
    assertThat(outcomes).containsOnlyOnce("won");
    assertThat(outcomes).filteredOn("conflict"::equals).hasSize(n - 1);
    assertThat(Deployments.open(ws, MODEL, "production").history()).hasSize(1);
  }

  @Test
  void aHungPredictorTimesOutAndIsCounted() {
    production(1);
    CountDownLatch never = new CountDownLatch(1);
    PredictorLoader<String, Integer> hangs = v -> in -> {
      if (in.equals("hang")) {
        never.await();
      }
      return v.version();
    };
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", hangs).autoRefresh(false)
        .requestTimeout(Duration.ofMillis(50)).build()) {
      assertThatThrownBy(() -> ep.predict("k", "hang")).isInstanceOfSatisfying(PredictionException.class,
          e -> assertThat(e.timedOut()).isTrue());
      assertThat(ep.predict("k", "fine")).isEqualTo(1);
      VariantStats s = ep.status().variants().get(0);
      assertThat(s.timeouts()).isEqualTo(1);
      assertThat(s.errors()).isEqualTo(1);
    } finally {
      never.countDown();
    }
  }

  @Test
  void manualRollbackToAnEarlierApprovedVersion() {
    production(3);
    try (Endpoint<String, Integer> ep = endpoint().build()) {
      ep.deployments().start(DeploymentPlan.allAtOnce(3));
      ep.refresh();
      assertThat(ep.predict("k", "x")).isEqualTo(3);
      ep.deployments().rollback(1, "regression in 3");
      ep.refresh();
      assertThat(ep.predict("k", "x")).isEqualTo(1);
      assertThat(ep.deployments().history()).extracting(DeploymentRecord::type)
          .containsExactly("START", "COMPLETE", "ROLLBACK");
      assertThat(ep.status().lastFailure()).isEqualTo(Optional.empty());
    }
  }
}
