package dev.mlops.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.AlreadyExistsException;
import dev.mlops.ConflictException;
import dev.mlops.Names;
import dev.mlops.NotFoundException;
import dev.mlops.VerifyReport;
import dev.mlops.Workspace;
import dev.mlops.core.CoreWorkspace;
import dev.mlops.spi.ObjectStore;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs {@link Pipeline}s on a workspace's store: starts executions with parameters, resumes them
 * (from this or another process, after a crash), reports their state, verifies their logs, and
 * takes external completions of callback steps.
 *
 * <pre>{@code
 * try (Pipelines pipelines = Pipelines.on(ws)) {
 *   ExecutionResult r = pipelines.run(pipeline, Map.of("lr", "0.1"));
 * }
 * }</pre>
 *
 * <p>Each execution this process drives has one orchestrating thread that appends to the
 * execution's log; step bodies run on the bounded executor (the host's, or one of
 * {@code availableProcessors} threads). Several processes may drive one execution at once: a step
 * is claimed in the log under a lease, renewed while it runs, and taken over only after the lease
 * expired; a result is recorded only under the claim that holds the step.
 *
 * <p>Thread-safe.
 */
public final class Pipelines implements AutoCloseable {
  private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  final Workspace workspace;
  final ObjectStore store;
  final ExecutorService steps;
  /**
   * The most steps a driver holds claims on at once: four times as many as the step executor runs
   * at once, at least 8 (MAX_VALUE when the executor's size is unknown). Enough that the executor
   * never waits on the driver's claims; few enough that a pass claiming them, and a round of
   * renewing them, take a small part of a lease even on a store whose creates take milliseconds.
   */
  final int maxClaims;
  private final boolean ownsSteps;
  final ExecutorService drivers;
  final Clock clock;
  final long seed;
  final Duration lease;
  final Duration poll;
  final String owner;
  final StepCache cache;
  private final Map<String, Execution> driving = new ConcurrentHashMap<>();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Pipelines.class);
  private volatile boolean closed;
  /** Guards {@link #runningSteps}; {@link #closed} is set under it too. */
  private final Object stepLock = new Object();
  private int runningSteps;
  private static final ThreadLocal<Boolean> IN_STEP = new ThreadLocal<>();

  private Pipelines(Builder b) {
    this.workspace = b.workspace;
    this.store = b.store;
    this.ownsSteps = b.executor == null;
    this.steps = b.executor != null ? b.executor : Executors.newFixedThreadPool(
        Math.max(2, Runtime.getRuntime().availableProcessors()), daemon("mlops-pipeline-step-"));
    int parallelism = parallelismOf(steps);
    this.maxClaims = parallelism >= Integer.MAX_VALUE / 4 ? Integer.MAX_VALUE : Math.max(8, 4 * parallelism);
    this.drivers = Executors.newCachedThreadPool(daemon("mlops-pipeline-driver-"));
    this.clock = b.clock;
    this.seed = b.seed;
    this.lease = b.lease;
    this.poll = b.poll;
    this.owner = b.owner;
    this.cache = new StepCache(store, clock, poll);
  }

  /**
   * The number of tasks an executor runs at once, where its type tells: a thread pool's largest
   * size, a fork-join pool's parallelism; otherwise unbounded.
   */
  static int parallelismOf(ExecutorService executor) {
    if (executor instanceof java.util.concurrent.ThreadPoolExecutor t) {
      return Math.max(1, Math.max(t.getCorePoolSize(), t.getMaximumPoolSize()));
    }
    if (executor instanceof java.util.concurrent.ForkJoinPool f) {
      return Math.max(1, f.getParallelism());
    }
    return Integer.MAX_VALUE;
  }

  private static java.util.concurrent.ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Pipelines on a workspace opened by {@code Mlops.open} (its store is taken from it), with the
   * defaults of {@link #builder}.
   *
   * @param workspace the workspace
   * @return the pipelines; close them to stop their threads
   * @throws IllegalArgumentException if the workspace is not mlops-core's (use {@link #builder})
   */
  public static Pipelines on(Workspace workspace) {
    return builder(workspace).build();
  }

  /**
   * @param workspace the workspace (opened by {@code Mlops.open}; see {@link Builder#store} otherwise)
   * @return a builder; not thread-safe
   */
  public static Builder builder(Workspace workspace) {
    return new Builder(workspace);
  }

  /**
   * Starts an execution; this process drives it on a background thread.
   *
   * @param pipeline the pipeline
   * @param parameters its parameters: keys valid {@link Names names}, values any text
   * @return the handle
   * @throws IllegalArgumentException naming the parameter if one cannot be stored
   */
  public Execution start(Pipeline pipeline, Map<String, String> parameters) {
    return start(pipeline, parameters, "manual");
  }

  /**
   * Starts an execution, recording why.
   *
   * @param pipeline the pipeline
   * @param parameters its parameters
   * @param cause why it starts (a trigger's description), recorded in the log
   * @return the handle
   * @throws IllegalArgumentException naming the parameter if one cannot be stored
   * @throws IllegalStateException if these pipelines are closed (nothing is written: an execution
   *     no process drives would count as running until someone resumes it)
   * @throws dev.mlops.StorageException if a write fails: the execution's {@code started} marker is
   *     written before its log's first entry, and a marker left without a log is read as an
   *     execution that never started (not listed, not running)
   */
  public Execution start(Pipeline pipeline, Map<String, String> parameters, String cause) {
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(cause, "cause");
    Map<String, String> params = checkParameters(pipeline, parameters);
    checkText("cause", cause);
    requireOpen("start an execution of pipeline '" + pipeline.name() + "'");
    while (true) {
      String id = "e" + ID_TIME.format(clock.instant()) + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()).substring(4);
      ExecutionLog log = new ExecutionLog(store, pipeline.name(), id);
      ObjectNode started = ExecutionLog.entry("started");
      started.put("pipeline", pipeline.name());
      started.put("fingerprint", pipeline.fingerprint());
      started.put("cause", cause);
      started.put("at", clock.millis());
      started.put("owner", owner);
      ObjectNode p = started.putObject("parameters");
      new TreeMap<>(params).forEach(p::put);
      // The first steps are claimed in the started entry, and their runs start while the marker
      // and the entry are written (their bodies wait for both): one durable append fewer before
      // the first body, as a success claims the steps it makes ready.
      ExecutionDriver driver = new ExecutionDriver(this, pipeline, log);
      ExecutionDriver.FirstClaims first = driver.firstClaims(started, params, started.get("at").asLong());
      // The marker first, then the log's first entry: a process killed between the two leaves a
      // marker without a log, which every reader takes for an execution that never started (no
      // step of it can have run); the other order left a log that no listing showed.
      try {
        store.create(indexKey(pipeline.name(), "started", id), new byte[0]);
      } catch (AlreadyExistsException taken) {
        first.discard("its execution id was taken");
        continue;
      } catch (RuntimeException e) {
        first.discard("the execution's started marker was not written: " + e);
        throw e;
      }
      try {
        log.create(started);
      } catch (AlreadyExistsException taken) {
        first.discard("its execution id was taken");
        continue; // a log an older version left without its marker has this id: the marker now lists it
      } catch (RuntimeException e) {
        first.discard("the execution's started entry was not written: " + e);
        throw e;
      }
      return drive(pipeline, log, false, driver, first);
    }
  }

  /**
   * Starts an execution and waits for it to finish.
   *
   * @param pipeline the pipeline
   * @param parameters its parameters
   * @return its final state
   */
  public ExecutionResult run(Pipeline pipeline, Map<String, String> parameters) {
    return start(pipeline, parameters).await();
  }

  /**
   * Drives an execution started earlier, here or in another process (say one killed with kill -9):
   * steps already succeeded are not run again, a step claimed by a process that died is taken over
   * once its lease expired, and a step that another live process runs is left to it.
   *
   * @param pipeline the pipeline, with the same steps as when the execution started
   * @param executionId the execution
   * @return the handle; the one already returned if these pipelines drive the execution now
   * @throws NotFoundException if the store holds no such execution of that pipeline (or only its
   *     {@code started} marker: a start cut off before the log's first entry, named as never started)
   * @throws IllegalStateException if it has already finished
   * @throws IllegalArgumentException if the pipeline's steps differ from those it started with
   * @throws IllegalStateException if these pipelines are closed
   */
  public Execution resume(Pipeline pipeline, String executionId) {
    Objects.requireNonNull(pipeline, "pipeline");
    requireOpen("resume execution " + executionId + " of pipeline '" + pipeline.name() + "'");
    ExecutionLog log = open(pipeline.name(), executionId);
    ExecutionLog.State s = log.refresh();
    if (!s.finished() && s.fingerprint.equals(pipeline.fingerprint())) {
      log.check(pipeline);
    }
    if (s.finished()) {
      throw new IllegalStateException("execution " + executionId + " of pipeline '" + pipeline.name()
          + "' already finished " + s.status + (s.finishReason.isEmpty() ? "" : " (" + s.finishReason + ")")
          + "; start a new execution instead");
    }
    if (!s.fingerprint.equals(pipeline.fingerprint())) {
      throw new IllegalArgumentException("execution " + executionId + " started with other steps than " + pipeline
          + " now has; resume it with the pipeline definition it started with");
    }
    return drive(pipeline, log, true);
  }

  private Execution drive(Pipeline pipeline, ExecutionLog log, boolean resumed) {
    return drive(pipeline, log, resumed, new ExecutionDriver(this, pipeline, log), null);
  }

  /** @param first the claims the execution's started entry took (null: a resume) */
  private Execution drive(Pipeline pipeline, ExecutionLog log, boolean resumed, ExecutionDriver driver,
      ExecutionDriver.FirstClaims first) {
    CompletableFuture<ExecutionResult> done = new CompletableFuture<>();
    Execution handle = new Execution(log.id(), pipeline.name(), done);
    Execution already = driving.putIfAbsent(log.id(), handle);
    if (already != null) {
      // driven here already: a second driver would share this process's owner name, and each
      // would take the other's steps for its own
      return already;
    }
    try {
      drivers.execute(() -> {
        try {
          if (resumed) {
            driver.endOrphanedRuns();
          }
          done.complete(driver.drive(first));
        } catch (Throwable t) {
          done.completeExceptionally(t);
        } finally {
          driving.remove(log.id(), handle);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
      driving.remove(log.id(), handle);
      if (first != null) {
        first.discard("these Pipelines were closed before the execution was driven"); // (their claims lapse)
      }
      throw new IllegalStateException("these Pipelines were closed while execution " + log.id() + " of pipeline '"
          + pipeline.name() + "' was " + (resumed ? "resuming" : "starting") + "; it is in the store, not driven:"
          + " resume it from open Pipelines", closedMeanwhile);
    }
    return handle;
  }

  private void requireOpen(String what) {
    if (closed) {
      throw new IllegalStateException("cannot " + what + ": these Pipelines are closed");
    }
  }

  /**
   * Ends an execution that no process will finish — say one abandoned by a process killed with
   * {@code kill -9} that cannot be resumed because the pipeline's definition changed since — as
   * FAILED with reason {@code "abandoned: <reason>"}, so it stops counting in
   * {@link #runningExecutions} (and stops holding a retrain trigger's {@code maxConcurrent} slot).
   * A process still driving it stops at its next look at the log; results its steps produce after
   * this are dropped (their claims no longer hold). Like a driver that finishes, it first ends the
   * still-RUNNING runs of committed steps; the run of an attempt that was cut off stays RUNNING, as
   * the run of any killed attempt does.
   *
   * @param pipeline the pipeline name
   * @param executionId the execution
   * @param reason why, for a person
   * @return its final state
   * @throws NotFoundException if there is no such execution
   * @throws IllegalStateException naming its status if it already finished (or finished meanwhile)
   */
  public ExecutionResult abandon(String pipeline, String executionId, String reason) {
    Objects.requireNonNull(reason, "reason");
    checkText("reason", reason);
    ExecutionLog log = open(pipeline, executionId);
    // as a driver does before it finishes: no finished execution names a RUNNING run of a committed step
    ExecutionDriver.endOrphanedRuns(workspace, executionId, log.refresh(), o -> true);
    ObjectNode e = ExecutionLog.entry("finished");
    e.put("status", ExecutionStatus.FAILED.name());
    e.put("reason", "abandoned: " + reason);
    e.put("at", clock.millis());
    e.put("by", owner);
    if (!log.append(e, s -> !s.finished())) {
      ExecutionLog.State s = log.refresh();
      throw new IllegalStateException("execution " + executionId + " of pipeline '" + pipeline + "' already finished "
          + s.status + (s.finishReason.isEmpty() ? "" : " (" + s.finishReason + ")") + "; nothing to abandon");
    }
    try {
      store.create(indexKey(pipeline, "finished", executionId), new byte[0]);
    } catch (AlreadyExistsException already) {
      // a reader of runningExecutions repaired it first
    }
    return log.refresh().toResult(executionId);
  }

  /**
   * Reads an execution's current state from the store.
   *
   * @param pipeline the pipeline name
   * @param executionId the execution
   * @return its state
   * @throws NotFoundException if there is no such execution
   */
  public ExecutionResult status(String pipeline, String executionId) {
    ExecutionLog log = open(pipeline, executionId);
    return log.refresh().toResult(executionId);
  }

  /**
   * The executions of a pipeline that started: those with a {@code started} index marker and a
   * log. A marker without a log is an execution whose start was cut off before the log's first
   * entry (it never started; no step of it ran) and is not listed. A store written by an earlier
   * version may hold a log without its marker (a start cut off between the two); {@link #verifyAll}
   * finds such logs and writes their markers, after which they are listed.
   *
   * @param pipeline a pipeline name
   * @return the ids of its executions in the store, oldest first
   * @throws dev.mlops.CorruptDataException naming a marker whose name is not an execution id
   */
  public List<String> executions(String pipeline) {
    Names.requireValid("pipeline name", pipeline);
    Set<String> finished = finishedMarkers(pipeline);
    // a finished marker is written after the log's last entry: only the others need a look at their log
    return startedMarkers(pipeline).stream().filter(id -> finished.contains(id) || hasLog(pipeline, id)).toList();
  }

  /** @return the ids named by the pipeline's {@code started} markers, sorted (by start time) */
  private List<String> startedMarkers(String pipeline) {
    Names.requireValid("pipeline name", pipeline);
    String prefix = "pipelines/" + pipeline + "/index/started/";
    try (Stream<String> keys = store.listAll(prefix)) {
      return keys.map(k -> {
        String id = k.substring(prefix.length());
        if (!Names.isValid(id)) {
          throw new dev.mlops.CorruptDataException("execution index marker '" + k + "' does not name an execution id");
        }
        return id;
      }).toList();
    }
  }

  private Set<String> finishedMarkers(String pipeline) {
    String prefix = "pipelines/" + pipeline + "/index/finished/";
    try (Stream<String> keys = store.listAll(prefix)) {
      return keys.map(k -> k.substring(prefix.length())).collect(Collectors.toSet());
    }
  }

  /** @return whether the execution has any log entry (one list call) */
  private boolean hasLog(String pipeline, String id) {
    return !store.list(ExecutionLog.prefix(pipeline, id) + "/", "", 1).keys().isEmpty();
  }

  /** @return whether {@code start} wrote the execution's {@code started} marker */
  private boolean hasStartedMarker(String pipeline, String id) {
    return store.get(indexKey(pipeline, "started", id)).isPresent();
  }

  /**
   * Counts executions of a pipeline that started and have not finished, from the store (so those
   * of other processes count, and so does one abandoned by a dead process until it is resumed).
   * Reads the index markers and the log of each execution not marked finished.
   *
   * @param pipeline a pipeline name
   * @return the count
   */
  public int runningExecutions(String pipeline) {
    Names.requireValid("pipeline name", pipeline);
    Set<String> finished = finishedMarkers(pipeline);
    int running = 0;
    for (String id : startedMarkers(pipeline)) {
      if (finished.contains(id)) {
        continue;
      }
      // a process may have died between the 'finished' entry and its marker: the log decides
      ExecutionLog log = new ExecutionLog(store, pipeline, id);
      ExecutionLog.State state = log.refresh();
      if (!state.started()) {
        if (!hasLog(pipeline, id)) {
          // start() was cut off after this marker, before the log's first entry (it never
          // started), or another process is between the two writes right now
          continue;
        }
        state = log.refresh(); // the first entry was created between the two reads: read it
        if (!state.started()) {
          throw new dev.mlops.CorruptDataException("execution index marker '" + indexKey(pipeline, "started", id)
              + "' names an execution whose log has no first entry");
        }
      }
      if (state.finished()) {
        try {
          store.create(indexKey(pipeline, "finished", id), new byte[0]);
        } catch (AlreadyExistsException raced) {
          // another reader repaired it
        }
      } else {
        running++;
      }
    }
    return running;
  }

  /**
   * Checks an execution's log: every entry's hash and link (as the registry's {@code verify}),
   * and that no step was recorded as finished twice or under a claim that did not hold it. An
   * execution without any log entry is reported broken (missing), unless its {@code started}
   * marker exists: then its start was cut off before the log's first entry, and the report is
   * clean with no entries (it never started; nothing is damaged).
   *
   * @param pipeline the pipeline name
   * @param executionId the execution
   * @return the report, naming the first bad entry
   */
  public VerifyReport verify(String pipeline, String executionId) {
    Names.requireValid("pipeline name", pipeline);
    Names.requireValid("execution id", executionId);
    // a start cut off before the log's first entry: nothing started, nothing damaged
    return new ExecutionLog(store, pipeline, executionId).verify(
        () -> hasStartedMarker(pipeline, executionId) && !hasLog(pipeline, executionId));
  }

  /**
   * {@link #verify} for every execution of a pipeline that has a log: those {@link #executions}
   * lists, and also any log the store holds without its {@code started} marker (left by an earlier
   * version killed inside {@code start}); such a marker is written here, so from then on the
   * listings show that execution (and {@link #runningExecutions} counts it until it is resumed or
   * abandoned, as any execution whose process died). Scans the keys of every execution log.
   *
   * @param pipeline the pipeline name
   * @return a report per execution id, oldest first
   * @throws dev.mlops.CorruptDataException naming a key under the executions that does not name an
   *     execution id, or a marker that does not
   */
  public Map<String, VerifyReport> verifyAll(String pipeline) {
    Set<String> ids = new TreeSet<>(executions(pipeline));
    String prefix = "pipelines/" + pipeline + "/executions/";
    try (Stream<String> keys = store.listAll(prefix)) {
      keys.map(k -> {
        int slash = k.indexOf('/', prefix.length());
        String id = k.substring(prefix.length(), slash < 0 ? k.length() : slash);
        if (!Names.isValid(id)) {
          throw new dev.mlops.CorruptDataException("execution log key '" + k + "' does not name an execution id");
        }
        return id;
      }).distinct().filter(id -> !ids.contains(id)).toList().forEach(id -> {
        try {
          store.create(indexKey(pipeline, "started", id), new byte[0]);
          LOG.info("execution {} of pipeline '{}' had a log but no started marker (a start cut off by an earlier"
              + " version); marker written", id, pipeline);
        } catch (AlreadyExistsException listedMeanwhile) {
          // its start is under way or another verifyAll wrote it
        }
        ids.add(id);
      });
    }
    Map<String, VerifyReport> out = new LinkedHashMap<>();
    for (String id : ids) {
      out.put(id, verify(pipeline, id));
    }
    return out;
  }

  /**
   * Reports that the external work of a callback step finished, from any process. The report is
   * in the execution's log when this returns; the step succeeds with these outputs when a process
   * driving the execution next looks (or when it is resumed). Reporting the same token twice keeps
   * the first report (a later one returns without effect). A report is never dropped silently: a
   * report recorded under the claim of a holder that died is taken by the process that finds the
   * claim expired, which completes the step from it without running its body again (see
   * docs/pipelines.md, "Callback steps").
   *
   * @param token the step's {@link StepContext#callbackToken()}
   * @param outputs the step's declared outputs; a report with an output the step does not declare,
   *     or without one it declares, is recorded and fails the step (naming the outputs) when a
   *     process driving the execution next looks — the token alone does not know the pipeline
   * @throws NotFoundException if the token names no waiting step of a stored execution
   * @throws IllegalArgumentException if the token is malformed
   * @throws ConflictException if the step no longer waits for this token, naming the step and why:
   *     it was taken over after its holder's lease expired with no report under this token (its
   *     body ran again and handed out a new token), or it ended, or the execution finished
   */
  public void completeCallback(String token, Map<String, OutputValue> outputs) {
    Objects.requireNonNull(outputs, "outputs");
    report(token, true, outputs, "");
  }

  /**
   * Reports that the external work of a callback step failed; the step fails with {@code message}.
   *
   * @param token the step's token
   * @param message why
   * @throws NotFoundException if the token names no step of a stored execution
   * @throws IllegalArgumentException if the token is malformed
   * @throws ConflictException if the step no longer waits for this token, naming the step and why
   */
  public void failCallback(String token, String message) {
    report(token, false, Map.of(), Objects.requireNonNull(message, "message"));
  }

  private void report(String token, boolean ok, Map<String, OutputValue> outputs, String message) {
    String[] parts = Objects.requireNonNull(token, "token").split(":", -1);
    if (parts.length != 4 || !Names.isValid(parts[0]) || !Names.isValid(parts[1]) || parts[2].isEmpty()
        || parts[3].isEmpty()) {
      throw new IllegalArgumentException("callback token '" + token + "' is malformed: expected pipeline:execution:step:claim");
    }
    ExecutionLog log = open(parts[0], parts[1]);
    String step = parts[2];
    String claim = parts[3];
    ObjectNode e = ExecutionLog.entry("callback");
    e.put("step", step);
    e.put("claim", claim);
    e.put("ok", ok);
    e.put("message", message);
    e.set("outputs", ExecutionLog.writeOutputs(outputs));
    while (true) {
      ExecutionLog.State s = log.refresh();
      ExecutionLog.StepState st = s.find(step).orElseThrow(() -> new NotFoundException("callback token '" + token
          + "' names step '" + step + "', which has not run in execution " + parts[1]));
      if (st.claim.equals(claim) && st.callback != null) {
        return; // a report under this claim is recorded already: the first one is kept
      }
      String stale = stale(token, parts[1], step, claim, s, st);
      if (stale != null) {
        throw new ConflictException(stale);
      }
      if (log.append(e, now -> {
        ExecutionLog.StepState cur = now.steps.get(step);
        return !now.finished() && cur != null && cur.claim.equals(claim) && cur.callback == null && !cur.status.terminal();
      })) {
        return;
      }
      // the log moved (a report, a result or a takeover got in first): judge again on the new state
    }
  }

  /** Why a report with {@code token} cannot be recorded in state {@code s}, or null if it can. */
  private static String stale(String token, String execution, String step, String claim, ExecutionLog.State s,
      ExecutionLog.StepState st) {
    String prefix = "callback token '" + token + "' is stale: ";
    if (!st.claim.equals(claim)) {
      return prefix + "step '" + step + "' of execution " + execution + " no longer runs under claim " + claim
          + ": it was taken over (claim " + st.claim + ") after that claim's lease expired with no report recorded"
          + " under it, so its body ran again and handed out a new token; the step is " + st.status
          + (s.finished() ? " and the execution finished " + s.status : "") + ". Report with the new token";
    }
    if (s.finished() || st.status.terminal()) {
      return prefix + "step '" + step + "' of execution " + execution + " is " + st.status
          + (st.reason.isEmpty() ? "" : " (" + st.reason + ")")
          + (s.finished() ? " and the execution finished " + s.status
              + (s.finishReason.isEmpty() ? "" : " (" + s.finishReason + ")") : "")
          + " without a report under this token";
    }
    return null;
  }

  /**
   * A launcher of one pipeline for retrain triggers.
   *
   * @param pipeline the pipeline
   * @return a launcher whose {@code start} starts an execution driven by this process
   */
  public PipelineLauncher launcher(Pipeline pipeline) {
    Objects.requireNonNull(pipeline, "pipeline");
    return new PipelineLauncher() {
      @Override
      public String pipelineName() {
        return pipeline.name();
      }

      @Override
      public int runningExecutions() {
        return Pipelines.this.runningExecutions(pipeline.name());
      }

      @Override
      public String start(Map<String, String> parameters, String cause) {
        return Pipelines.this.start(pipeline, parameters, cause).id();
      }
    };
  }

  ExecutionLog open(String pipeline, String executionId) {
    Names.requireValid("pipeline name", pipeline);
    Objects.requireNonNull(executionId, "executionId");
    if (!Names.isValid(executionId)) {
      throw new NotFoundException("no execution '" + executionId + "' of pipeline '" + pipeline + "' (not a valid id)");
    }
    ExecutionLog log = new ExecutionLog(store, pipeline, executionId);
    if (!log.refresh().started()) {
      if (!hasLog(pipeline, executionId) && hasStartedMarker(pipeline, executionId)) {
        throw new NotFoundException("execution '" + executionId + "' of pipeline '" + pipeline + "' never started: the"
            + " process starting it stopped after its index marker, before its log's first entry, so no step of it"
            + " ran; start a new execution");
      }
      throw new NotFoundException("no execution '" + executionId + "' of pipeline '" + pipeline + "' in the store");
    }
    return log;
  }

  /** @return {@code d} in milliseconds, {@link Long#MAX_VALUE} for a longer one ("forever", e.g. {@code ChronoUnit.FOREVER}) */
  static long millis(Duration d) {
    try {
      return d.toMillis();
    } catch (ArithmeticException forever) {
      return Long.MAX_VALUE;
    }
  }

  /** @return {@code d} in nanoseconds, {@link Long#MAX_VALUE} for one longer than about 292 years */
  static long nanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException forever) {
      return Long.MAX_VALUE;
    }
  }

  /** @return {@code a + b} for {@code b >= 0}, {@link Long#MAX_VALUE} where it would overflow (a time that never comes) */
  static long plus(long a, long b) {
    long sum = a + b;
    return b >= 0 && sum < a ? Long.MAX_VALUE : sum;
  }

  static String indexKey(String pipeline, String kind, String id) {
    return "pipelines/" + pipeline + "/index/" + kind + "/" + id;
  }

  private static Map<String, String> checkParameters(Pipeline pipeline, Map<String, String> parameters) {
    Objects.requireNonNull(parameters, "parameters");
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, String> e : parameters.entrySet()) {
      String k = e.getKey();
      if (k == null || !Names.isValid(k)) {
        throw new IllegalArgumentException("pipeline '" + pipeline.name() + "': parameter name " + (k == null ? "null"
            : "'" + k + "'") + " is invalid: it must match " + Names.PATTERN);
      }
      if (e.getValue() == null) {
        throw new IllegalArgumentException("pipeline '" + pipeline.name() + "': parameter '" + k + "' is null; "
            + "parameters are stored as text");
      }
      checkText("parameter '" + k + "'", e.getValue());
      out.put(k, e.getValue());
    }
    return out;
  }

  static void checkText(String what, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(what + " does not serialise: it holds an unpaired UTF-16 surrogate at index "
            + i + ", which UTF-8 cannot store");
      }
    }
    if (value.length() > 65_536) {
      throw new IllegalArgumentException(what + " is " + value.length() + " characters; at most 65536 are stored");
    }
  }

  /**
   * Stops this process's drivers, then (if it created it) its step executor, interrupting running
   * steps. Nothing is recorded in the execution log for the steps it stops: their claims lapse,
   * and a later {@link #resume} (here or elsewhere) takes them over once their leases expired.
   * An interrupted step's run is ended FAILED by the step's thread; {@code close} waits (up to
   * 10 s) for every step body of this instance to stop, so no write of this instance lands in the
   * store after it returns (unless a body ignores interruption for longer: then a warning is
   * logged).
   */
  @Override
  public void close() {
    synchronized (stepLock) {
      closed = true; // drivers stop before any step is interrupted, so no interrupt is recorded as a failure
    }
    drivers.shutdownNow();
    try {
      drivers.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // each driver interrupted its running steps as it stopped; queued ones will not start (closed)
    if (ownsSteps) {
      steps.shutdown();
    }
    awaitSteps(java.util.concurrent.TimeUnit.SECONDS.toNanos(10));
    if (ownsSteps) {
      steps.shutdownNow();
    }
  }

  /**
   * Waits until no step body of this instance runs any more (they were interrupted): a step's
   * thread records its run's end as it stops, and that write lands before {@link #close}
   * returns, not after (when the caller may already have closed or deleted the store).
   */
  private void awaitSteps(long nanos) {
    int self = Boolean.TRUE.equals(IN_STEP.get()) ? 1 : 0; // close() called from a step body
    long deadline = System.nanoTime() + nanos;
    boolean interrupted = false;
    synchronized (stepLock) {
      while (runningSteps > self) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.warn("closed with {} step bodies still running after 10 s (they ignore interruption); "
              + "their writes may land after close()", runningSteps - self);
          break;
        }
        try {
          java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(stepLock, left);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** @return false when closed: the step must not start (its claim lapses) */
  boolean enterStep() {
    synchronized (stepLock) {
      if (closed) {
        return false;
      }
      runningSteps++;
    }
    IN_STEP.set(Boolean.TRUE);
    return true;
  }

  void exitStep() {
    IN_STEP.remove();
    synchronized (stepLock) {
      if (--runningSteps == 0) {
        stepLock.notifyAll();
      }
    }
  }

  boolean closed() {
    return closed;
  }

  /** @return ids of the executions this process drives now */
  public Set<String> driving() {
    return new TreeSet<>(driving.keySet());
  }

  /**
   * Configures {@link Pipelines}. Setters throw {@link NullPointerException} for nulls and
   * {@link IllegalArgumentException} naming a bad value.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private final Workspace workspace;
    private ObjectStore store;
    private ExecutorService executor;
    private Clock clock = Clock.systemUTC();
    private long seed = 42;
    private Duration lease = Duration.ofSeconds(30);
    private Duration poll = Duration.ofMillis(100);
    private String owner;

    private Builder(Workspace workspace) {
      this.workspace = Objects.requireNonNull(workspace, "workspace");
      if (workspace instanceof CoreWorkspace core) {
        this.store = core.store();
      }
      String host = "host";
      try {
        host = java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
      } catch (java.io.IOException | RuntimeException ignored) {
        // a generic name is enough: the random part tells processes apart
      }
      this.owner = host + "-" + ManagementFactory.getRuntimeMXBean().getPid() + "-"
          + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    /** @param store the workspace's store (needed when the workspace is not mlops-core's) @return this builder */
    public Builder store(ObjectStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** @param executor the bounded executor step bodies run on; the host keeps ownership @return this builder */
    public Builder executor(ExecutorService executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** @param clock time for leases and cache expiry @return this builder */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** @param seed the seed of retry jitter @return this builder */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * @param lease how long a claim on a step holds without renewal (renewed every third of it);
     *     another process takes a step over only after it expired. Default 30 s.
     * @return this builder
     */
    public Builder lease(Duration lease) {
      if (millis(Objects.requireNonNull(lease, "lease")) < 30) {
        throw new IllegalArgumentException("lease must be at least 30 ms, got " + lease);
      }
      this.lease = lease;
      return this;
    }

    /** @param poll how often the store is re-read while waiting on other processes or callbacks (default 100 ms) @return this builder */
    public Builder pollInterval(Duration poll) {
      if (millis(Objects.requireNonNull(poll, "poll")) < 1) {
        throw new IllegalArgumentException("poll interval must be at least 1 ms, got " + poll);
      }
      this.poll = poll;
      return this;
    }

    /** @param owner this process's name in claims (default host-pid-random) @return this builder */
    public Builder owner(String owner) {
      this.owner = Names.requireValid("owner", owner);
      return this;
    }

    /**
     * @return the pipelines
     * @throws IllegalArgumentException if no store was given and the workspace is not mlops-core's
     */
    public Pipelines build() {
      if (store == null) {
        throw new IllegalArgumentException("workspace " + workspace.uri() + " is a " + workspace.getClass().getName()
            + ", not opened by Mlops.open: pass its store with Pipelines.builder(ws).store(store)");
      }
      return new Pipelines(this);
    }
  }
}
