package dev.mlops.serving;

import static dev.mlops.serving.Fixture.MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ConflictException;
import dev.mlops.Workspace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The endpoint beyond the numbers the issue names and with default settings: more threads and
 * alias moves, canary shares at the ends of the range, candidates that throw or hang, predictors
 * whose close throws, closing under load, versions rejected mid-deployment, guardrail edges.
 */
class EndpointEdgeCasesTest {
  final Fixture f = new Fixture();
  final Workspace ws = f.mem();
  final Fixture.Loader loader = new Fixture.Loader();
  final List<CountDownLatch> release = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    release.forEach(CountDownLatch::countDown);
    ws.close();
  }

  private int production(int approvedVersions) {
    return Fixture.production(ws, approvedVersions);
  }

  private static String keyFor(Endpoint<?, ?> ep, int version) {
    return Fixture.keyFor(ep, version);
  }

  @Test
  void hotSwapUnderMoreThreadsAndMovesThanTheIssueNamesWithAScheduledRefreshRacingManualOnes() throws Exception {
    int moves = Integer.getInteger("mlops.test.hotSwapMoves", 150);
    production(5);
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", loader)
        .refreshInterval(Duration.ofMillis(1)).build()) {
      int threads = Integer.getInteger("mlops.test.hotSwapThreads", 12);
      Fixture.SwapLoad load = Fixture.swapUnderLoad(ws, ep, threads, moves);
      assertThat(load.failures()).isEmpty();
      assertThat(load.ok()).isPositive();
      assertThat(loader.made).hasSize(moves + 1);
      assertThat(loader.made.subList(0, moves)).allSatisfy(p -> assertThat(p.closes.get()).isEqualTo(1));
    }
    assertThat(loader.made).allSatisfy(p -> assertThat(p.closes.get()).isEqualTo(1));
  }

  @Test
  void canaryAtOneAndFiftyPercentOfAMillionKeys() {
    production(3);
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", loader).autoRefresh(false).build()) {
      for (double pct : new double[] {1, 50}) {
        int candidate = pct == 1 ? 2 : 3;
        ep.deployments().start(DeploymentPlan.canary(candidate, pct, Duration.ofHours(1)));
        ep.refresh();
        int n = 1_000_000;
        int hits = 0;
        for (int i = 0; i < n; i++) {
          // the routing decision predict makes, without calling the predictor a million times
          if (ep.versionFor("user-" + i) == candidate) {
            hits++;
          }
        }
        assertThat(ep.predict(keyFor(ep, candidate), "x")).isEqualTo(candidate);
        assertThat(100.0 * hits / n).as("share at %s %%", pct).isBetween(pct - 0.3, pct + 0.3);
        ep.deployments().abort("next share");
        ep.refresh();
      }
    }
  }

  @Test
  void aShareBelowTheRoutingResolutionIsRefusedNamingIt() {
    assertThatThrownBy(() -> DeploymentPlan.canary(2, 0.004, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.004");
    assertThatThrownBy(() -> DeploymentPlan.shadow(2, 0.001))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.001");
    assertThatThrownBy(() -> DeploymentPlan.ab(Map.of(1, 99.999, 2, 0.001)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.001");
    assertThat(DeploymentPlan.canary(2, 0.01, Duration.ofMinutes(1)).percent()).isEqualTo(0.01);
  }

  @Test
  void aCandidateThatThrowsOnEveryCallIsRolledBackAtTheEdgeOfTheErrorRateGuardrail() {
    production(2);
    PredictorLoader<String, Integer> v2Throws = v -> v.version() == 2
        ? in -> { throw new IllegalStateException("v2 always fails"); } : new Fixture.VersionPredictor(v.version());
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", v2Throws).autoRefresh(false)
        .guardrail(Guardrail.errorRate(0, 10)).build()) {
      ep.deployments().start(DeploymentPlan.canary(2, 1, Duration.ofMinutes(10)));
      ep.refresh();
      String k2 = keyFor(ep, 2);
      for (int i = 0; i < 9; i++) {
        assertThatThrownBy(() -> ep.predict(k2, "x")).isInstanceOf(PredictionException.class)
            .hasMessageContaining("v2 always fails");
      }
      ep.refresh();
      assertThat(ep.status().active()).as("9 requests: below minRequests").isPresent();
      assertThatThrownBy(() -> ep.predict(k2, "x")).isInstanceOf(PredictionException.class);
      ep.refresh();
      assertThat(ep.status().active()).isEmpty();
      assertThat(ep.predict(k2, "x")).isEqualTo(1);
      assertThat(ep.deployments().history()).extracting(DeploymentRecord::type).containsExactly("START", "ALARM");
    }
  }

  @Test
  void everyStrategyRollsBackACandidateThatThrowsOnEveryCall() {
    production(2);
    List<DeploymentPlan> plans = List.of(DeploymentPlan.canary(2, 50, Duration.ofMinutes(10)),
        DeploymentPlan.linear(2, 2, 50, Duration.ofMinutes(10)), DeploymentPlan.blueGreen(2, Duration.ofMinutes(10)),
        DeploymentPlan.ab(Map.of(1, 50.0, 2, 50.0)));
    AtomicInteger v1Loads = new AtomicInteger();
    PredictorLoader<String, Integer> v2Throws = v -> {
      if (v.version() == 2) {
        return in -> { throw new IllegalStateException("v2 always fails"); };
      }
      v1Loads.incrementAndGet();
      return new Fixture.VersionPredictor(1);
    };
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", v2Throws).autoRefresh(false)
        .guardrail(Guardrail.errorRate(0.05, 20)).build()) {
      for (DeploymentPlan plan : plans) {
        ep.deployments().start(plan);
        ep.refresh();
        assertThat(ep.status().routes()).as(plan.strategy().toString()).containsKey(2);
        int failed = 0;
        for (int i = 0; i < 400; i++) {
          try {
            assertThat(ep.predict("k" + i, "x")).isEqualTo(1);
          } catch (PredictionException e) {
            failed++;
          }
        }
        assertThat(failed).isPositive();
        ep.refresh();
        assertThat(ep.status().active()).as(plan.strategy().toString()).isEmpty();
        assertThat(ep.status().routes()).isEqualTo(Map.of(1, 100.0));
        assertThat(ws.registry().resolve(MODEL + "@production").version()).isEqualTo(1);
        List<DeploymentRecord> h = ep.deployments().history();
        assertThat(h.get(h.size() - 1).type()).isEqualTo("ALARM");
      }
      assertThat(v1Loads.get()).as("blue/green kept version 1 loaded: no reload on rollback").isEqualTo(1);
    }
  }

  @Test
  void aCandidateThatCannotBeLoadedOrWarmedUpIsRolledBackNotPromotedWhenItsBakeEnds() {
    production(3);
    PredictorLoader<String, Integer> v2WontLoad = v -> {
      if (v.version() == 2) {
        throw new java.io.IOException("model file for 2 is truncated");
      }
      return new Fixture.VersionPredictor(v.version());
    };
    WarmUp<String, Integer> v3FailsItsHealthCheck = p -> {
      if (p.predict("health") == 3) {
        throw new IllegalStateException("health check of 3 failed");
      }
    };
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", v2WontLoad)
        .warmUp(v3FailsItsHealthCheck).autoRefresh(false).build()) {
      for (DeploymentPlan plan : List.of(DeploymentPlan.canary(2, 10, Duration.ofMinutes(10)),
          DeploymentPlan.blueGreen(3, Duration.ofMinutes(10)))) {
        ep.deployments().start(plan);
        ep.refresh();
        f.clock.advance(Duration.ofMinutes(11));
        ep.refresh();
        assertThat(ep.status().active()).as(plan.strategy().toString()).isEmpty();
        assertThat(ws.registry().resolve(MODEL + "@production").version()).as(plan.strategy().toString()).isEqualTo(1);
        List<DeploymentRecord> h = ep.deployments().history();
        DeploymentRecord last = h.get(h.size() - 1);
        assertThat(last.type()).isEqualTo("ALARM");
        assertThat(last.details()).containsEntry("alarm", "load-failed")
            .containsEntry("version", String.valueOf(plan.candidate()));
        assertThat(ep.predict("k", "x")).isEqualTo(1);
      }
    }
  }

  @Test
  void guardrailsAtTheirLimitsDoNotAlarmAndJustBeyondDo() {
    Guardrail g = Guardrail.errorRate(0.1, 10);
    VariantStats atLimit = new VariantStats(2, 100, 10, 0, 0, 0, 0, 0, Map.of());
    VariantStats above = new VariantStats(2, 100, 11, 0, 0, 0, 0, 0, Map.of());
    VariantStats tooFew = new VariantStats(2, 9, 9, 0, 0, 0, 0, 0, Map.of());
    assertThat(g.check(atLimit)).isEmpty();
    assertThat(g.check(above)).isPresent();
    assertThat(g.check(tooFew)).isEmpty();
    assertThat(Guardrail.errorRate(0, 1).check(new VariantStats(2, 1, 1, 0, 0, 0, 0, 0, Map.of()))).isPresent();
    assertThat(Guardrail.errorRate(0, 1).check(new VariantStats(2, 1, 0, 0, 0, 0, 0, 0, Map.of()))).isEmpty();

    Guardrail p99 = Guardrail.latency(0.99, Duration.ofMillis(20), 5);
    long limit = Duration.ofMillis(20).toNanos();
    assertThat(p99.check(new VariantStats(2, 40, 0, 0, 5, 0, 0, limit, Map.of()))).isEmpty();
    assertThat(p99.check(new VariantStats(2, 40, 0, 0, 5, 0, 0, limit + 1, Map.of()))).isPresent();
    assertThat(p99.check(new VariantStats(2, 40, 0, 0, 4, 0, 0, limit + 1, Map.of()))).isEmpty();

    Guardrail auc = Guardrail.metricAtLeast("auc", 0.7, 3);
    assertThat(auc.check(new VariantStats(2, 3, 0, 0, 0, 0, 0, 0,
        Map.of("auc", new VariantStats.Outcome(3, 0.7, 0))))).isEmpty();
    assertThat(auc.check(new VariantStats(2, 3, 0, 0, 0, 0, 0, 0,
        Map.of("auc", new VariantStats.Outcome(3, 0.69, 0))))).isPresent();
    assertThat(auc.check(new VariantStats(2, 3, 0, 0, 0, 0, 0, 0, Map.of()))).isEmpty();
  }

  @Test
  void guardrailParametersOutOfRangeAreRefusedNamingTheValue() {
    assertThatThrownBy(() -> Guardrail.errorRate(0.1, -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> Guardrail.errorRate(Double.NaN, 10)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NaN");
    assertThatThrownBy(() -> Guardrail.latency(0.99, Duration.ofMillis(-5), 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-0.005");
    assertThatThrownBy(() -> Guardrail.latency(0.99, Duration.ofMillis(5), -3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-3");
    assertThatThrownBy(() -> Guardrail.metricAtLeast("auc", Double.NaN, 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
    assertThatThrownBy(() -> Guardrail.metricAtLeast("auc", 0.7, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
  }

  /**
   * Without a request or candidate timeout no call leaves the caller's thread, a canary's
   * candidate included: the routing path stays the ~20 ns, 0 B/op one for all traffic.
   */
  @Test
  void byDefaultACanarysCandidateIsCalledOnTheCallersThread() throws Exception {
    production(2);
    java.util.concurrent.atomic.AtomicReference<Thread> ranOn = new java.util.concurrent.atomic.AtomicReference<>();
    PredictorLoader<String, Integer> v2Records = v -> v.version() == 2 ? in -> {
      ranOn.set(Thread.currentThread());
      return 2;
    } : new Fixture.VersionPredictor(v.version());
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", v2Records).autoRefresh(false).build()) {
      ep.deployments().start(DeploymentPlan.canary(2, 50, Duration.ofMinutes(10)));
      ep.refresh();
      assertThat(ep.predict(keyFor(ep, 2), "x")).isEqualTo(2);
      assertThat(ranOn.get()).isSameAs(Thread.currentThread());
    }
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", v2Records).autoRefresh(false)
        .candidateTimeout(Duration.ofSeconds(30)).build()) {
      ep.refresh();
      assertThat(ep.predict(keyFor(ep, 2), "x")).isEqualTo(2);
      assertThat(ranOn.get()).isNotSameAs(Thread.currentThread()); // bounded: on the request executor
    }
  }

  @Test
  void aCandidateThatHangsInACanaryWithACandidateTimeoutTimesOutAndIsRolledBack() throws Exception {
    production(2);
    CountDownLatch never = new CountDownLatch(1);
    release.add(never);
    PredictorLoader<String, Integer> v2Hangs = v -> v.version() == 2 ? in -> {
      never.await();
      return 2;
    } : new Fixture.VersionPredictor(v.version());
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", v2Hangs).autoRefresh(false)
        .candidateTimeout(Duration.ofMillis(300))
        .guardrail(Guardrail.errorRate(0.5, 1)).build()) {
      ep.deployments().start(DeploymentPlan.canary(2, 50, Duration.ofMinutes(10)));
      ep.refresh();
      String k2 = keyFor(ep, 2);
      ExecutorService caller = Executors.newSingleThreadExecutor();
      Future<Integer> answer = caller.submit(() -> ep.predict(k2, "x"));
      try {
        // a liveness bound, not a timing assert: without the candidate timeout this never returns
        assertThatThrownBy(() -> answer.get(1, TimeUnit.MINUTES)).hasCauseInstanceOf(PredictionException.class)
            .cause().hasMessageContaining("did not answer within PT0.3S");
      } finally {
        caller.shutdownNow();
      }
      ep.refresh();
      assertThat(ep.status().active()).isEmpty();
      assertThat(ep.predict(k2, "x")).isEqualTo(1);
    }
  }

  @Test
  void aCandidateThatHangsAndIgnoresInterruptsHoldsAtMost16RequestThreads() throws Exception {
    production(2);
    CountDownLatch never = new CountDownLatch(1);
    release.add(never);
    AtomicInteger entered = new AtomicInteger();
    PredictorLoader<String, Integer> v2Hangs = v -> v.version() == 2 ? in -> {
      entered.incrementAndGet();
      while (never.getCount() > 0) {
        try {
          never.await();
        } catch (InterruptedException ignored) {
          // keep hanging: a stuck native call
        }
      }
      return 2;
    } : new Fixture.VersionPredictor(v.version());
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", v2Hangs).autoRefresh(false)
        .candidateTimeout(Duration.ofMillis(20)).build()) {
      ep.deployments().start(DeploymentPlan.canary(2, 50, Duration.ofMinutes(10)));
      ep.refresh();
      String k2 = keyFor(ep, 2);
      for (int i = 0; i < 40; i++) {
        assertThatThrownBy(() -> ep.predict(k2, "x")).isInstanceOfSatisfying(PredictionException.class,
            e -> assertThat(e.timedOut()).isTrue());
      }
      assertThat(entered.get()).isEqualTo(Endpoint.MAX_STUCK_CALLS);
      VariantStats s = ep.status().variants().stream().filter(x -> x.version() == 2).findFirst().orElseThrow();
      assertThat(s.timeouts()).isEqualTo(40);
      assertThat(ep.predict(keyFor(ep, 1), "x")).isEqualTo(1);
      never.countDown(); // they come back: the version is called again
      boolean answered = false;
      while (!answered) {
        try {
          answered = ep.predict(k2, "x") == 2;
        } catch (PredictionException stillStuck) {
          Thread.sleep(1);
        }
      }
    }
  }

  @Test
  void aCandidateThatHangsInShadowNeverBlocksTheResponseNorTheEndOfTheDeploymentNorClose() throws Exception {
    production(2);
    CountDownLatch never = new CountDownLatch(1);
    release.add(never);
    AtomicInteger entered = new AtomicInteger();
    PredictorLoader<String, Integer> v2Hangs = v -> v.version() == 2 ? in -> {
      entered.incrementAndGet();
      while (true) {
        try {
          never.await(); // ignores interrupts: a truly stuck native call
          return 2;
        } catch (InterruptedException ignored) {
          // keep hanging
        }
      }
    } : new Fixture.VersionPredictor(v.version());
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      Future<?> run = caller.submit(() -> {
        try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", v2Hangs).autoRefresh(false)
            .shadowQueue(8).build()) {
          ep.deployments().start(DeploymentPlan.shadow(2, 100));
          ep.refresh();
          for (int i = 0; i < 1_000; i++) {
            assertThat(ep.predict("k" + i, "x")).isEqualTo(1);
          }
          ShadowStats s = ep.shadowStats().orElseThrow();
          assertThat(s.mirrored() + s.dropped()).isEqualTo(1_000);
          assertThat(s.dropped()).isPositive();
          ep.deployments().abort("candidate hangs");
          ep.refresh();
          assertThat(ep.status().shadow()).isEmpty();
          assertThat(ep.predict("k", "x")).isEqualTo(1);
        }
        return null;
      });
      run.get(2, TimeUnit.MINUTES); // liveness bound
    } finally {
      caller.shutdownNow();
    }
  }

  @Test
  void aPredictorWhoseCloseThrowsNeitherFailsARequestNorStopsRefreshing() throws Exception {
    production(3);
    AtomicInteger closes = new AtomicInteger();
    PredictorLoader<String, Integer> badClose = v -> new Predictor<>() {
      @Override
      public Integer predict(String input) {
        return v.version();
      }

      @Override
      public void close() {
        closes.incrementAndGet();
        if (v.version() == 1) {
          throw new IllegalStateException("close failed");
        }
        throw new AssertionError("close failed hard in " + v.version());
      }
    };
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", badClose)
        .refreshInterval(Duration.ofMillis(5)).build()) {
      AtomicBoolean stop = new AtomicBoolean();
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        fs.add(pool.submit(() -> {
          while (!stop.get()) {
            try {
              ep.predict("x");
            } catch (Throwable e) {
              failures.add(e);
            }
          }
        }));
      }
      for (int move = 0; move < 60; move++) {
        ws.registry().setAlias(MODEL, "production", 1 + move % 3);
        ep.refresh();
      }
      stop.set(true);
      for (Future<?> x : fs) {
        x.get(1, TimeUnit.MINUTES);
      }
      pool.shutdown();
      assertThat(failures).isEmpty();
      // the scheduled refresh still runs after closes that threw errors
      ws.registry().setAlias(MODEL, "production", 2);
      long seen = ep.status().refreshes();
      while (ep.status().refreshes() < seen + 3) {
        Thread.sleep(5);
      }
      assertThat(ep.predict("x")).isEqualTo(2);
    }
    assertThat(closes.get()).isEqualTo(61);
  }

  @Test
  void closingTheEndpointUnderLoadLetsInFlightRequestsFinishAndClosesEachPredictorOnceAfterThem() throws Exception {
    production(1);
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    release.add(proceed);
    AtomicInteger closes = new AtomicInteger();
    AtomicBoolean closedWhileInUse = new AtomicBoolean();
    AtomicInteger active = new AtomicInteger();
    PredictorLoader<String, Integer> slow = v -> new Predictor<>() {
      @Override
      public Integer predict(String input) throws InterruptedException {
        active.incrementAndGet();
        try {
          if (input.equals("block")) {
            inside.countDown();
            proceed.await();
          }
          return v.version();
        } finally {
          active.decrementAndGet();
        }
      }

      @Override
      public void close() {
        if (active.get() > 0) {
          closedWhileInUse.set(true);
        }
        closes.incrementAndGet();
      }
    };
    Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", slow).build();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    Future<Integer> blocked = pool.submit(() -> ep.predict("k", "block"));
    inside.await();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong afterClose = new AtomicLong();
    List<Throwable> unexpected = new CopyOnWriteArrayList<>();
    List<Future<?>> load = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      load.add(pool.submit(() -> {
        while (!stop.get()) {
          try {
            ep.predict("k", "x");
          } catch (IllegalStateException e) {
            afterClose.incrementAndGet();
            assertThat(e).hasMessageContaining(MODEL + "@production");
          } catch (Throwable e) {
            unexpected.add(e);
          }
        }
      }));
    }
    ep.close();
    ep.close();
    assertThat(closes.get()).as("in use by the blocked request").isZero();
    proceed.countDown();
    assertThat(blocked.get(1, TimeUnit.MINUTES)).isEqualTo(1);
    while (afterClose.get() == 0) {
      Thread.sleep(1);
    }
    stop.set(true);
    for (Future<?> x : load) {
      x.get(1, TimeUnit.MINUTES);
    }
    pool.shutdown();
    assertThat(unexpected).isEmpty();
    assertThat(closes.get()).isEqualTo(1);
    assertThat(closedWhileInUse.get()).isFalse();
    assertThatThrownBy(() -> ep.predict("k", "x")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aLoaderThatHangsNeitherStopsServingNorBlocksStatusNorClose() throws Exception {
    production(2);
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch unblock = new CountDownLatch(1);
    release.add(unblock);
    List<Fixture.VersionPredictor> made = new CopyOnWriteArrayList<>();
    PredictorLoader<String, Integer> v2HangsOnLoad = v -> {
      if (v.version() == 2) {
        loading.countDown();
        while (unblock.getCount() > 0) {
          try {
            unblock.await(); // ignores interrupts: a download with no timeout
          } catch (InterruptedException ignored) {
            // keep hanging
          }
        }
      }
      Fixture.VersionPredictor p = new Fixture.VersionPredictor(v.version());
      made.add(p);
      return p;
    };
    Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", v2HangsOnLoad)
        .refreshInterval(Duration.ofMillis(5)).build();
    ws.registry().setAlias(MODEL, "production", 2);
    loading.await();
    assertThat(ep.predict("k", "x")).isEqualTo(1); // the old version goes on serving
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      // liveness bounds: both used to wait for the hung load forever
      EndpointStatus s = caller.submit(ep::status).get(1, TimeUnit.MINUTES);
      assertThat(s.routes()).isEqualTo(Map.of(1, 100.0));
      assertThat(s.loaded()).containsExactly(1);
      caller.submit(ep::close).get(1, TimeUnit.MINUTES);
    } finally {
      caller.shutdownNow();
    }
    assertThatThrownBy(() -> ep.predict("k", "x")).isInstanceOf(IllegalStateException.class);
    assertThat(made).singleElement().satisfies(p -> assertThat(p.closes.get()).isEqualTo(1));
    unblock.countDown();
    // the load that finishes after close is closed, not leaked into a closed endpoint
    while (made.size() < 2 || made.get(1).closes.get() == 0) {
      Thread.sleep(1);
    }
    assertThat(made).allSatisfy(p -> assertThat(p.closes.get()).isEqualTo(1));
    assertThatThrownBy(() -> ep.predict("k", "x")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aCandidateRejectedDuringItsDeploymentIsNoLongerServedEvenWithTheUnapprovedOverride() {
    production(1);
    int v2 = Fixture.register(ws, false);
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", loader).autoRefresh(false).build()) {
      ep.deployments().start(DeploymentPlan.canary(v2, 50, Duration.ofHours(1)).allowUnapproved("hotfix"));
      ep.refresh();
      assertThat(ep.status().routes()).containsEntry(v2, 50.0);
      ws.registry().reject(MODEL, v2, "reviewer", "leaks PII");
      ep.refresh();
      assertThat(ep.status().routes()).isEqualTo(Map.of(1, 100.0));
      assertThat(ep.status().active()).isEmpty();
      List<DeploymentRecord> h = ep.deployments().history();
      assertThat(h).extracting(DeploymentRecord::type).containsExactly("START", "ABORT");
      assertThat(h.get(1).details().get("reason")).contains("version " + v2 + " was rejected");
      for (int i = 0; i < 1_000; i++) {
        assertThat(ep.predict("user-" + i, "x")).isEqualTo(1);
      }
    }
  }

  @Test
  void anAliasThatIsDeletedOrRefusedAtARejectedVersionKeepsTheLastGoodVersionServed() {
    production(2);
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", loader).autoRefresh(false).build()) {
      assertThat(ep.predict("k", "x")).isEqualTo(1);
      int v3 = Fixture.register(ws, false);
      ws.registry().reject(MODEL, v3, "reviewer", "bad");
      assertThatThrownBy(() -> ws.registry().setAlias(MODEL, "production", v3))
          .isInstanceOf(ConflictException.class).hasMessageContaining(String.valueOf(v3));
      assertThatThrownBy(() -> ep.deployments().start(DeploymentPlan.canary(v3, 10, Duration.ofMinutes(1))))
          .isInstanceOf(ConflictException.class).hasMessageContaining(MODEL + "/" + v3);
      ws.registry().deleteAlias(MODEL, "production");
      ep.refresh();
      assertThat(ep.predict("k", "x")).isEqualTo(1);
      assertThat(ep.status().aliasTarget()).isEmpty();
    }
    // a new endpoint on a deleted alias says why it has nothing to serve
    try (Endpoint<String, Integer> ep = Endpoint.builder(ws, MODEL, "production", loader).autoRefresh(false).build()) {
      assertThatThrownBy(() -> ep.predict("k", "x")).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(MODEL + "@production");
    }
  }
}
