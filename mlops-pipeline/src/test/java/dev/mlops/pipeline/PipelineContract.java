package dev.mlops.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ApprovalStatus;
import dev.mlops.Digest;
import dev.mlops.Mlops;
import dev.mlops.ModelVersion;
import dev.mlops.NotFoundException;
import dev.mlops.RunInfo;
import dev.mlops.RunId;
import dev.mlops.RunStatus;
import dev.mlops.VerifyReport;
import dev.mlops.Workspace;
import dev.mlops.spi.ObjectStore;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every storage backend runs for pipelines: executions, parallel steps, caching
 * (also across concurrent executions), retries, timeouts, conditions, registration, map steps,
 * callbacks, resume after a crash (a driver stopped while it held claims), two drivers on one
 * execution, verification, and bad input. A backend's test extends this class and implements
 * {@link #newStore()}; it ships in mlops-pipeline's test jar and runs on {@code mem:} here, on
 * {@code file:} in mlops-registry-fs and on {@code s3:} in mlops-registry-s3. Several
 * {@link Pipelines} on one store stand for several processes (each has its own owner id and
 * threads); the real multi-process crash test is {@code FsPipelineCrashIT}.
 *
 * <p>Not thread-safe (one instance per test, as JUnit makes them).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class PipelineContract {
  /** The store under test, fresh for each test. */
  protected ObjectStore store;
  /** A workspace over {@link #store}. */
  protected Workspace ws;
  private final List<Pipelines> opened = new ArrayList<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  /** For subclasses. */
  protected PipelineContract() {}

  /**
   * Returns an empty store of the backend under test.
   *
   * @return a fresh store, not shared with another test
   */
  protected abstract ObjectStore newStore();

  @BeforeEach
  final void openStore() {
    store = newStore();
    ws = Mlops.open(URI.create("kit:pipeline"), store);
  }

  @AfterEach
  final void closeAll() {
    opened.forEach(Pipelines::close);
    ws.close();
  }

  private Pipelines pipelines(Duration lease) {
    return pipelines(lease, Clock.systemUTC());
  }

  private Pipelines pipelines(Duration lease, Clock clock) {
    Pipelines p = Pipelines.builder(ws).lease(lease).pollInterval(Duration.ofMillis(10)).clock(clock).seed(7).build();
    opened.add(p);
    return p;
  }

  private Pipelines pipelines() {
    return pipelines(Duration.ofSeconds(10));
  }

  private int count(String step) {
    return calls.computeIfAbsent(step, k -> new AtomicInteger()).incrementAndGet();
  }

  private int calls(String step) {
    return calls.getOrDefault(step, new AtomicInteger()).get();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** prepare -> train -> evaluate, counting body calls. */
  private Pipeline linear(String name) {
    return Pipeline.builder(name)
        .step(Step.task("prepare", ctx -> {
          count("prepare");
          ctx.artifact("data", utf8("rows for " + ctx.parameter("region")));
          ctx.dataset("table", Digest.of(utf8("table")));
        }).artifacts("data").datasets("table"))
        .step(Step.task("train", ctx -> {
          count("train");
          byte[] data = ctx.inputBytes("prepare.data");
          ctx.artifact("model", utf8("model of " + new String(data, StandardCharsets.UTF_8)));
          ctx.output("note", "trained");
        }).reads("prepare.data").artifacts("model").parameters("note"))
        .step(Step.task("evaluate", ctx -> {
          count("evaluate");
          ctx.metric("auc", ctx.inputBytes("train.model").length / 100.0);
        }).reads("train.model").metrics("auc"))
        .build();
  }

  @Test
  void runsStepsRecordsOutputsAndEachStepIsARun() {
    ExecutionResult r = pipelines().run(linear("lin"), Map.of("region", "eu"));
    assertThat(r.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(r.step("evaluate").output("auc").number()).isEqualTo(("model of rows for eu").length() / 100.0);
    Digest model = r.step("train").output("model").digest();
    assertThat(new String(ws.artifacts().read(model), StandardCharsets.UTF_8)).isEqualTo("model of rows for eu");
    assertThat(r.step("train").output("note").value()).isEqualTo("trained");
    RunInfo train = ws.experiments().getRun(r.step("train").run().orElseThrow());
    assertThat(train.experiment()).isEqualTo("pipeline.lin");
    assertThat(train.status()).isEqualTo(RunStatus.FINISHED);
    assertThat(train.params()).containsEntry("region", "eu");
    assertThat(train.tags()).containsEntry("pipeline.execution", r.executionId()).containsEntry("pipeline.step", "train");
    assertThat(train.artifacts().get("model").digest()).isEqualTo(model);
    RunInfo prep = ws.experiments().getRun(r.step("prepare").run().orElseThrow());
    assertThat(prep.inputs()).extracting(i -> i.digest()).containsExactly(Digest.of(utf8("table")));
    assertThat(ws.experiments().getRun(r.step("evaluate").run().orElseThrow()).latestMetrics()).containsKey("auc");
    assertThat(pipelines().verify("lin", r.executionId()).ok()).isTrue();
    assertThat(pipelines().executions("lin")).containsExactly(r.executionId());
    assertThat(pipelines().status("lin", r.executionId())).isEqualTo(r);
  }

  @Test
  void independentStepsRunInParallel() {
    CountDownLatch both = new CountDownLatch(2);
    StepBody meet = ctx -> {
      both.countDown();
      if (!both.await(20, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the other step never ran alongside " + ctx.step());
      }
      ctx.metric("ok", 1);
    };
    Pipeline p = Pipeline.builder("par")
        .step(Step.task("left", meet).metrics("ok").noCache())
        .step(Step.task("right", meet).metrics("ok").noCache())
        .step(Step.task("join", ctx -> ctx.metric("sum", ctx.input("left.ok").number() + ctx.input("right.ok").number()))
            .reads("left.ok", "right.ok").metrics("sum"))
        .build();
    ExecutionResult r = pipelines().run(p, Map.of());
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(r.step("join").output("sum").number()).isEqualTo(2.0);
  }

  @Test
  void aSecondExecutionIsServedFromTheCacheUntilInputsParametersOrAgeChange() {
    MutableTestClock clock = new MutableTestClock(Instant.parse("2026-01-01T00:00:00Z"));
    Pipeline p = Pipeline.builder("cached")
        .step(Step.task("a", ctx -> {
          count("a");
          ctx.artifact("out", utf8("a-" + ctx.parameter("x")));
        }).artifacts("out").cacheFor(Duration.ofHours(1)))
        .step(Step.task("b", ctx -> {
          count("b");
          ctx.metric("len", ctx.inputBytes("a.out").length);
        }).reads("a.out").metrics("len"))
        .step(Step.task("c", ctx -> count("c")).after("b").noCache())
        .build();
    Pipelines pl = pipelines(Duration.ofSeconds(10), clock);
    ExecutionResult first = pl.run(p, Map.of("x", "1"));
    ExecutionResult second = pl.run(p, Map.of("x", "1"));
    assertThat(second.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(calls("a")).isEqualTo(1);
    assertThat(calls("b")).isEqualTo(1);
    assertThat(calls("c")).isEqualTo(2); // opted out
    assertThat(second.step("b").cacheHit()).isTrue();
    assertThat(second.step("b").cacheSource()).contains(first.executionId());
    assertThat(second.step("b").run()).isEqualTo(first.step("b").run());
    assertThat(second.step("b").outputs()).isEqualTo(first.step("b").outputs());
    assertThat(second.step("c").cacheHit()).isFalse();

    pl.run(p, Map.of("x", "2")); // other parameters: both miss
    assertThat(calls("a")).isEqualTo(2);
    assertThat(calls("b")).isEqualTo(2);

    clock.advance(Duration.ofHours(2)); // a's result expired; b's input is unchanged, b still hits
    ExecutionResult late = pl.run(p, Map.of("x", "1"));
    assertThat(calls("a")).isEqualTo(3);
    assertThat(late.step("a").cacheHit()).isFalse();
    assertThat(late.step("b").cacheHit()).isTrue();
  }

  @Test
  void twoExecutionsReachingOneUncachedStepAtOnceRunItOnce() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Pipeline p = Pipeline.builder("once")
        .step(Step.task("slow", ctx -> {
          count("slow");
          inside.countDown();
          release.await(20, TimeUnit.SECONDS);
          ctx.artifact("out", utf8("result"));
        }).artifacts("out"))
        .build();
    Execution a = pipelines().start(p, Map.of());
    assertThat(inside.await(20, TimeUnit.SECONDS)).isTrue();
    Execution b = pipelines().start(p, Map.of()); // another "process", same cache key
    Thread.sleep(100);
    release.countDown();
    ExecutionResult ra = a.await();
    ExecutionResult rb = b.await();
    assertThat(calls("slow")).isEqualTo(1);
    assertThat(rb.step("slow").cacheHit()).isTrue();
    assertThat(rb.step("slow").cacheSource()).contains(ra.executionId());
    assertThat(rb.step("slow").outputs()).isEqualTo(ra.step("slow").outputs());
  }

  @Test
  void retriesListedExceptionsWithBackoffAndFailsOthersAtOnce() {
    AtomicInteger flaky = new AtomicInteger();
    Pipeline p = Pipeline.builder("retry")
        .step(Step.task("flaky", ctx -> {
          if (flaky.incrementAndGet() < 3) {
            throw new IOException("transient " + flaky.get());
          }
          ctx.metric("tries", flaky.get());
        }).metrics("tries").retry(RetryPolicy.attempts(3, IOException.class).withBackoff(Duration.ofMillis(5), 2,
            Duration.ofMillis(50))))
        .build();
    ExecutionResult r = pipelines().run(p, Map.of());
    assertThat(r.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(r.step("flaky").failedAttempts()).isEqualTo(2);
    assertThat(r.step("flaky").output("tries").number()).isEqualTo(3.0);

    Pipeline broken = Pipeline.builder("broken")
        .step(Step.task("boom", ctx -> {
          count("boom");
          throw new IllegalStateException("bad data in row 7");
        }).retry(RetryPolicy.attempts(3, IOException.class)))
        .step(Step.task("after", ctx -> count("after")).after("boom"))
        .build();
    ExecutionResult f = pipelines().run(broken, Map.of());
    assertThat(f.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(calls("boom")).isEqualTo(1);
    assertThat(calls("after")).isZero();
    assertThat(f.step("boom").status()).isEqualTo(StepStatus.FAILED);
    assertThat(f.step("boom").reason()).contains("step 'boom'").contains("bad data in row 7");
    assertThat(f.reason()).contains("step 'boom' failed");
    assertThat(ws.experiments().getRun(f.step("boom").run().orElseThrow()).status()).isEqualTo(RunStatus.FAILED);
  }

  @Test
  void aStepThatNeverReturnsTimesOutAndIsCancelled() throws InterruptedException {
    AtomicReference<Boolean> interrupted = new AtomicReference<>(false);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch cancelled = new CountDownLatch(1);
    Pipeline p = Pipeline.builder("hang")
        .step(Step.task("forever", ctx -> {
          started.countDown();
          try {
            Thread.sleep(Long.MAX_VALUE);
          } catch (InterruptedException e) {
            interrupted.set(true);
            cancelled.countDown();
            throw e;
          }
        }).timeout(Duration.ofSeconds(1)))
        .build();
    ExecutionResult r = pipelines().run(p, Map.of());
    assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(r.step("forever").reason()).contains("step 'forever' timed out after PT1S");
    // the timeout counts from the attempt's start, which includes opening its run; on a slow
    // store the body may not have begun by then, and then there is nothing to interrupt
    if (started.getCount() == 0) {
      assertThat(cancelled.await(10, TimeUnit.SECONDS)).as("the attempt's thread was interrupted").isTrue();
    }
    assertThat(ws.experiments().getRun(r.step("forever").run().orElseThrow()).status()).isEqualTo(RunStatus.FAILED);
  }

  @Test
  void undeclaredOrMissingOutputsFailTheStepNamingIt() {
    Pipeline extra = Pipeline.builder("extra")
        .step(Step.task("s", ctx -> {
          ctx.metric("declared", 1);
          ctx.metric("surprise", 2);
        }).metrics("declared"))
        .build();
    ExecutionResult r = pipelines().run(extra, Map.of());
    assertThat(r.step("s").status()).isEqualTo(StepStatus.FAILED);
    assertThat(r.step("s").reason()).contains("step 's' records output 'surprise', which it does not declare");
    Pipeline missing = Pipeline.builder("missing")
        .step(Step.task("s", ctx -> ctx.metric("a", 1)).metrics("a", "b"))
        .build();
    ExecutionResult m = pipelines().run(missing, Map.of());
    assertThat(m.step("s").reason()).contains("step 's' returned without recording declared output(s) [b]");
    Pipeline undeclaredRead = Pipeline.builder("read")
        .step(Step.task("a", ctx -> ctx.metric("x", 1)).metrics("x"))
        .step(Step.task("b", ctx -> ctx.input("a.x")).after("a"))
        .build();
    assertThat(pipelines().run(undeclaredRead, Map.of()).step("b").reason())
        .contains("step 'b' reads 'a.x' but does not declare it");
  }

  private Pipeline gated(String name, double threshold) {
    return Pipeline.builder(name)
        .step(Step.task("prepare", ctx -> {
          ctx.artifact("data", utf8("data"));
          ctx.dataset("rows", Digest.of(utf8("rows")));
        }).artifacts("data").datasets("rows"))
        .step(Step.task("train", ctx -> {
          ctx.artifact("model", utf8("weights"));
          ctx.metric("auc", 0.9);
        }).reads("prepare.data").artifacts("model").metrics("auc"))
        .step(Step.condition("gate", QualityGates.metricAtLeast("train.auc", threshold))
            .ifTrue("register").ifFalse("reject"))
        .step(Step.register("register", "churn").artifact("model", "train.model").dataset("prepare.rows")
            .trainingRunOf("train"))
        .step(Step.fail("reject", "model below the bar"))
        .build();
  }

  @Test
  void aPassingGateRegistersAVersionPendingApprovalWithLineage() {
    ExecutionResult r = pipelines().run(gated("gated", 0.8), Map.of());
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(r.step("gate").output("branch").value()).isEqualTo("true");
    assertThat(r.step("gate").reason()).contains("train.auc = 0.9 is >= 0.8");
    assertThat(r.step("reject").status()).isEqualTo(StepStatus.SKIPPED);
    int version = Integer.parseInt(r.step("register").output("version").value());
    ModelVersion mv = ws.registry().get("churn", version);
    assertThat(mv.status()).isEqualTo(ApprovalStatus.PENDING_MANUAL_APPROVAL);
    assertThat(mv.lineage().trainingRun()).isEqualTo(r.step("train").run());
    assertThat(mv.lineage().datasets()).containsExactly(Digest.of(utf8("rows")));
    assertThat(mv.artifacts().get("model").digest()).isEqualTo(r.step("train").output("model").digest());
    assertThat(mv.tags()).containsEntry("pipeline.execution", r.executionId())
        .containsEntry("pipeline.step", "register");
    assertThat(mv.tags().get("pipeline.runs")).contains("train=" + r.step("train").run().orElseThrow());
  }

  @Test
  void aFailingGateTakesTheOtherBranchAndFailsTheExecution() {
    ExecutionResult r = pipelines().run(gated("gated", 0.95), Map.of());
    assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(r.step("gate").output("branch").value()).isEqualTo("false");
    assertThat(r.step("register").status()).isEqualTo(StepStatus.SKIPPED);
    assertThat(r.step("register").reason()).contains("condition 'gate' took the false branch");
    assertThat(r.reason()).contains("model below the bar");
    assertThat(ws.registry().models()).doesNotContain("churn");
  }

  @Test
  void aChallengerGateComparesWithTheAliasedVersion() {
    ExecutionResult first = pipelines().run(gated("first", 0.5), Map.of());
    assertThat(first.step("register").output("version").value()).isEqualTo("1");
    ws.registry().approve("churn", 1, "lead", "ok");
    ws.registry().setAlias("churn", "production", 1);
    assertThat(QualityGates.challenge(ws, 0.92, "churn", "production", "auc", true, 0.01).passed()).isTrue();
    assertThat(QualityGates.challenge(ws, 0.905, "churn", "production", "auc", true, 0.01).passed()).isFalse();
    assertThat(QualityGates.challenge(ws, 0.905, "churn", "production", "auc", true, 0.01).reason())
        .contains("churn@production (churn/1) 0.9");
    assertThat(QualityGates.challenge(ws, 0.1, "churn", "staging", "auc", true, 0).reason()).contains("nothing to beat");
    Pipeline p = Pipeline.builder("challenge")
        .step(Step.task("eval", ctx -> ctx.metric("auc", 0.95)).metrics("auc"))
        .step(Step.condition("better", QualityGates.beatsAlias("eval.auc", "churn", "production", "auc", true, 0.02)))
        .build();
    ExecutionResult r = pipelines().run(p, Map.of());
    assertThat(r.step("better").output("branch").value()).isEqualTo("true");
  }

  @Test
  void mapStepsFanOutAndCollectOutputsInItemOrder() {
    Pipeline p = Pipeline.builder("fan")
        .step(Step.task("list", ctx -> ctx.output("shards", "s1\ns2\ns3")).parameters("shards"))
        .step(Step.mapOver("score", "list.shards", ctx -> {
          count("score");
          ctx.metric("n", ctx.item().orElseThrow().charAt(1) - '0');
        }).metrics("n"))
        .step(Step.map("fixed", List.of("x", "y"), ctx -> ctx.output("up", ctx.item().orElseThrow().toUpperCase()))
            .parameters("up"))
        .step(Step.task("sum", ctx -> ctx.metric("total", ctx.input("score.n").list().stream()
            .mapToDouble(Double::parseDouble).sum())).reads("score.n").metrics("total"))
        .build();
    ExecutionResult r = pipelines().run(p, Map.of());
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(r.step("score").output("n").list()).containsExactly("1.0", "2.0", "3.0");
    assertThat(r.step("fixed").output("up").list()).containsExactly("X", "Y");
    assertThat(r.step("sum").output("total").number()).isEqualTo(6.0);
    assertThat(r.step("score[1]").status()).isEqualTo(StepStatus.SUCCEEDED);
    assertThat(calls("score")).isEqualTo(3);
  }

  @Test
  void aCallbackStepWaitsAcrossRestartsForItsTokenFromAnyProcess() throws Exception {
    AtomicReference<String> token = new AtomicReference<>();
    Pipeline p = Pipeline.builder("cb")
        .step(Step.callback("spark", ctx -> token.set(ctx.callbackToken())).datasets("table"))
        .step(Step.task("use", ctx -> ctx.output("seen", ctx.input("spark.table").value())).reads("spark.table")
            .parameters("seen"))
        .build();
    Pipelines first = pipelines(Duration.ofMillis(300));
    Execution e = first.start(p, Map.of());
    while (first.status("cb", e.id()).steps().get("spark") == null
        || first.status("cb", e.id()).step("spark").status() != StepStatus.WAITING) {
      Thread.sleep(10);
    }
    first.close(); // the process waiting for the callback goes away
    Digest table = Digest.of(utf8("spark output"));
    Pipelines other = pipelines();
    assertThatThrownBy(() -> other.completeCallback(e.id() + ":nope", Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed");
    assertThatThrownBy(() -> other.completeCallback("cb:" + e.id() + ":spark:", Map.of())) // no claim
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed");
    other.completeCallback(token.get(), Map.of("table", new OutputValue(OutputKind.DATASET, table.hex())));
    ExecutionResult r = pipelines().resume(p, e.id()).await();
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(r.step("use").output("seen").value()).isEqualTo(table.hex());
    assertThat(pipelines().verify("cb", e.id()).ok()).isTrue();
  }

  /**
   * A callback step's body that hands its token out and then blocks: the holder "dies" (is
   * closed) while the step is RUNNING, before its {@code waiting} entry, so the log holds only the
   * claim. {@code bodies} counts body calls; {@code tokens} collects the tokens handed out.
   */
  private Pipeline callbackThenUse(String name, List<String> tokens, AtomicInteger bodies, CountDownLatch handedOut,
      boolean blockFirst) {
    return Pipeline.builder(name)
        .step(Step.callback("spark", ctx -> {
          int call = bodies.incrementAndGet();
          tokens.add(ctx.callbackToken());
          handedOut.countDown();
          if (call == 1 && blockFirst) {
            Thread.sleep(Long.MAX_VALUE); // the holder dies here, after the external job was submitted
          }
        }).datasets("table"))
        .step(Step.task("use", ctx -> ctx.output("seen", ctx.input("spark.table").value())).reads("spark.table")
            .parameters("seen").noCache())
        .build();
  }

  /** The raw log entries of type {@code type} for {@code step}. */
  private long entries(String pipeline, String id, String type, String step) {
    return new ExecutionLog(store, pipeline, id).chain().readAfter(0, dev.mlops.core.internal.HashChainedLog.GENESIS)
        .stream().filter(e -> type.equals(e.body().path("type").asText()) && step.equals(e.body().path("step").asText()))
        .count();
  }

  /**
   * The holder of a callback step dies after its body handed the token out, before the step was
   * recorded as waiting. The external system reports with the token before anyone resumes: the
   * report is recorded under the dead holder's claim, and the process that takes the step over
   * completes it from that report — its body (the external job) is not run again, the outputs are
   * committed once, and the run the dead attempt left RUNNING is ended. A second report keeps the
   * first.
   */
  @Test
  void aCallbackReportUnderADeadHoldersClaimCompletesTheStepOnTakeoverWithoutRunningTheBodyAgain() throws Exception {
    List<String> tokens = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicInteger bodies = new AtomicInteger();
    CountDownLatch handedOut = new CountDownLatch(1);
    Pipeline p = callbackThenUse("cbdead", tokens, bodies, handedOut, true);
    Pipelines dying = pipelines(Duration.ofMillis(300));
    String id = dying.launcher(p).start(Map.of(), "test");
    assertThat(handedOut.await(20, TimeUnit.SECONDS)).isTrue();
    dying.close(); // the holder goes away while the step is RUNNING: only its claim is in the log
    String token = tokens.get(0);
    String claim = token.substring(token.lastIndexOf(':') + 1);
    // what a kill -9 leaves: the attempt's run never ended (close() ended the real one FAILED)
    dev.mlops.Run orphan = ws.experiments().startRun("pipeline.cbdead", "spark", Map.of(),
        Map.of("pipeline", "cbdead", "pipeline.execution", id, "pipeline.step", "spark", "pipeline.attempt", "1",
            "pipeline.claim", claim));
    Digest table = Digest.of(utf8("spark output"));
    Pipelines other = pipelines();
    other.completeCallback(token, Map.of("table", new OutputValue(OutputKind.DATASET, table.hex())));
    other.failCallback(token, "a second report"); // the first report wins
    assertThat(entries("cbdead", id, "callback", "spark")).isEqualTo(1);

    Pipelines survivor = pipelines(Duration.ofMillis(300));
    ExecutionResult r = survivor.resume(p, id).await();
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(bodies.get()).as("the external job is submitted once").isEqualTo(1);
    assertThat(r.step("spark").output("table").value()).isEqualTo(table.hex());
    assertThat(r.step("use").output("seen").value()).isEqualTo(table.hex());
    assertThat(r.step("spark").run()).contains(orphan.id());
    assertThat(ws.experiments().getRun(orphan.id()).status()).isEqualTo(RunStatus.FINISHED);
    assertThat(entries("cbdead", id, "succeeded", "spark")).isEqualTo(1);
    assertThat(entries("cbdead", id, "claimed", "spark")).isEqualTo(1); // completed, not taken over
    other.completeCallback(token, Map.of("table", new OutputValue(OutputKind.DATASET, table.hex()))); // late repeat: kept first
    assertThat(survivor.verify("cbdead", id).ok()).isTrue();
  }

  /** As above with a failure report: the step fails from it on takeover, its body not run again. */
  @Test
  void aFailureReportUnderADeadHoldersClaimFailsTheStepOnTakeoverWithoutRunningTheBodyAgain() throws Exception {
    List<String> tokens = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicInteger bodies = new AtomicInteger();
    CountDownLatch handedOut = new CountDownLatch(1);
    Pipeline p = callbackThenUse("cbdeadfail", tokens, bodies, handedOut, true);
    Pipelines dying = pipelines(Duration.ofMillis(300));
    String id = dying.launcher(p).start(Map.of(), "test");
    assertThat(handedOut.await(20, TimeUnit.SECONDS)).isTrue();
    dying.close();
    Pipelines other = pipelines();
    other.failCallback(tokens.get(0), "spark job ran out of memory");
    other.completeCallback(tokens.get(0), Map.of()); // the first report wins
    ExecutionResult r = pipelines(Duration.ofMillis(300)).resume(p, id).await();
    assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(r.reason()).contains("spark", "spark job ran out of memory");
    assertThat(r.step("spark").status()).isEqualTo(StepStatus.FAILED);
    assertThat(bodies.get()).isEqualTo(1);
    assertThat(entries("cbdeadfail", id, "failed", "spark")).isEqualTo(1);
    assertThat(other.verify("cbdeadfail", id).ok()).isTrue();
  }

  /**
   * The holder dies after handing the token out and nobody reports before its lease expires: the
   * step is taken over and its body runs again with a new token (the external job may be
   * submitted twice). A report with the old token is then rejected, naming the step and why; the
   * new token completes the step.
   */
  @Test
  void aDeadHoldersCallbackStepWithoutAReportIsRunAgainAndItsOldTokenIsRejectedNamingWhy() throws Exception {
    List<String> tokens = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicInteger bodies = new AtomicInteger();
    CountDownLatch handedOut = new CountDownLatch(2);
    Pipeline p = callbackThenUse("cbtaken", tokens, bodies, handedOut, true);
    Pipelines dying = pipelines(Duration.ofMillis(300));
    String id = dying.launcher(p).start(Map.of(), "test");
    while (bodies.get() == 0) {
      Thread.sleep(5);
    }
    dying.close();
    Pipelines survivor = pipelines(Duration.ofMillis(300));
    Execution e = survivor.resume(p, id);
    assertThat(handedOut.await(20, TimeUnit.SECONDS)).as("taken over: the body ran again").isTrue();
    assertThat(tokens.get(1)).isNotEqualTo(tokens.get(0));
    Digest table = Digest.of(utf8("second job"));
    Map<String, OutputValue> out = Map.of("table", new OutputValue(OutputKind.DATASET, table.hex()));
    assertThatThrownBy(() -> pipelines().completeCallback(tokens.get(0), out))
        .isInstanceOf(dev.mlops.ConflictException.class)
        .hasMessageContaining("step 'spark'").hasMessageContaining("taken over").hasMessageContaining(tokens.get(1)
            .substring(tokens.get(1).lastIndexOf(':') + 1));
    pipelines().completeCallback(tokens.get(1), out);
    ExecutionResult r = e.await();
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(r.step("use").output("seen").value()).isEqualTo(table.hex());
    assertThat(bodies.get()).isEqualTo(2);
    assertThatThrownBy(() -> pipelines().failCallback(tokens.get(0), "late"))
        .isInstanceOf(dev.mlops.ConflictException.class).hasMessageContaining("step 'spark'");
    assertThat(survivor.verify("cbtaken", id).ok()).isTrue();
  }

  /**
   * The holder dies after the callback step's body returned (its run ended FINISHED: the token is
   * out) but before its {@code waiting} entry got in. The process that finds the claim expired
   * records the step as waiting under that claim instead of running the body again, so the
   * external job is submitted once and the token the body handed out completes the step.
   */
  @Test
  void aCallbackStepWhoseHolderDiedAfterItsBodyReturnedKeepsWaitingOnItsToken() throws Exception {
    ObjectStore failing = new dev.mlops.spi.ForwardingObjectStore(store) {
      @Override
      public void create(String key, byte[] bytes) {
        if (key.startsWith("pipelines/cbreturned/executions/")
            && new String(bytes, StandardCharsets.UTF_8).contains("\"type\":\"waiting\"")) {
          throw new dev.mlops.StorageException("injected: the process died before " + key);
        }
        super.create(key, bytes);
      }

      @Override
      public void close() {
        // the test's store outlives this view
      }
    };
    List<String> tokens = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicInteger bodies = new AtomicInteger();
    CountDownLatch handedOut = new CountDownLatch(1);
    Pipeline p = callbackThenUse("cbreturned", tokens, bodies, handedOut, false);
    String id;
    try (Workspace view = Mlops.open(URI.create("kit:failing"), failing);
        Pipelines pl = Pipelines.builder(view).lease(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(10))
            .seed(7).build()) {
      Execution e = pl.start(p, Map.of());
      id = e.id();
      assertThatThrownBy(e::await).hasMessageContaining("injected");
    }
    assertThat(new ExecutionLog(store, "cbreturned", id).refresh().steps.get("spark").status)
        .isEqualTo(StepStatus.RUNNING);
    Pipelines survivor = pipelines(Duration.ofMillis(300));
    Execution e = survivor.resume(p, id);
    while (survivor.status("cbreturned", id).step("spark").status() != StepStatus.WAITING) {
      Thread.sleep(5);
    }
    assertThat(bodies.get()).isEqualTo(1);
    Digest table = Digest.of(utf8("submitted once"));
    pipelines().completeCallback(tokens.get(0), Map.of("table", new OutputValue(OutputKind.DATASET, table.hex())));
    ExecutionResult r = e.await();
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(r.step("use").output("seen").value()).isEqualTo(table.hex());
    assertThat(bodies.get()).isEqualTo(1);
    assertThat(entries("cbreturned", id, "claimed", "spark")).isEqualTo(1);
    assertThat(ws.experiments().getRun(r.step("spark").run().orElseThrow()).status()).isEqualTo(RunStatus.FINISHED);
    assertThat(survivor.verify("cbreturned", id).ok()).isTrue();
  }

  /**
   * A callback step recorded as waiting whose holder died keeps waiting on its token: the resumer
   * does not run the body again, and a report with the token after the resume completes the step
   * (a second report keeps the first).
   */
  @Test
  void aWaitingCallbackStepWhoseHolderDiedKeepsItsTokenAcrossAResume() throws Exception {
    List<String> tokens = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicInteger bodies = new AtomicInteger();
    CountDownLatch handedOut = new CountDownLatch(1);
    Pipeline p = callbackThenUse("cbwait", tokens, bodies, handedOut, false);
    Pipelines dying = pipelines(Duration.ofMillis(300));
    String id = dying.launcher(p).start(Map.of(), "test");
    while (dying.status("cbwait", id).steps().get("spark") == null
        || dying.status("cbwait", id).step("spark").status() != StepStatus.WAITING) {
      Thread.sleep(5);
    }
    dying.close();
    Pipelines survivor = pipelines(Duration.ofMillis(300));
    Execution e = survivor.resume(p, id);
    Thread.sleep(400); // longer than the lease: the resumer must still not take the step over
    assertThat(bodies.get()).isEqualTo(1);
    Digest table = Digest.of(utf8("waited"));
    pipelines().completeCallback(tokens.get(0), Map.of("table", new OutputValue(OutputKind.DATASET, table.hex())));
    pipelines().failCallback(tokens.get(0), "second report");
    ExecutionResult r = e.await();
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(r.step("use").output("seen").value()).isEqualTo(table.hex());
    assertThat(bodies.get()).isEqualTo(1);
    assertThat(entries("cbwait", id, "succeeded", "spark")).isEqualTo(1);
    assertThat(survivor.verify("cbwait", id).ok()).isTrue();
  }

  @Test
  void aResumedExecutionSkipsCompletedStepsAndTakesOverAfterTheLease() throws Exception {
    CountDownLatch stuck = new CountDownLatch(1);
    AtomicInteger secondRuns = new AtomicInteger();
    Pipeline p = Pipeline.builder("crash")
        .step(Step.task("first", ctx -> {
          count("first");
          ctx.artifact("out", utf8("first"));
        }).artifacts("out"))
        .step(Step.task("second", ctx -> {
          if (secondRuns.incrementAndGet() == 1) {
            stuck.countDown();
            Thread.sleep(Long.MAX_VALUE); // the "process" dies here
          }
          ctx.artifact("out", utf8("second"));
        }).reads("first.out").artifacts("out"))
        .build();
    Pipelines dying = pipelines(Duration.ofMillis(400));
    Execution e = dying.start(p, Map.of());
    assertThat(stuck.await(20, TimeUnit.SECONDS)).isTrue();
    dying.close(); // stops driving and renewing: its claim on 'second' lapses
    Pipelines survivor = pipelines(Duration.ofMillis(400));
    ExecutionResult r = survivor.resume(p, e.id()).await();
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(calls("first")).isEqualTo(1);
    assertThat(secondRuns.get()).isEqualTo(2);
    assertThat(survivor.verify("crash", e.id()).ok()).isTrue();
    assertThatThrownBy(() -> survivor.resume(p, e.id())).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already finished SUCCEEDED");
    assertThatThrownBy(() -> survivor.resume(p, "e-unknown")).isInstanceOf(NotFoundException.class)
        .hasMessageContaining("e-unknown");
    Pipeline other = Pipeline.builder("crash").step(Step.task("only", ctx -> { })).build();
    Execution fresh = survivor.start(other, Map.of());
    fresh.await();
  }

  @Test
  void twoDriversOnOneExecutionNeverRunAStepTwice() throws Exception {
    Map<String, AtomicInteger> concurrent = new ConcurrentHashMap<>();
    AtomicInteger overlap = new AtomicInteger();
    Pipeline.Builder b = Pipeline.builder("shared");
    for (int i = 0; i < 8; i++) {
      String name = "s" + i;
      Step.Builder s = Step.task(name, ctx -> {
        count(ctx.step());
        if (concurrent.computeIfAbsent(ctx.step(), k -> new AtomicInteger()).incrementAndGet() > 1) {
          overlap.incrementAndGet();
        }
        Thread.sleep(30);
        concurrent.get(ctx.step()).decrementAndGet();
        ctx.metric("v", 1);
      }).metrics("v").noCache();
      if (i >= 2) {
        s.reads("s" + (i - 2) + ".v");
      }
      b.step(s);
    }
    Pipeline p = b.build();
    Pipelines one = pipelines(Duration.ofSeconds(5));
    Execution e = one.start(p, Map.of());
    Execution again = pipelines(Duration.ofSeconds(5)).resume(p, e.id());
    ExecutionResult r1 = e.await();
    ExecutionResult r2 = again.await();
    assertThat(r1.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(r2).isEqualTo(r1);
    for (int i = 0; i < 8; i++) {
      assertThat(calls("s" + i)).as("runs of s" + i).isEqualTo(1);
    }
    assertThat(overlap.get()).isZero();
    assertThat(one.verify("shared", e.id()).ok()).isTrue();
  }

  @Test
  void parametersThatDoNotSerialiseAreRejectedNamingThemAndNothingIsStored() {
    Pipeline p = linear("params");
    Pipelines pl = pipelines();
    assertThatThrownBy(() -> pl.start(p, Map.of("region", "eu\ud800")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parameter 'region' does not serialise");
    java.util.HashMap<String, String> withNull = new java.util.HashMap<>();
    withNull.put("region", null);
    assertThatThrownBy(() -> pl.start(p, withNull))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parameter 'region' is null");
    assertThatThrownBy(() -> pl.start(p, Map.of("bad key", "x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parameter name 'bad key' is invalid");
    assertThat(pl.executions("params")).isEmpty();
  }

  @Test
  void verifyFindsAnAlteredEntryAndLaunchersCountRunningExecutions() {
    Pipelines pl = pipelines();
    ExecutionResult r = pl.run(linear("audit"), Map.of("region", "us"));
    Map<String, VerifyReport> all = pl.verifyAll("audit");
    assertThat(all).hasSize(1);
    assertThat(all.values()).allMatch(VerifyReport::ok);
    String key = ExecutionLog.prefix("audit", r.executionId()) + "/" + String.format("%020d", 3) + ".json";
    byte[] bytes = store.get(key).orElseThrow();
    store.delete(key);
    store.create(key, new String(bytes, StandardCharsets.UTF_8).replace("\"v\":1", "\"v\":2")
        .getBytes(StandardCharsets.UTF_8));
    VerifyReport broken = pl.verify("audit", r.executionId());
    assertThat(broken.ok()).isFalse();
    assertThat(broken.brokenKey()).contains(key);

    CountDownLatch release = new CountDownLatch(1);
    Pipeline slow = Pipeline.builder("slow").step(Step.task("wait", ctx -> release.await(20, TimeUnit.SECONDS))
        .noCache()).build();
    PipelineLauncher launcher = pl.launcher(slow);
    assertThat(launcher.pipelineName()).isEqualTo("slow");
    String id = launcher.start(Map.of("why", "drift"), "drift alarm on feature x");
    assertThat(launcher.runningExecutions()).isEqualTo(1);
    assertThat(pipelines().launcher(slow).runningExecutions()).isEqualTo(1);
    assertThat(pl.status("slow", id).cause()).isEqualTo("drift alarm on feature x");
    release.countDown();
    while (pl.status("slow", id).status() == ExecutionStatus.RUNNING) {
      Thread.onSpinWait();
    }
    while (launcher.runningExecutions() != 0) {
      Thread.onSpinWait();
    }
    // a process that died between the 'finished' entry and the index marker: the log still decides
    store.delete("pipelines/slow/index/finished/" + id);
    assertThat(launcher.runningExecutions()).isZero();
    assertThat(store.get("pipelines/slow/index/finished/" + id)).isPresent();
  }

  /**
   * A step followed by two uncached steps that depend on it alone starts both their runs on its
   * thread and claims both with its result; neither waits for the other's thread (a step's thread
   * goes on with the next step's body only when exactly one step follows it).
   */
  @Test
  @Timeout(60)
  void aStepFollowedByTwoStepsRunsBothAndTheirJoin() {
    Map<String, String> threads = new ConcurrentHashMap<>();
    Pipeline p = Pipeline.builder("fork")
        .step(Step.task("a", ctx -> ctx.output("v", "a")).parameters("v").noCache())
        .step(Step.task("b", ctx -> ctx.output("v", ctx.input("a.v").value() + "b")).reads("a.v").parameters("v").noCache())
        .step(Step.task("c", ctx -> ctx.output("v", ctx.input("a.v").value() + "c")).reads("a.v").parameters("v").noCache())
        .step(Step.task("d", ctx -> {
          threads.put("d", Thread.currentThread().getName());
          ctx.output("v", ctx.input("b.v").value() + ctx.input("c.v").value());
        }).reads("b.v", "c.v").parameters("v").noCache())
        .build();
    for (int i = 0; i < 5; i++) {
      ExecutionResult r = pipelines().run(p, Map.of());
      assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(r.step("d").output("v").value()).isEqualTo("abac");
      assertThat(pipelines().verify("fork", r.executionId()).ok()).isTrue();
    }
    assertThat(threads).containsKey("d");
  }

  /**
   * The runs of an execution's uncached task steps use run ids reserved when its first run
   * starts, whose search index start entries are one object: each step's run start writes only
   * its START. The ids of steps that never ran (here a branch a condition skipped) are released
   * when the driver stops, so search does not list them; every run that ran is listed.
   */
  @Test
  void stepRunsUseReservedIdsAndTheIdsOfSkippedStepsAreReleased() throws IOException {
    Pipeline p = Pipeline.builder("reserving")
        .step(Step.task("prepare", ctx -> ctx.output("v", "p")).parameters("v").noCache())
        .step(Step.task("train", ctx -> ctx.metric("auc", 0.4)).after("prepare").metrics("auc").noCache())
        .step(Step.condition("gate", QualityGates.metricAtLeast("train.auc", 0.9)).ifTrue("publish").ifFalse("report"))
        .step(Step.task("publish", ctx -> ctx.output("v", "published")).parameters("v").noCache())
        .step(Step.task("report", ctx -> ctx.output("v", "reported")).parameters("v").noCache())
        .build();
    ExecutionResult r = pipelines().run(p, Map.of());
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(r.step("publish").status()).isEqualTo(StepStatus.SKIPPED);
    List<String> ran = List.of(r.step("prepare").run().orElseThrow().value(), r.step("train").run().orElseThrow().value(),
        r.step("report").run().orElseThrow().value());
    List<String> starts = indexEntries("pipeline.reserving", "start");
    // four uncached task steps: four ids reserved in one start entry object; three ran, one released
    assertThat(starts).hasSize(4).containsAll(ran);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<String> released = indexEntries("pipeline.reserving", "released");
    while (released.isEmpty() && System.nanoTime() < deadline) {
      sleepQuietly(); // on a store with latency the released entry is stored within a second (or at close)
      released = indexEntries("pipeline.reserving", "released");
    }
    assertThat(released).hasSize(1).doesNotContainAnyElementsOf(ran);
    assertThat(starts).containsAll(released);
    ObjectStore shared = new dev.mlops.spi.ForwardingObjectStore(store) {
      @Override
      public void close() {
        // the test's store outlives this view
      }
    };
    try (Workspace other = Mlops.open(URI.create("kit:other"), shared)) {
      assertThat(other.experiments().search(dev.mlops.RunQuery.builder().experiment("pipeline.reserving").build()).runs())
          .extracting(run -> run.id().value()).containsExactlyInAnyOrderElementsOf(ran);
      assertThat(other.experiments().verifyIndex().ok()).isTrue();
    }
  }

  /** @return the runs named by the experiment's search-index entries of a kind, in key order */
  private List<String> indexEntries(String experiment, String kind) throws IOException {
    List<String> runs = new ArrayList<>();
    for (String key : store.listAll("experiments/search/" + experiment + "/entries/").toList()) {
      com.fasterxml.jackson.databind.JsonNode n = dev.mlops.core.internal.Json.MAPPER.readTree(store.get(key).orElseThrow());
      for (com.fasterxml.jackson.databind.JsonNode e : n.has("entries") ? n.path("entries") : List.of(n)) {
        if (e.path("kind").asText().equals(kind)) {
          runs.add(e.path("run").asText());
        }
      }
    }
    return runs;
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aChainCommitsEachResultAndTheNextClaimInOneEntry() throws IOException {
    ExecutionResult r = pipelines().run(linear("chain"), Map.of("region", "eu"));
    assertThat(r.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    String prefix = ExecutionLog.prefix("chain", r.executionId()) + "/";
    List<String> types = new ArrayList<>();
    List<String> claimed = new ArrayList<>();
    for (String key : store.listAll(prefix).toList()) {
      com.fasterxml.jackson.databind.JsonNode entry = dev.mlops.core.internal.Json.MAPPER.readTree(store.get(key).orElseThrow());
      types.add(entry.path("type").asText());
      entry.path("claims").forEach(c -> claimed.add(c.path("step").asText()));
    }
    // started + claim prepare, succeeded prepare + claim train, succeeded train + claim evaluate,
    // succeeded evaluate, finished: three appends fewer than a claim entry per step
    assertThat(types).containsExactly("started", "succeeded", "succeeded", "succeeded", "finished");
    assertThat(claimed).containsExactly("prepare", "train", "evaluate");
    assertThat(pipelines().verify("chain", r.executionId()).ok()).isTrue();
    assertThat(r.step("evaluate").run()).isPresent();
    assertThat(ws.experiments().getRun(r.step("evaluate").run().orElseThrow()).tags())
        .containsEntry("pipeline.attempt", "1").containsEntry("pipeline.step", "evaluate");
  }

  /**
   * An interrupted step's thread ends its run (FAILED) as it stops; {@code close()} waits for it,
   * so nothing lands in the store after {@code close()} returns (a caller may delete the store
   * then: CI once failed deleting a temp directory such a late write went into).
   */
  @Test
  void closeReturnsOnlyAfterTheInterruptedStepsHaveStoppedWriting() throws Exception {
    Pipelines pl = pipelines();
    CountDownLatch running = new CountDownLatch(1);
    AtomicReference<dev.mlops.RunId> run = new AtomicReference<>();
    Pipeline slow = Pipeline.builder("late").step(Step.task("wait", ctx -> {
      run.set(ctx.run().id());
      running.countDown();
      try {
        new CountDownLatch(1).await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300); // slow clean-up
        while (System.nanoTime() < until) {
          Thread.onSpinWait();
        }
        throw e;
      }
    }).noCache()).build();
    pl.launcher(slow).start(Map.of(), "test");
    assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
    pl.close();
    List<String> atClose = store.listAll("").toList();
    assertThat(ws.experiments().getRun(run.get()).status()).isEqualTo(RunStatus.FAILED);
    Thread.sleep(500);
    assertThat(store.listAll("").toList()).isEqualTo(atClose);
  }

  @Test
  void aSucceededEntryWhoseClaimsAreMalformedIsCorruptDataNamingIt() {
    Pipelines pl = pipelines();
    CountDownLatch release = new CountDownLatch(1);
    Pipeline slow = Pipeline.builder("bad").step(Step.task("wait", ctx -> release.await(20, TimeUnit.SECONDS))
        .noCache()).build();
    String id = pl.launcher(slow).start(Map.of(), "test");
    ExecutionLog log = new ExecutionLog(store, "bad", id);
    ExecutionLog.State s;
    do {
      s = log.refresh();
    } while (s.steps.get("wait") == null);
    pl.close();
    release.countDown();
    s = log.refresh();
    com.fasterxml.jackson.databind.node.ObjectNode e = ExecutionLog.entry("succeeded");
    e.put("step", "wait");
    e.put("claim", s.steps.get("wait").claim);
    e.putObject("outputs");
    e.putArray("claims").addObject().put("claim", "0123");
    dev.mlops.core.internal.HashChainedLog.Entry written = log.chain().append(s.seq, s.hash, e);
    assertThatThrownBy(() -> new ExecutionLog(store, "bad", id).refresh())
        .isInstanceOf(dev.mlops.CorruptDataException.class).hasMessageContaining(written.key())
        .hasMessageContaining("step");
  }

  /**
   * A step's END entry and its success are written at the same time: a process that stops after
   * the success is durable but before the END leaves the run RUNNING. Resume ends it.
   */
  @Test
  void aResumeEndsTheRunOfAStepWhoseSuccessIsLoggedButWhoseRunDidNotEnd() {
    Pipelines dying = pipelines(Duration.ofMillis(300));
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger firstRuns = new AtomicInteger();
    Pipeline p = Pipeline.builder("orphan")
        .step(Step.task("first", ctx -> {
          firstRuns.incrementAndGet();
          release.await(20, TimeUnit.SECONDS);
          ctx.output("v", "x");
        }).parameters("v").noCache())
        .step(Step.task("second", ctx -> ctx.output("v", ctx.input("first.v").value() + "y"))
            .reads("first.v").parameters("v").noCache())
        .build();
    String id = dying.launcher(p).start(Map.of(), "test");
    ExecutionLog log = new ExecutionLog(store, "orphan", id);
    while (firstRuns.get() == 0) {
      Thread.onSpinWait(); // the body runs (so its claim is in the log)
    }
    dying.close();
    release.countDown();
    ExecutionLog.State s;
    // what a process leaves when it stops right after appending the success, before the END
    dev.mlops.Run run = ws.experiments().startRun("pipeline.orphan", "first", Map.of(),
        Map.of("pipeline", "orphan", "pipeline.execution", id, "pipeline.step", "first", "pipeline.attempt", "1"));
    s = log.refresh();
    com.fasterxml.jackson.databind.node.ObjectNode e = ExecutionLog.entry("succeeded");
    e.put("step", "first");
    e.put("claim", s.steps.get("first").claim);
    e.put("attempt", 1);
    e.put("run", run.id().value());
    e.set("outputs", ExecutionLog.writeOutputs(Map.of("v", new OutputValue(OutputKind.PARAMETER, "x"))));
    log.chain().append(s.seq, s.hash, e);
    assertThat(ws.experiments().getRun(run.id()).status()).isEqualTo(dev.mlops.RunStatus.RUNNING);

    ExecutionResult r = pipelines(Duration.ofMillis(300)).resume(p, id).await();
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(r.step("second").output("v").value()).isEqualTo("xy");
    assertThat(firstRuns.get()).isEqualTo(1);
    assertThat(ws.experiments().getRun(run.id()).status()).isEqualTo(dev.mlops.RunStatus.FINISHED);
    assertThat(ws.experiments().getRun(r.step("second").run().orElseThrow()).status())
        .isEqualTo(dev.mlops.RunStatus.FINISHED);
  }

  /**
   * The task steps that depend on nothing are claimed in the execution's {@code started} entry,
   * and the runs of the uncached ones start while it is written. When that entry does not get into
   * the store, start throws, the run that started is ended KILLED (never left RUNNING), no body
   * runs, and no execution is listed (its marker names one that never started).
   */
  @Test
  void aRunStartedBesideAStartedEntryThatDidNotGetIntoTheStoreIsEndedKilled() throws Exception {
    ObjectStore failing = refusingOnceARunStarted("unstarted", text -> {
      if (!text.contains("\"type\":\"started\"")) {
        return false;
      }
      assertThat(text).contains("\"claims\"");
      return true;
    });
    AtomicInteger bodies = new AtomicInteger();
    Pipeline p = Pipeline.builder("unstarted")
        .step(Step.task("fresh", ctx -> {
          bodies.incrementAndGet();
          ctx.output("v", "x");
        }).parameters("v").noCache())
        .step(Step.task("cached", ctx -> {
          bodies.incrementAndGet();
          ctx.output("v", "y");
        }).parameters("v"))
        .build();
    try (Workspace view = Mlops.open(URI.create("kit:failing"), failing);
        Pipelines pl = Pipelines.builder(view).lease(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(10)).build()) {
      assertThatThrownBy(() -> pl.start(p, Map.of())).isInstanceOf(dev.mlops.StorageException.class)
          .hasMessageContaining("injected");
    }
    List<RunInfo> runs = runsOf("pipeline.unstarted");
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!runs.stream().allMatch(r -> r.status().terminal()) && System.nanoTime() < until) {
      Thread.sleep(5); // the run is ended KILLED once its start returns
      runs = runsOf("pipeline.unstarted");
    }
    // the uncached step's run starts deferred (nothing stored until it ends): if its start had
    // returned when the entry was refused, it is stored ended KILLED; if not, it never starts
    assertThat(runs).as("at most one run: the cached step's run starts only in its attempt").hasSizeLessThanOrEqualTo(1);
    assertThat(runs).allSatisfy(r -> assertThat(r.tags()).containsEntry("pipeline.step", "fresh"));
    assertThat(runs).extracting(RunInfo::status).containsOnly(RunStatus.KILLED);
    assertThat(bodies.get()).isZero();
    assertThat(pipelines().executions("unstarted")).isEmpty();
    assertThat(pipelines().runningExecutions("unstarted")).isZero();
  }

  /**
   * An uncached task step's run starts deferred and is stored as one entry with its end, at the
   * same time as the step's success is appended. A process that stops between the two (here: its
   * store refuses every write of that run, as if it had died) leaves a success naming a run that
   * is not in the store; the resume stores that run, ended FINISHED, with the step's name, params,
   * tags and the metric it had recorded, and does not run the step again.
   */
  @Test
  void aRunWhoseSuccessGotIntoTheLogButNotItselfIsRestoredOnResume() throws Exception {
    AtomicInteger refused = new AtomicInteger();
    ObjectStore failing = new dev.mlops.spi.ForwardingObjectStore(store) {
      @Override
      public void create(String key, byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (key.startsWith("runs/") && text.contains("\"pipeline.step\":\"a\"")) {
          refused.incrementAndGet();
          throw new dev.mlops.StorageException("injected: the disk refused " + key);
        }
        super.create(key, bytes);
      }

      @Override
      public void close() {
        // the test's store outlives this view
      }
    };
    AtomicInteger bodies = new AtomicInteger();
    Pipeline p = Pipeline.builder("restored")
        .step(Step.task("a", ctx -> {
          bodies.incrementAndGet();
          ctx.metric("m", 0.75);
        }).metrics("m").noCache())
        .step(Step.task("b", ctx -> ctx.output("v", "x")).after("a").parameters("v").noCache())
        .build();
    String id;
    Workspace view = Mlops.open(URI.create("kit:failing"), failing);
    try (Pipelines pl = Pipelines.builder(view).lease(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(10))
        .build()) {
      id = pl.launcher(p).start(Map.of("lr", "0.1"), "test");
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (refused.get() < 2 && System.nanoTime() < until) {
        Thread.sleep(5); // the step's own write of its run, then the driver's before it finishes
      }
      assertThat(refused.get()).isGreaterThanOrEqualTo(2);
    }
    assertThatThrownBy(view::close).hasMessageContaining("injected"); // it still holds the run, unstored
    ExecutionLog.StepState a = new ExecutionLog(store, "restored", id).refresh().steps.get("a");
    assertThat(a.status).as("a's success is in the log").isEqualTo(StepStatus.SUCCEEDED);
    assertThat(ws.experiments().findRun(RunId.of(a.run))).as("but its run is not in the store").isEmpty();

    ExecutionResult r = pipelines(Duration.ofMillis(300)).resume(p, id).await();
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(bodies.get()).as("a is not run again").isEqualTo(1);
    RunInfo run = ws.experiments().getRun(r.step("a").run().orElseThrow());
    assertThat(run.id().value()).isEqualTo(a.run);
    assertThat(run.status()).isEqualTo(RunStatus.FINISHED);
    assertThat(run.name()).isEqualTo("a");
    assertThat(run.params()).containsEntry("lr", "0.1");
    assertThat(run.tags()).containsEntry("pipeline.step", "a").containsEntry("pipeline.execution", id)
        .containsEntry("pipeline.attempt", "1");
    assertThat(run.latestMetrics()).containsEntry("m", 0.75);
    assertThat(run.statusReason()).hasValueSatisfying(why -> assertThat(why).contains("restored"));
    assertThat(ws.experiments().getRun(r.step("b").run().orElseThrow()).status()).isEqualTo(RunStatus.FINISHED);
    assertThat(ws.experiments().verify(run.id()).ok()).isTrue();
    assertThat(pipelines().verify("restored", id).ok()).isTrue();
  }

  /**
   * The run of a pending step claimed on its own (a {@code claimed} entry: here the step after a
   * condition) starts while that entry is appended, as for a step claimed with a success. When
   * the entry does not get into the log, the run that started is ended KILLED, never left
   * RUNNING, and a resume runs the step in a run of its own.
   */
  @Test
  void aRunStartedBesideAFirstClaimThatDidNotGetIntoTheLogIsEndedKilled() throws Exception {
    AtomicInteger failures = new AtomicInteger(1);
    ObjectStore failing = refusingOnceARunStarted("rootless",
        text -> text.contains("\"type\":\"claimed\"") && failures.getAndDecrement() > 0);
    AtomicInteger bodies = new AtomicInteger();
    Pipeline p = Pipeline.builder("rootless")
        .step(Step.condition("gate", ctx -> new Decision(true, "always")).ifTrue("only"))
        .step(Step.task("only", ctx -> {
          bodies.incrementAndGet();
          ctx.output("v", "x");
        }).after("gate").parameters("v").noCache())
        .build();
    String id = startUntilRefused(failing, p, failures, started -> { });
    List<RunInfo> early = runsOf("pipeline.rootless");
    assertThat(early).as("the run started beside the refused claim").isNotEmpty();
    assertThat(early).extracting(RunInfo::status).allMatch(RunStatus::terminal);

    ExecutionResult r = pipelines(Duration.ofMillis(300)).resume(p, id).await();
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    RunInfo only = ws.experiments().getRun(r.step("only").run().orElseThrow());
    assertThat(only.status()).isEqualTo(RunStatus.FINISHED);
    assertThat(early).extracting(RunInfo::id).doesNotContain(only.id());
    assertThat(bodies.get()).isEqualTo(1);
    assertThat(pipelines().verify("rootless", id).ok()).isTrue();
  }

  /**
   * The run of a step claimed in a {@code succeeded} entry starts while that entry is appended
   * (its body waits for it). When the entry does not get into the log, the run that started is
   * ended KILLED, never left RUNNING, and a resume runs the step in a run of its own.
   */
  @Test
  void aRunStartedBesideAClaimThatDidNotGetIntoTheLogIsEndedKilled() throws Exception {
    AtomicInteger failures = new AtomicInteger(1);
    ObjectStore failing = new dev.mlops.spi.ForwardingObjectStore(store) {
      @Override
      public void create(String key, byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (key.startsWith("pipelines/claimless/executions/") && text.contains("\"type\":\"succeeded\"")
            && text.contains("\"claims\"") && failures.getAndDecrement() > 0) {
          throw new dev.mlops.StorageException("injected: the disk refused the entry " + key);
        }
        super.create(key, bytes);
      }

      @Override
      public void close() {
        // the test's store outlives this view
      }
    };
    Pipeline p = Pipeline.builder("claimless")
        .step(Step.task("first", ctx -> ctx.output("v", "x")).parameters("v").noCache())
        .step(Step.task("second", ctx -> ctx.output("v", ctx.input("first.v").value() + "y"))
            .reads("first.v").parameters("v").noCache())
        .build();
    String id = startUntilRefused(failing, p, failures,
        started -> assertThat(new ExecutionLog(store, "claimless", started).refresh().steps.get("second")).isNull());
    List<RunInfo> secondRuns = new ArrayList<>();
    for (RunInfo run : runsOf("pipeline.claimless")) {
      if ("second".equals(run.tags().get("pipeline.step"))) {
        secondRuns.add(run);
      }
    }
    assertThat(secondRuns).extracting(RunInfo::status).allMatch(RunStatus::terminal);

    ExecutionResult r = pipelines(Duration.ofMillis(300)).resume(p, id).await();
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(r.step("second").output("v").value()).isEqualTo("xy");
    RunInfo second = ws.experiments().getRun(r.step("second").run().orElseThrow());
    assertThat(second.status()).isEqualTo(RunStatus.FINISHED);
    assertThat(secondRuns).extracting(RunInfo::id).doesNotContain(second.id());
    assertThat(pipelines().verify("claimless", id).ok()).isTrue();
  }

  /**
   * The run of a step that can only follow one other is started on that step's thread as it
   * finishes, before the driver appends its result with the claims. Here the step finishes after
   * the execution has failed (another branch) and its driver has stopped: no run of the step that
   * never ran may be left RUNNING.
   */
  @Test
  void noRunIsLeftRunningForAStepThatFollowsOneFinishingAfterTheExecutionFailed() throws Exception {
    java.util.concurrent.atomic.AtomicReference<String> execution = new java.util.concurrent.atomic.AtomicReference<>();
    Pipeline p = Pipeline.builder("ahead")
        .step(Step.task("broken", ctx -> {
          throw new IllegalStateException("broken on purpose");
        }).noCache())
        .step(Step.task("slow", ctx -> {
          // ignores the interrupt of the failing execution: returns once the execution has finished
          long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
          while (System.nanoTime() < until) {
            String id = execution.get();
            if (id != null && new ExecutionLog(store, "ahead", id).refresh().finished()) {
              break;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
          }
          ctx.output("v", "x");
        }).parameters("v").noCache())
        .step(Step.task("after", ctx -> ctx.output("v", "y")).reads("slow.v").parameters("v").noCache())
        .build();
    try (Pipelines pl = pipelines(Duration.ofSeconds(30))) {
      Execution started = pl.start(p, Map.of());
      execution.set(started.id());
      ExecutionResult r = started.await();
      assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.FAILED);
      assertThat(r.reason()).contains("broken on purpose");
    } // close() waits for the body of "slow" to return
    List<RunInfo> afterRuns = new ArrayList<>();
    for (RunInfo run : runsOf("pipeline.ahead")) {
      if ("after".equals(run.tags().get("pipeline.step"))) {
        afterRuns.add(run);
      }
    }
    assertThat(afterRuns).as("runs of the step that never ran").extracting(RunInfo::status)
        .allMatch(RunStatus::terminal);
  }

  /**
   * A cached step stores its result before its success is appended: a process that stops between
   * the two leaves the result and a RUNNING run. The resumed step takes the result from the cache
   * (its own execution's) and names that run in its success; the run must not stay RUNNING.
   */
  @Test
  void aResumedStepServedFromItsOwnCachedResultEndsTheRunThatResultNames() throws Exception {
    Pipelines dying = pipelines(Duration.ofMillis(300));
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger firstRuns = new AtomicInteger();
    Pipeline p = Pipeline.builder("orphanhit")
        .step(Step.task("first", ctx -> {
          firstRuns.incrementAndGet();
          release.await(20, TimeUnit.SECONDS);
          ctx.output("v", "x");
        }).parameters("v"))
        .step(Step.task("second", ctx -> ctx.output("v", ctx.input("first.v").value() + "y"))
            .reads("first.v").parameters("v").noCache())
        .build();
    String id = dying.launcher(p).start(Map.of(), "test");
    while (firstRuns.get() == 0) {
      Thread.onSpinWait(); // the body runs: its claims (log and cache epoch 1) are stored
    }
    dying.close();
    release.countDown();
    // what a process leaves when it stops right after storing the cache result, before the END
    // and the success: a RUNNING run and the result naming it
    dev.mlops.Run run = ws.experiments().startRun("pipeline.orphanhit", "first", Map.of(),
        Map.of("pipeline", "orphanhit", "pipeline.execution", id, "pipeline.step", "first", "pipeline.attempt", "1"));
    String key = StepCache.key("orphanhit", "first", CodeVersion.of(p.step("first")), Map.of(), Map.of(),
        java.util.Optional.empty());
    dying.cache.publish(key, 1, Map.of("v", new OutputValue(OutputKind.PARAMETER, "x")), id, run.id().value());

    Pipelines survivor = pipelines(Duration.ofMillis(300));
    ExecutionResult r = survivor.resume(p, id).await();
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(firstRuns.get()).isEqualTo(1);
    assertThat(r.step("first").cacheHit()).isTrue();
    assertThat(r.step("first").run()).contains(run.id());
    assertThat(ws.experiments().getRun(run.id()).status()).as("the run the success names")
        .isEqualTo(RunStatus.FINISHED);
    assertThat(survivor.verify("orphanhit", id).ok()).isTrue();
  }

  /** What {@code start} writes as the log's first entry, for tests that build crash states by hand. */
  private static com.fasterxml.jackson.databind.node.ObjectNode startedEntry(Pipeline p) {
    com.fasterxml.jackson.databind.node.ObjectNode started = ExecutionLog.entry("started");
    started.put("pipeline", p.name());
    started.put("fingerprint", p.fingerprint());
    started.put("cause", "test");
    started.put("at", 0L);
    started.put("owner", "gone");
    started.putObject("parameters");
    return started;
  }

  /**
   * A process killed inside {@code start} after the execution's {@code started} marker, before the
   * log's first entry, leaves a marker without a log: an execution that never started. Listings
   * skip it, it does not count as running, it is not damage to {@code verify}, and {@code resume}
   * and {@code status} say that it never started, naming it.
   */
  @Test
  void anExecutionWhoseFirstEntryAppearsWhileItIsCountedCountsAsRunning() throws Exception {
    // another process's start() is between its marker and its log's first entry when the count
    // lists the log, and past it when the count looks again: running, not damage
    CountDownLatch release = new CountDownLatch(1);
    Pipeline p = Pipeline.builder("between").step(Step.task("hold", ctx -> {
      release.await();
      ctx.output("v", "x");
    }).parameters("v").noCache()).build();
    try (Pipelines running = pipelines(Duration.ofSeconds(30))) {
      Execution e = running.start(p, Map.of());
      String logPrefix = ExecutionLog.prefix("between", e.id());
      java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
      ObjectStore late = new dev.mlops.spi.ForwardingObjectStore(store) {
        @Override
        public dev.mlops.spi.ListPage list(String prefix, String startAfter, int limit) {
          if (prefix.startsWith(logPrefix) && first.compareAndSet(true, false)) {
            return new dev.mlops.spi.ListPage(List.of(), false); // the first entry was not there yet
          }
          return super.list(prefix, startAfter, limit);
        }

        @Override
        public void close() {
          // the test's store outlives this view
        }
      };
      try (Workspace view = Mlops.open(URI.create("kit:late"), late);
          Pipelines counting = Pipelines.builder(view).build()) {
        assertThat(counting.runningExecutions("between")).isEqualTo(1);
        assertThat(first.get()).as("the log was listed").isFalse();
      } finally {
        release.countDown();
      }
      assertThat(e.await().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    }
  }

  @Test
  void aMarkerWithoutALogIsAnExecutionThatNeverStarted() {
    Pipeline p = Pipeline.builder("cutoff").step(Step.task("only", ctx -> ctx.output("v", "x")).parameters("v")).build();
    Pipelines pl = pipelines();
    String done = pl.run(p, Map.of()).executionId();
    String cut = "e20260101T000000-000000000001";
    store.create(Pipelines.indexKey("cutoff", "started", cut), new byte[0]);
    assertThat(pl.executions("cutoff")).containsExactly(done);
    assertThat(pl.runningExecutions("cutoff")).isZero();
    assertThat(pl.verifyAll("cutoff")).containsOnlyKeys(done);
    assertThat(pl.verifyAll("cutoff").values()).allMatch(VerifyReport::ok);
    assertThat(pl.verify("cutoff", cut).ok()).isTrue();
    assertThatThrownBy(() -> pl.resume(p, cut)).isInstanceOf(NotFoundException.class)
        .hasMessageContaining(cut).hasMessageContaining("never started");
    assertThatThrownBy(() -> pl.status("cutoff", cut)).isInstanceOf(NotFoundException.class)
        .hasMessageContaining(cut).hasMessageContaining("never started");
    assertThat(pl.verify("cutoff", "e20260101T000000-000000000002").ok()).as("no marker, no log").isFalse();
  }

  /**
   * {@code start} writes the {@code started} marker before the log's first entry: a start that
   * fails at either write leaves no log that the listings do not show.
   */
  @Test
  void aStartCutOffAtEitherWriteLeavesNoUnlistedLog() {
    Pipeline p = Pipeline.builder("cutstart").step(Step.task("only", ctx -> ctx.output("v", "x")).parameters("v")).build();
    for (String refused : List.of("/index/started/", "/log/")) {
      ObjectStore failing = new dev.mlops.spi.ForwardingObjectStore(store) {
        @Override
        public void create(String key, byte[] bytes) {
          if (key.startsWith("pipelines/cutstart/") && key.contains(refused)) {
            throw new dev.mlops.StorageException("injected: killed before " + key);
          }
          super.create(key, bytes);
        }

        @Override
        public void close() {
          // the test's store outlives this view
        }
      };
      try (Workspace view = Mlops.open(URI.create("kit:failing"), failing);
          Pipelines pl = Pipelines.builder(view).seed(7).build()) {
        assertThatThrownBy(() -> pl.start(p, Map.of())).hasMessageContaining("injected");
      }
      List<String> logs = store.listAll("pipelines/cutstart/executions/").toList();
      for (String key : logs) {
        String id = key.substring("pipelines/cutstart/executions/".length(), key.indexOf("/log/"));
        assertThat(pipelines().executions("cutstart")).as("the execution of " + key + " is listed").contains(id);
      }
      assertThat(pipelines().executions("cutstart")).isEmpty();
      assertThat(pipelines().runningExecutions("cutstart")).isZero();
      assertThat(pipelines().verifyAll("cutstart")).isEmpty();
    }
  }

  /**
   * A store written by an earlier version may hold an execution whose process was killed inside
   * {@code start} after the log's first entry, before its marker. {@code verifyAll} finds it (it
   * scans the logs), reports it clean and writes its marker; from then on the listings show it,
   * it counts as running (no process drives it) and a resume finishes it.
   */
  @Test
  void aLogWithoutAMarkerFromAnOlderStoreIsFoundByVerifyAllAndThenListed() {
    Pipeline p = Pipeline.builder("oldstore").step(Step.task("only", ctx -> ctx.output("v", "x")).parameters("v")).build();
    Pipelines pl = pipelines();
    String done = pl.run(p, Map.of()).executionId();
    String old = "e20200101T000000-00000000000a";
    new ExecutionLog(store, "oldstore", old).create(startedEntry(p));
    Map<String, VerifyReport> all = pl.verifyAll("oldstore");
    assertThat(all).containsOnlyKeys(old, done);
    assertThat(all.values()).allMatch(VerifyReport::ok);
    assertThat(List.copyOf(all.keySet())).containsExactly(old, done); // oldest first
    assertThat(pl.executions("oldstore")).containsExactly(old, done);
    assertThat(pl.runningExecutions("oldstore")).isEqualTo(1);
    ExecutionResult r = pl.resume(p, old).await();
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(pl.runningExecutions("oldstore")).isZero();
  }

  /** A resume of an execution these pipelines drive already returns its handle: no second driver. */
  @Test
  void resumingAnExecutionThisInstanceDrivesReturnsItsHandle() throws Exception {
    Pipelines pl = pipelines();
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger bodies = new AtomicInteger();
    Pipeline p = Pipeline.builder("twice").step(Step.task("wait", ctx -> {
      bodies.incrementAndGet();
      release.await(20, TimeUnit.SECONDS);
    }).noCache()).build();
    Execution first = pl.start(p, Map.of());
    while (bodies.get() == 0) {
      Thread.onSpinWait();
    }
    Execution again = pl.resume(p, first.id());
    assertThat(again).isSameAs(first);
    assertThat(pl.driving()).containsExactly(first.id());
    release.countDown();
    assertThat(again.await().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(bodies.get()).isEqualTo(1);
  }

  /** A clock the test moves. */
  static final class MutableTestClock extends Clock {
    private volatile Instant now;

    MutableTestClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

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

  /**
   * Every run of the experiment, found from the run logs in the store (not from the experiment's
   * listing, which the code under test writes): what a test checks for runs left RUNNING.
   */
  private List<RunInfo> runsOf(String experiment) {
    List<RunInfo> out = new ArrayList<>();
    store.listAll("runs/").map(k -> k.split("/")[1]).distinct().forEach(id ->
        ws.experiments().findRun(dev.mlops.RunId.of(id)).filter(r -> r.experiment().equals(experiment))
            .ifPresent(out::add));
    return out;
  }

  /**
   * A view of the store that refuses each entry of pipeline {@code pipeline}'s execution logs whose
   * text {@code refuse} accepts, once a run of that pipeline has its START (so a test sees the run
   * started beside the refused entry ended); closing it leaves the store open.
   */
  private ObjectStore refusingOnceARunStarted(String pipeline, java.util.function.Predicate<String> refuse) {
    CountDownLatch runStarted = new CountDownLatch(1);
    return new dev.mlops.spi.ForwardingObjectStore(store) {
      @Override
      public void create(String key, byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (key.startsWith("pipelines/" + pipeline + "/executions/") && refuse.test(text)) {
          try {
            assertThat(runStarted.await(10, TimeUnit.SECONDS)).as("a run started beside the refused entry").isTrue();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          throw new dev.mlops.StorageException("injected: the disk refused the entry " + key);
        }
        super.create(key, bytes);
        // a run's START (or its search index start entry, stored before a run started deferred,
        // which writes nothing until its end, can start)
        if (key.startsWith("runs/") && text.contains("\"START\"") && text.contains("pipeline." + pipeline)
            || key.startsWith("experiments/search/pipeline." + pipeline + "/")) {
          runStarted.countDown();
        }
      }

      @Override
      public void close() {
        // the test's store outlives this view
      }
    };
  }

  /**
   * Starts an execution of {@code p} through {@code failing}, a view of the store that refuses
   * writes while {@code failures} is positive; waits until the refusal happened, calls
   * {@code whileOpen} with the execution's id, and closes the view's pipelines (the execution
   * stays unfinished, for a resume).
   */
  private String startUntilRefused(ObjectStore failing, Pipeline p, AtomicInteger failures,
      java.util.function.Consumer<String> whileOpen) throws InterruptedException {
    try (Workspace view = Mlops.open(URI.create("kit:failing"), failing);
        Pipelines pl = Pipelines.builder(view).lease(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(10))
            .seed(7).build()) {
      String id = pl.launcher(p).start(Map.of(), "test");
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (failures.get() > 0 && System.nanoTime() < until) {
        Thread.sleep(5);
      }
      assertThat(failures.get()).as("the claiming entry was attempted").isLessThanOrEqualTo(0);
      whileOpen.accept(id);
      return id;
    }
  }
}
