package dev.mlops.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.core.MemObjectStore;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bad inputs at their edges, on {@code mem:}: bodies and conditions that throw
 * errors (not just exceptions), map items whose outputs cannot be stored one per line, parameters
 * at and beyond the size limit and with control and non-BMP characters, names at the length
 * limit, many roots on a host's small executor (bounded threads, bounded queue), and a long chain.
 * Each bad input is a clear exception or a failure recorded against the step, and the execution
 * log stays verifiable.
 *
 * <p>Not thread-safe (one instance per test).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipelineBadInputTest {
  private Workspace ws;
  private final List<Pipelines> opened = new ArrayList<>();
  private final List<ExecutorService> executors = new ArrayList<>();

  @BeforeEach
  void open() {
    ws = Mlops.open(URI.create("mem:bad-input"), new MemObjectStore());
  }

  @AfterEach
  void close() {
    opened.forEach(Pipelines::close);
    executors.forEach(ExecutorService::shutdownNow);
    ws.close();
  }

  private Pipelines pipelines() {
    return pipelines(null);
  }

  private Pipelines pipelines(ExecutorService executor) {
    Pipelines.Builder b = Pipelines.builder(ws).pollInterval(Duration.ofMillis(5)).seed(3);
    if (executor != null) {
      executors.add(executor);
      b.executor(executor);
    }
    Pipelines p = b.build();
    opened.add(p);
    return p;
  }

  private static int recurse(int n) {
    return recurse(n + 1) + 1;
  }

  @Test
  void aConditionThatThrowsAnErrorIsAFailureRecordedAgainstIt() {
    for (Throwable error : List.<Throwable>of(new AssertionError("gate broke"), new StackOverflowError())) {
      Pipeline p = Pipeline.builder("gate-" + error.getClass().getSimpleName())
          .step(Step.task("a", ctx -> ctx.metric("x", 1)).metrics("x"))
          .step(Step.condition("gate", ctx -> {
            if (error instanceof StackOverflowError) {
              recurse(0);
            }
            throw (AssertionError) error;
          }).after("a").ifTrue("b"))
          .step(Step.task("b", ctx -> { }))
          .build();
      Pipelines pl = pipelines();
      ExecutionResult r = pl.run(p, Map.of());
      assertThat(r.status()).as(error.toString()).isEqualTo(ExecutionStatus.FAILED);
      assertThat(r.step("gate").status()).isEqualTo(StepStatus.FAILED);
      assertThat(r.step("gate").reason()).contains("step 'gate'").contains(error.getClass().getName());
      assertThat(pl.verify(p.name(), r.executionId()).ok()).isTrue();
      assertThat(pl.runningExecutions(p.name())).isZero();
    }
  }

  @Test
  void bodiesThatThrowCheckedUncheckedOrErrorsAreFailuresRecordedAgainstTheStep() {
    List<StepBody> bodies = List.of(
        ctx -> {
          throw new IOException("disk gone");
        },
        ctx -> {
          throw new IllegalStateException("bad state");
        },
        ctx -> recurse(0),
        ctx -> {
          throw new OutOfMemoryError("pretend heap is full");
        },
        ctx -> {
          throw new Error("plain error");
        },
        ctx -> ctx.output("p", null),
        ctx -> ctx.metric("m", Double.NaN));
    int n = 0;
    for (StepBody body : bodies) {
      Pipeline p = Pipeline.builder("throws" + (++n))
          .step(Step.task("ok", ctx -> ctx.output("v", "kept")).parameters("v"))
          .step(Step.task("bad", body).after("ok").parameters("p").metrics("m"))
          .build();
      Pipelines pl = pipelines();
      ExecutionResult r = pl.run(p, Map.of());
      assertThat(r.status()).as("body %d", n).isEqualTo(ExecutionStatus.FAILED);
      assertThat(r.step("bad").status()).isEqualTo(StepStatus.FAILED);
      assertThat(r.step("bad").reason()).as("body %d", n).contains("step 'bad'");
      assertThat(r.step("ok").output("v").value()).isEqualTo("kept"); // nothing committed is lost
      assertThat(pl.verify(p.name(), r.executionId()).ok()).isTrue();
    }
  }

  @Test
  void aMetricThatIsNotFiniteIsNamedWithItsStepAndOutput() {
    Pipeline p = Pipeline.builder("nan")
        .step(Step.task("score", ctx -> ctx.metric("auc", Double.POSITIVE_INFINITY)).metrics("auc"))
        .build();
    ExecutionResult r = pipelines().run(p, Map.of());
    assertThat(r.step("score").reason()).contains("step 'score'").contains("output 'auc'").contains("Infinity");
  }

  /** A map's LIST output stores one value per line: a value with a line break would split, an empty one vanish. */
  @Test
  void mapItemOutputsThatCannotBeStoredOnePerLineFailNamingTheItem() {
    Pipeline twoLines = Pipeline.builder("lines")
        .step(Step.map("m", List.of("a", "b"), ctx -> ctx.output("z", ctx.item().orElseThrow() + "\nmore")).parameters("z"))
        .build();
    ExecutionResult r = pipelines().run(twoLines, Map.of());
    assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(r.reason()).contains("m[").contains("output 'z'").contains("line break");

    Pipeline empty = Pipeline.builder("empty")
        .step(Step.map("m", List.of("a"), ctx -> ctx.output("z", "")).parameters("z"))
        .step(Step.task("count", ctx -> ctx.output("n", Integer.toString(ctx.input("m.z").list().size())))
            .reads("m.z").parameters("n"))
        .build();
    ExecutionResult e = pipelines().run(empty, Map.of());
    if (e.status() == ExecutionStatus.SUCCEEDED) {
      assertThat(e.step("count").output("n").value()).as("one item, one value").isEqualTo("1");
    } else {
      assertThat(e.reason()).contains("m[0]").contains("output 'z'");
    }
  }

  @Test
  void parametersAtTheLimitsRoundTripAndBeyondThemAreRejectedBeforeAnythingIsStored() {
    String odd = "a\u0000b\u001f\t\r\n\"\\ \ud83d\ude00 \u2028 NaN Infinity";
    String atLimit = "x".repeat(65_536);
    Pipeline p = Pipeline.builder("params")
        .step(Step.task("echo", ctx -> {
          ctx.output("odd", ctx.parameter("odd"));
          ctx.output("size", Integer.toString(ctx.parameter("big").length()));
        }).parameters("odd", "size"))
        .build();
    Pipelines pl = pipelines();
    ExecutionResult r = pl.run(p, Map.of("odd", odd, "big", atLimit));
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(r.step("echo").output("odd").value()).isEqualTo(odd);
    assertThat(r.step("echo").output("size").value()).isEqualTo("65536");
    assertThat(pl.status("params", r.executionId()).parameters()).containsEntry("odd", odd);
    assertThat(ws.experiments().getRun(r.step("echo").run().orElseThrow()).params()).containsEntry("odd", odd);

    assertThatThrownBy(() -> pl.start(p, Map.of("big", "x".repeat(1 << 20))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parameter 'big'").hasMessageContaining("1048576");
    assertThatThrownBy(() -> pl.start(p, Map.of("n".repeat(129), "x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parameter name");
    assertThat(pl.executions("params")).hasSize(1);
  }

  @Test
  void stepAndOutputNamesAtTheLengthLimitRun() {
    String step = "s" + "t".repeat(127);
    String map = "m" + "a".repeat(127);
    String out = "o" + "u".repeat(127);
    Pipeline p = Pipeline.builder("p".repeat(100))
        .step(Step.task(step, ctx -> ctx.metric(out, 1)).metrics(out))
        .step(Step.map(map, List.of("i", "j"), ctx -> ctx.output(out, ctx.item().orElseThrow())).parameters(out)
            .reads(step + "." + out))
        .build();
    Pipelines pl = pipelines();
    ExecutionResult r = pl.run(p, Map.of());
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(r.step(map).output(out).list()).containsExactly("i", "j");
    assertThat(pl.verify(p.name(), r.executionId()).ok()).isTrue();
  }

  /**
   * 200 independent roots on the host's executor of two threads: the queue, not the steps, is
   * slow, and a step's timeout counts from when its attempt starts, not from when it was queued.
   */
  @Test
  void manyRootsOnATwoThreadExecutorDoNotTimeOutWhileQueued() {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    Pipeline.Builder b = Pipeline.builder("roots");
    for (int i = 0; i < 200; i++) {
      b.step(Step.task("r" + i, ctx -> {
        most.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
          Thread.sleep(15);
        } finally {
          running.decrementAndGet();
        }
      }).noCache().timeout(Duration.ofMillis(1000)));
    }
    Pipelines pl = pipelines(java.util.concurrent.Executors.newFixedThreadPool(2));
    ExecutionResult r = pl.run(b.build(), Map.of());
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(most.get()).isLessThanOrEqualTo(2);
    assertThat(pl.verify("roots", r.executionId()).ok()).isTrue();
  }

  /** A host executor with a bounded queue rejects work when full: the step waits for room. */
  @Test
  void aHostExecutorThatRejectsWorkDelaysStepsInsteadOfStoppingTheExecution() {
    Pipeline.Builder b = Pipeline.builder("rejects");
    for (int i = 0; i < 30; i++) {
      b.step(Step.task("r" + i, ctx -> Thread.sleep(5)).noCache());
    }
    ThreadPoolExecutor small = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(2),
        new ThreadPoolExecutor.AbortPolicy());
    Pipelines pl = pipelines(small);
    ExecutionResult r = pl.run(b.build(), Map.of());
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(r.steps()).hasSize(30);
  }

  @Test
  void aChainOf500StepsRunsAndVerifies() {
    Pipeline.Builder b = Pipeline.builder("chain");
    b.step(Step.task("s0", ctx -> ctx.output("v", "0")).parameters("v").noCache());
    for (int i = 1; i < 500; i++) {
      b.step(Step.task("s" + i, ctx -> ctx.output("v", Integer.toString(Integer.parseInt(ctx.input(
          "s" + (Integer.parseInt(ctx.step().substring(1)) - 1) + ".v").value()) + 1)))
          .reads("s" + (i - 1) + ".v").parameters("v").noCache());
    }
    Pipelines pl = pipelines();
    ExecutionResult r = pl.run(b.build(), Map.of());
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(r.step("s499").output("v").value()).isEqualTo("499");
    assertThat(pl.verify("chain", r.executionId()).ok()).isTrue();
  }

  /** Text the log cannot store as UTF-8 (an unpaired surrogate) or that is huge, in errors and reasons a body chooses. */
  @Test
  void errorsAndReasonsWithUnpairedSurrogatesOrHugeTextAreRecordedNotFatal() {
    String lone = "bad \ud800 bytes";
    String huge = "e".repeat(1 << 20);
    int n = 0;
    for (String message : List.of(lone, huge)) {
      n++;
      Pipeline p = Pipeline.builder("text" + n)
          .step(Step.task("ok", ctx -> ctx.output("v", "kept")).parameters("v"))
          .step(Step.task("bad", ctx -> {
            throw new IllegalStateException(message);
          }).after("ok"))
          .build();
      Pipelines pl = pipelines();
      ExecutionResult r = pl.run(p, Map.of());
      assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
      assertThat(r.step("bad").reason()).contains("step 'bad'");
      assertThat(r.step("ok").output("v").value()).isEqualTo("kept");
      assertThat(pl.verify(p.name(), r.executionId()).ok()).isTrue();
      assertThat(pl.status(p.name(), r.executionId()).step("bad").reason()).isEqualTo(r.step("bad").reason());
    }
    Pipeline gate = Pipeline.builder("reason")
        .step(Step.condition("gate", ctx -> new Decision(true, lone)).ifTrue("after"))
        .step(Step.task("after", ctx -> { }))
        .build();
    Pipelines pl = pipelines();
    ExecutionResult r = pl.run(gate, Map.of());
    assertThat(r.status()).isIn(ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED);
    assertThat(pl.verify("reason", r.executionId()).ok()).isTrue();
    assertThat(pl.status("reason", r.executionId()).step("gate").reason()).isEqualTo(r.step("gate").reason());
  }

  @Test
  void resumeRefusesAChangedPipelineUnknownAndFinishedExecutionsAndAppendsNothing() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Pipeline p = Pipeline.builder("changed")
        .step(Step.task("a", ctx -> release.await(20, TimeUnit.SECONDS)).noCache())
        .step(Step.task("b", ctx -> { }).after("a"))
        .build();
    Pipelines first = Pipelines.builder(ws).lease(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(5)).build();
    opened.add(first);
    String id = first.start(p, Map.of()).id();
    ExecutionLog log = new ExecutionLog(((dev.mlops.core.CoreWorkspace) ws).store(), "changed", id);
    while (log.refresh().steps.get("a") == null) {
      Thread.onSpinWait();
    }
    first.close();
    release.countDown();
    long entries = log.refresh().seq;
    Pipeline extraStep = Pipeline.builder("changed")
        .step(Step.task("a", ctx -> { }).noCache())
        .step(Step.task("b", ctx -> { }).after("a"))
        .step(Step.task("c", ctx -> { }).after("b"))
        .build();
    Pipeline otherOutputs = Pipeline.builder("changed")
        .step(Step.task("a", ctx -> ctx.metric("m", 1)).metrics("m").noCache())
        .step(Step.task("b", ctx -> { }).after("a"))
        .build();
    Pipelines second = pipelines();
    for (Pipeline changed : List.of(extraStep, otherOutputs)) {
      assertThatThrownBy(() -> second.resume(changed, id)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(id).hasMessageContaining("other steps");
    }
    assertThatThrownBy(() -> second.resume(p, "e20260101T000000-ffffffffffff"))
        .isInstanceOf(dev.mlops.NotFoundException.class).hasMessageContaining("e20260101T000000-ffffffffffff");
    assertThatThrownBy(() -> second.resume(p, "../../etc")).isInstanceOf(dev.mlops.NotFoundException.class);
    assertThat(log.refresh().seq).as("nothing appended by refused resumes").isEqualTo(entries);
    // the same steps with other bodies may resume
    Pipeline newBodies = Pipeline.builder("changed")
        .step(Step.task("a", ctx -> { }).noCache())
        .step(Step.task("b", ctx -> { }).after("a"))
        .build();
    Pipelines third = Pipelines.builder(ws).lease(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(5)).build();
    opened.add(third);
    ExecutionResult r = third.resume(newBodies, id).await(Duration.ofSeconds(30));
    assertThat(r.status()).as(r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThatThrownBy(() -> second.resume(newBodies, id)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already finished SUCCEEDED");
  }

  /** "Forever" as a Duration (ChronoUnit.FOREVER, Long.MAX_VALUE ms) for a timeout, cache expiry, backoff and lease. */
  @Test
  void durationsMeaningForeverAreForeverNotAnOverflow() {
    Duration forever = java.time.temporal.ChronoUnit.FOREVER.getDuration();
    Duration maxMillis = Duration.ofMillis(Long.MAX_VALUE);
    AtomicInteger attempts = new AtomicInteger();
    int n = 0;
    for (Duration d : List.of(forever, maxMillis)) {
      n++;
      Pipeline p = Pipeline.builder("forever" + n)
          .step(Step.task("a", ctx -> ctx.output("v", "x")).parameters("v").timeout(d).cacheFor(d))
          .step(Step.task("b", ctx -> {
            if (attempts.incrementAndGet() % 2 == 1) {
              throw new IOException("first attempt fails");
            }
          }).after("a").noCache().retry(RetryPolicy.attempts(2, IOException.class).withBackoff(Duration.ofMillis(1), 2, d)))
          .build();
      Pipelines pl = Pipelines.builder(ws).lease(d).pollInterval(Duration.ofMillis(5)).build();
      opened.add(pl);
      ExecutionResult r = pl.run(p, Map.of());
      assertThat(r.status()).as("%s: %s", d, r.reason()).isEqualTo(ExecutionStatus.SUCCEEDED);
      ExecutionLog log = new ExecutionLog(((dev.mlops.core.CoreWorkspace) ws).store(), p.name(), r.executionId());
      assertThat(log.refresh().steps.get("a").leaseUntil).as("a lease of %s does not wrap around", d)
          .isGreaterThan(System.currentTimeMillis());
      ExecutionResult again = pl.run(p, Map.of());
      assertThat(again.step("a").cacheHit()).as("cached for %s: a hit", d).isTrue();
    }
  }

  @Test
  void readsWithAnInvalidPipelineNameNameIt() {
    Pipelines pl = pipelines();
    for (String bad : List.of("a/b", "..", "has space", "x".repeat(129))) {
      assertThatThrownBy(() -> pl.runningExecutions(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("pipeline name");
      assertThatThrownBy(() -> pl.executions(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("pipeline name");
      assertThatThrownBy(() -> pl.verifyAll(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("pipeline name");
    }
  }
}
