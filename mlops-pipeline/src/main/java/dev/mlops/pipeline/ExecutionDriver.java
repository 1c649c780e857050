package dev.mlops.pipeline;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.AlreadyExistsException;
import dev.mlops.ArtifactRef;
import dev.mlops.DatasetInput;
import dev.mlops.Digest;
import dev.mlops.ModelVersion;
import dev.mlops.NotFoundException;
import dev.mlops.Registration;
import dev.mlops.Run;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunQuery;
import dev.mlops.RunStatus;
import dev.mlops.Workspace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one execution in this process: folds the log, claims ready steps, runs them on the step
 * executor, renews their leases, enforces timeouts and retries, and records each result under the
 * claim that holds the step. All log appends of an execution in a process come from this one
 * thread, so they never race with each other; they race only with other processes, and the
 * conditional append settles those races.
 *
 * <p>Not thread-safe; one instance per drive, confined to its driver thread (tasks talk to it
 * through a queue).
 */
final class ExecutionDriver {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutionDriver.class);

  private final Pipelines host;
  private final Pipeline pipeline;
  private final ExecutionLog log;
  private final String id;
  private final String experiment;
  /**
   * Per step, the steps that can follow it only (uncached task steps whose single dependency it
   * is), in pipeline order: whose runs a finishing step's thread starts ahead (see {@link #preStarts}).
   */
  private final Map<String, List<String>> chainSuccessors = new HashMap<>();
  private final BlockingQueue<Done> done = new LinkedBlockingQueue<>();
  private final Map<String, Local> mine = new HashMap<>();
  /** Succeeded attempts of this process whose run's END may not be durable yet (driver thread only). */
  private final List<Outcome> pendingEnds = new ArrayList<>();
  /**
   * Set by the driver once a step of this execution failed for good, and when it stops (read by
   * step threads, see {@link #preStarts}).
   */
  private volatile boolean noRunsAhead;
  /** Runs started ahead (see {@link #preStarts}) that the driver has neither claimed nor discarded yet. */
  private final Set<EarlyStart> runsAhead = ConcurrentHashMap.newKeySet();
  /**
   * Run ids reserved for the runs of this execution's uncached task steps (see {@link #startRun}):
   * made by the first run start, closed when the driver stops; null before, or when the workspace
   * is not mlops-core's. Guarded by {@code this}.
   */
  private dev.mlops.core.RunReservation reservation;
  private boolean reserved;
  /** Whether this driver wrote (or found) the execution's finished marker (driver thread only). */
  private boolean markedFinished;
  /** Logs of other executions whose cache claims a step of this one waits on (step threads). */
  private final Map<String, ExecutionLog> others = new ConcurrentHashMap<>();

  ExecutionDriver(Pipelines host, Pipeline pipeline, ExecutionLog log) {
    this.host = host;
    this.pipeline = pipeline;
    this.log = log;
    this.id = log.id();
    this.experiment = experimentOf(pipeline.name());
    for (String n : pipeline.order()) {
      Step ns = pipeline.step(n);
      Set<String> deps = pipeline.dependencies(n);
      if (ns.kind() == StepKind.TASK && !ns.cached() && deps.size() == 1) {
        chainSuccessors.computeIfAbsent(deps.iterator().next(), k -> new ArrayList<>()).add(n);
      }
    }
  }

  /** A step this process holds a claim on. */
  private static final class Local {
    final String key;
    final String claim;
    Future<?> future;
    volatile Run run;
    int attempt;
    /** When the running attempt times out: set by the step's thread as the attempt starts (queued time does not count). */
    volatile long deadline = Long.MAX_VALUE;
    long nextRenew;
    long retryAt = -1;
    /** The run started while the claim on this step was being appended, if any (first attempt only). */
    EarlyStart early;

    Local(String key, String claim, int attempt) {
      this.key = key;
      this.claim = claim;
      this.attempt = attempt;
    }
  }

  /**
   * @param preStarts runs of the steps that follow this one in a chain, started by its thread (see
   *     {@link #preStart}); the driver uses the ones it claims with this result and discards the others
   */
  private record Done(String key, String claim, int attempt, Outcome outcome, Throwable failure,
      Map<String, EarlyStart> preStarts) {
    Done(String key, String claim, int attempt, Outcome outcome, Throwable failure) {
      this(key, claim, attempt, outcome, failure, Map.of());
    }
  }

  /**
   * The run of a step's first attempt, started on the step executor while the driver appends the
   * entry that claims the step (see docs/pipelines.md, "Ordering of a step's writes"). Whoever
   * takes it first starts the run: the early task, or the attempt itself when the early task has
   * not begun (a busy executor), so an attempt never waits for a task queued behind it. The body
   * runs only after the claim is in the log; a run whose claim did not get in is ended KILLED.
   */
  private final class EarlyStart {
    final String key;
    final int attempt;
    final Map<String, String> params;
    private final AtomicBoolean taken = new AtomicBoolean();
    private final AtomicBoolean discarded = new AtomicBoolean();
    /** Set by the driver once the entry claiming the step with this run is in the log: never discarded then. */
    private volatile boolean claimed;
    final CompletableFuture<Run> run = new CompletableFuture<>();

    EarlyStart(String key, int attempt, Map<String, String> params) {
      this.key = key;
      this.attempt = attempt;
      this.params = params;
    }

    /** The entry claiming the step is in the log: the attempt owns this run. */
    void claimed() {
      claimed = true;
      runsAhead.remove(this);
    }

    /** Submits the start to the step executor; a refused submission leaves it to the attempt. */
    void begin() {
      try {
        host.steps.execute(() -> {
          if (!taken.compareAndSet(false, true)) {
            return;
          }
          if (!host.enterStep()) {
            run.completeExceptionally(new CancellationException("closed"));
            return;
          }
          try {
            start();
          } finally {
            host.exitStep();
          }
        });
      } catch (RejectedExecutionException e) {
        // the attempt starts its run itself
      }
    }

    /**
     * Starts the run on the calling thread, a step's thread inside its step (see
     * {@link #preStart}), unless it was taken already.
     */
    void startHere() {
      if (taken.compareAndSet(false, true)) {
        start();
      }
    }

    private void start() {
      try {
        run.complete(startRun(key, attempt, params, ""));
      } catch (Throwable t) {
        run.completeExceptionally(t);
      }
    }

    /** The attempt's run: the early one, or started here if the early task has not begun. */
    Run take(Local l) throws Exception {
      if (l.attempt != attempt) {
        discard("its attempt number changed");
        return null;
      }
      if (taken.compareAndSet(false, true)) {
        run.complete(null);
        return null;
      }
      try {
        return run.get();
      } catch (InterruptedException e) {
        discard("its attempt was interrupted while the run started");
        throw e;
      } catch (ExecutionException e) {
        if (e.getCause() instanceof Exception ex) {
          throw ex;
        }
        throw e;
      }
    }

    /** The claim did not get into the log: the run, if started, is ended KILLED (once, whoever calls). */
    void discard(String why) {
      runsAhead.remove(this);
      if (claimed || !discarded.compareAndSet(false, true)) {
        return;
      }
      if (taken.compareAndSet(false, true)) {
        run.complete(null);
        return;
      }
      run.whenComplete((r, t) -> {
        if (r != null) {
          try {
            r.end(RunStatus.KILLED, "step '" + key + "' was not claimed by this process (" + why + ")");
          } catch (RuntimeException e) {
            LOG.warn("execution {}: ending unclaimed run {} of step '{}' failed: {}", id, r.id(), key, e.toString());
          }
        }
      });
    }
  }

  /**
   * What a step attempt produced. {@code toEnd}: the attempt's run, whose END entry the step's
   * thread writes after handing this to the driver, while the driver appends the result
   * ({@code ended} completes when it is durable); null when the run is ended already or there is
   * none.
   */
  private record Outcome(boolean waiting, Map<String, OutputValue> outputs, String run, boolean cacheHit,
      String cacheSource, String cacheKey, Run toEnd, CompletableFuture<Void> ended) {
    Outcome(boolean waiting, Map<String, OutputValue> outputs, String run, boolean cacheHit,
        String cacheSource, String cacheKey) {
      this(waiting, outputs, run, cacheHit, cacheSource, cacheKey, null, CompletableFuture.completedFuture(null));
    }
  }

  /**
   * The claims a new execution's {@code started} entry takes on its first steps, and the runs of
   * those steps started while that entry is written (see {@link #firstClaims}).
   */
  final class FirstClaims {
    private final long at;
    private final Map<String, String> claims = new LinkedHashMap<>();
    private final Map<String, EarlyStart> early = new HashMap<>();

    private FirstClaims(long at) {
      this.at = at;
    }

    /** The {@code started} entry did not get into the store: the runs started beside it are ended KILLED. */
    void discard(String why) {
      early.values().forEach(es -> es.discard(why));
      releaseReservation(); // no driver will run: the ids reserved for the steps' runs are released
    }
  }

  /**
   * Takes, in a new execution's {@code started} entry (not yet written), the claims on the task
   * steps that depend on nothing (at most as many as this process holds at once), as the first
   * pass of {@link #schedule} would have in one {@code claimed} entry each, and starts the runs of
   * the uncached ones at once on the step executor: the entry, the execution's marker and those
   * runs' starts are written at the same time, and each body waits for all of them. The entry
   * then has format {@value ExecutionLog#FORMAT_FIRST_CLAIMS}, which a version that does not read
   * such claims refuses instead of taking the steps for pending.
   *
   * @param started the entry, to which the claims are added
   * @param params the execution's parameters
   * @param now the instant the leases run from
   * @return the claims taken, for {@link #drive(FirstClaims)} once the entry is in the log, or
   *     {@link FirstClaims#discard} if it is not
   */
  FirstClaims firstClaims(ObjectNode started, Map<String, String> params, long now) {
    FirstClaims first = new FirstClaims(now);
    ArrayNode array = null;
    for (String name : pipeline.order()) {
      if (first.claims.size() >= host.maxClaims) {
        break;
      }
      Step step = pipeline.step(name);
      if (step.kind() != StepKind.TASK || !pipeline.dependencies(name).isEmpty()) {
        continue;
      }
      if (array == null) {
        array = started.putArray("claims");
      }
      first.claims.put(name, claim(array.addObject(), name, now));
      if (!step.cached()) {
        EarlyStart es = new EarlyStart(name, 1, params);
        runsAhead.add(es);
        es.begin();
        first.early.put(name, es);
      }
    }
    if (array != null) {
      started.put("v", ExecutionLog.FORMAT_FIRST_CLAIMS);
    }
    return first;
  }

  /**
   * Drives the execution to its end (or until closed).
   *
   * @param first the claims its {@code started} entry took, which is in the log (null: none, or a resume)
   */
  ExecutionResult drive(FirstClaims first) throws InterruptedException {
    try {
      long lastRead = Long.MIN_VALUE;
      if (first != null && !first.claims.isEmpty()) {
        for (Map.Entry<String, String> c : first.claims.entrySet()) {
          EarlyStart es = first.early.get(c.getKey());
          if (es != null) {
            es.claimed(); // the attempt owns its run now
          }
          started(c.getKey(), c.getValue(), first.at, es);
        }
        lastRead = System.nanoTime(); // the log holds only the entry this process wrote
      }
      while (true) {
        stopIfClosed();
        // Re-read the store when waiting on other processes or every poll interval; this process's
        // own appends keep the folded state current in between.
        ExecutionLog.State s;
        if (log.state().finished()) {
          s = log.state(); // (by finish, or as last read): nothing that follows changes the result
        } else if (mine.isEmpty() || System.nanoTime() - lastRead >= Pipelines.nanos(host.poll)) {
          s = log.refresh();
          log.check(pipeline);
          lastRead = System.nanoTime();
        } else {
          s = log.state();
        }
        if (s.finished()) {
          awaitEnds();
          markFinished();
          return s.toResult(id);
        }
        long now = host.clock.millis();
        for (Done d; (d = done.poll()) != null; ) {
          handle(d, now);
          // each result is an append: when many pile up on a slow or contended store, the leases
          // held meanwhile are renewed between them, not only after the last
          renewDue(host.clock.millis());
        }
        for (Local l : List.copyOf(mine.values())) {
          if (l.future != null && now >= l.deadline) {
            l.future.cancel(true);
            l.future = null;
            Run r = l.run;
            if (r != null) {
              try {
                r.end(RunStatus.FAILED, "timed out");
              } catch (RuntimeException alreadyEnded) {
                // the body ended it as it was cancelled
              }
            }
            failure(l, new StepTimeoutException(l.key, step(l.key).timeout().orElseThrow()), now);
          }
        }
        renewDue(now);
        for (Local l : List.copyOf(mine.values())) {
          if (l.future == null && l.retryAt >= 0 && now >= l.retryAt) {
            submit(l, log.state(), now);
          }
        }
        if (schedule(log.state(), now)) {
          continue;
        }
        Done d = done.poll(waitMillis(log.state(), now), TimeUnit.MILLISECONDS);
        if (d != null) {
          handle(d, host.clock.millis());
        }
      }
    } finally {
      for (Local l : mine.values()) {
        if (l.future != null) {
          l.future.cancel(true);
        }
      }
      // runs started ahead for steps this driver will not claim any more (it finished, failed or
      // was closed): a step thread that starts one after this sees the flag and discards it itself
      noRunsAhead = true;
      List.copyOf(runsAhead).forEach(es -> es.discard("the execution's driver in this process stopped"));
      releaseReservation();
    }
  }

  /** Renews every claim held here whose renewal is due at {@code now}. */
  private void renewDue(long now) {
    for (Local l : List.copyOf(mine.values())) {
      if (mine.containsKey(l.key) && now >= l.nextRenew) {
        renew(l, now);
      }
    }
  }

  private long waitMillis(ExecutionLog.State s, long now) {
    long wake = Pipelines.plus(now, Math.max(1, Pipelines.millis(host.lease) / 3));
    boolean foreign = false;
    for (Map.Entry<String, ExecutionLog.StepState> e : s.steps.entrySet()) {
      StepStatus st = e.getValue().status;
      if ((st == StepStatus.RUNNING && !mine.containsKey(e.getKey())) || st == StepStatus.WAITING) {
        foreign = true;
      }
    }
    for (Local l : mine.values()) {
      wake = Math.min(wake, l.nextRenew);
      wake = Math.min(wake, l.deadline);
      if (l.retryAt >= 0) {
        wake = Math.min(wake, l.retryAt);
      }
    }
    long wait = wake - now;
    if (foreign || mine.isEmpty()) {
      wait = Math.min(wait, Pipelines.millis(host.poll));
    }
    return Math.max(1, wait);
  }

  private Step step(String key) {
    int bracket = key.indexOf('[');
    return pipeline.step(bracket < 0 ? key : key.substring(0, bracket));
  }

  /** @return whether anything was appended (the caller loops again at once) */
  private boolean schedule(ExecutionLog.State s, long now) throws InterruptedException {
    Optional<Map.Entry<String, ExecutionLog.StepState>> failed = s.steps.entrySet().stream()
        .filter(e -> e.getValue().status == StepStatus.FAILED && e.getKey().indexOf('[') < 0).findFirst();
    if (failed.isPresent()) {
      for (Local l : mine.values()) {
        if (l.future != null) {
          l.future.cancel(true);
        }
      }
      mine.clear();
      finish(ExecutionStatus.FAILED, "step '" + failed.get().getKey() + "' failed: " + failed.get().getValue().reason);
      return true;
    }
    boolean progressed = false;
    boolean allDone = true;
    for (String name : pipeline.order()) {
      Step step = pipeline.step(name);
      ExecutionLog.StepState st = s.steps.get(name);
      StepStatus status = st == null ? StepStatus.PENDING : st.status;
      if (status.terminal()) {
        continue;
      }
      allDone = false;
      Optional<String> skip = Optional.empty();
      boolean ready = true;
      for (String dep : pipeline.dependencies(name)) {
        ExecutionLog.StepState ds = s.steps.get(dep);
        StepStatus dstat = ds == null ? StepStatus.PENDING : ds.status;
        if (dstat == StepStatus.SKIPPED) {
          skip = Optional.of("step '" + dep + "' it depends on was skipped");
          break;
        }
        if (dstat != StepStatus.SUCCEEDED) {
          ready = false;
          continue;
        }
        Step depStep = pipeline.step(dep);
        if (depStep.kind() == StepKind.CONDITION) {
          boolean branch = Boolean.parseBoolean(ds.outputs.get("branch").value());
          if ((branch && depStep.ifFalse().contains(name)) || (!branch && depStep.ifTrue().contains(name))) {
            skip = Optional.of("condition '" + dep + "' took the " + branch + " branch: " + ds.reason);
            break;
          }
        }
      }
      if (skip.isPresent()) {
        ObjectNode e = ExecutionLog.entry("skipped");
        e.put("step", name);
        e.put("reason", skip.get());
        log.append(e, now2 -> !now2.finished() && pendingOrAbsent(now2, name));
        return true;
      }
      if (!ready) {
        continue;
      }
      switch (step.kind()) {
        case CONDITION -> {
          decide(step, s);
          return true;
        }
        case FAIL -> {
          ObjectNode e = ExecutionLog.entry("failed");
          e.put("step", name);
          e.put("error", "fail step '" + name + "': " + step.message());
          log.append(e, now2 -> !now2.finished() && pendingOrAbsent(now2, name));
          return true;
        }
        case MAP -> {
          List<String> items = s.items.get(name);
          if (items == null) {
            expand(step, s);
            return true;
          }
          boolean allItems = true;
          for (int i = 0; i < items.size(); i++) {
            String key = name + "[" + i + "]";
            ExecutionLog.StepState it = s.steps.get(key);
            StepStatus is = it == null ? StepStatus.PENDING : it.status;
            if (is == StepStatus.FAILED) {
              ObjectNode e = ExecutionLog.entry("failed");
              e.put("step", name);
              e.put("error", "item " + key + " failed: " + it.reason);
              log.append(e, now2 -> !now2.finished() && pendingOrAbsent(now2, name));
              return true;
            }
            if (is != StepStatus.SUCCEEDED) {
              allItems = false;
              progressed |= tryClaim(key, s, now);
            }
          }
          if (allItems) {
            Map<String, OutputValue> agg = new LinkedHashMap<>();
            for (String out : new TreeSet<>(step.outputs().keySet())) {
              List<String> values = new ArrayList<>();
              for (int i = 0; i < items.size(); i++) {
                values.add(s.steps.get(name + "[" + i + "]").outputs.get(out).value());
              }
              agg.put(out, new OutputValue(OutputKind.LIST, String.join("\n", values)));
            }
            ObjectNode e = ExecutionLog.entry("succeeded");
            e.put("step", name);
            e.set("outputs", ExecutionLog.writeOutputs(agg));
            log.append(e, now2 -> !now2.finished() && pendingOrAbsent(now2, name));
            return true;
          }
        }
        default -> {
          if (status == StepStatus.WAITING) {
            if (st.callback != null) {
              completeCallback(step, st);
              return true;
            }
          } else if (reportedUnderDeadClaim(st, name, now)) {
            // the holder died after its body handed the token out, and the external system
            // reported under that claim: the report completes the step, the body does not run again
            completeCallback(step, st);
            return true;
          } else if (step.kind() == StepKind.CALLBACK && waitUnderDeadClaim(name, st, now)) {
            return true; // the body returned before its holder died: the step waits on the token it handed out
          } else {
            progressed |= tryClaim(name, s, now);
          }
        }
      }
    }
    if (allDone) {
      finish(ExecutionStatus.SUCCEEDED, "");
      return true;
    }
    return progressed;
  }

  /**
   * Whether {@code st} is a callback step RUNNING under a claim whose lease expired (no process of
   * this driver holds it) with a report recorded under that claim: it is completed from the report,
   * never taken over.
   */
  private boolean reportedUnderDeadClaim(ExecutionLog.StepState st, String key, long now) {
    return st != null && st.status == StepStatus.RUNNING && st.callback != null && !mine.containsKey(key)
        && st.leaseUntil <= now;
  }

  /**
   * A callback step RUNNING under an expired claim of another process, with no report: if that
   * claim's attempt ended its run FINISHED, its body returned (the token is out; only the
   * {@code waiting} entry was lost with the holder), so the step is recorded as waiting under that
   * claim, keeping the token valid, instead of being taken over and submitted again. Otherwise
   * (the holder died inside the body, or its run cannot be found) the step is taken over.
   *
   * @return whether the log changed (the caller looks again)
   */
  private boolean waitUnderDeadClaim(String key, ExecutionLog.StepState st, long now) {
    if (st == null || st.status != StepStatus.RUNNING || st.callback != null || mine.containsKey(key)
        || st.leaseUntil > now || st.claim.isEmpty() || mine.size() >= host.maxClaims) {
      return false; // (a driver with no claim to spare would not take the step over: no search on every pass)
    }
    String claim = st.claim;
    Optional<RunInfo> run = deadHoldersRun(key, claim);
    if (run.isEmpty() || run.get().status() != RunStatus.FINISHED) {
      return false;
    }
    ObjectNode e = ExecutionLog.entry("waiting");
    e.put("step", key);
    e.put("claim", claim);
    e.put("attempt", st.failedAttempts + 1);
    e.put("run", run.get().id().value());
    LOG.info("execution {}: callback step '{}' returned its token before its holder died; waiting on it", id, key);
    log.append(e, cur -> {
      ExecutionLog.StepState c = cur.steps.get(key);
      return holds(cur, key, claim) && c.status == StepStatus.RUNNING && c.callback == null
          && c.leaseUntil <= host.clock.millis();
    });
    return true;
  }

  private static boolean pendingOrAbsent(ExecutionLog.State s, String key) {
    ExecutionLog.StepState st = s.steps.get(key);
    return st == null || st.status == StepStatus.PENDING;
  }

  private static boolean holds(ExecutionLog.State s, String key, String claim) {
    ExecutionLog.StepState st = s.steps.get(key);
    return !s.finished() && st != null && st.claim.equals(claim) && !st.status.terminal();
  }

  private void finish(ExecutionStatus status, String reason) throws InterruptedException {
    awaitEnds(); // every run of a committed step has ended before the execution does
    endOrphanedRuns(o -> !o.equals(host.owner)); // those of other processes too (one may have died between)
    ObjectNode e = ExecutionLog.entry("finished");
    e.put("status", status.name());
    e.put("reason", reason);
    e.put("at", host.clock.millis());
    log.append(e, s -> !s.finished());
    markFinished();
  }

  private void markFinished() {
    if (markedFinished) {
      return;
    }
    try {
      host.store.create(Pipelines.indexKey(pipeline.name(), "finished", id), new byte[0]);
    } catch (AlreadyExistsException already) {
      // another process recorded it
    }
    markedFinished = true;
  }

  private boolean tryClaim(String key, ExecutionLog.State s, long loopStart) throws InterruptedException {
    if (mine.containsKey(key) || mine.size() >= host.maxClaims) {
      // this process holds enough steps to keep its executor busy: a claim beyond that would only
      // wait in the executor's queue while its lease has to be renewed (on a slow store, more held
      // claims than renewals fit in a lease let another process take live steps over)
      return false;
    }
    long now = Math.max(loopStart, host.clock.millis()); // the appends before this one took time
    ExecutionLog.StepState st = s.steps.get(key);
    // A claim is taken over only if it had expired at loopStart: the instant at which schedule
    // judged, for a callback step, whether its dead holder's body had returned (then the step
    // waits on its token and the body must not run again). Judged at the later now, a lease that
    // expired in between would be taken over without that check.
    if (st != null && (st.status == StepStatus.WAITING || (st.status == StepStatus.RUNNING
        && (st.leaseUntil > loopStart || st.callback != null)))) {
      return false; // a report under an expired claim completes the step instead (schedule)
    }
    String seen = st == null ? "" : st.claim;
    ObjectNode e = ExecutionLog.entry("claimed");
    String claim = claim(e, key, now);
    if (!seen.isEmpty()) {
      e.put("takeover", seen);
      LOG.info("execution {}: taking over step '{}' whose lease expired", id, key);
    }
    // A pending uncached task step's run starts at the same time as this append, as for the steps
    // a success claims (see handle): its body waits for both; a run whose claim did not get in is
    // ended KILLED. Not for a takeover: the step's first attempt may have its run already.
    Step step = step(key);
    EarlyStart early = null;
    if (seen.isEmpty() && step.kind() == StepKind.TASK && !step.cached()) {
      early = new EarlyStart(key, st == null ? 1 : st.failedAttempts + 1, s.parameters);
      runsAhead.add(early);
      early.begin();
    }
    boolean won = false;
    try {
      won = log.append(e, cur -> {
        ExecutionLog.StepState c = cur.steps.get(key);
        if (cur.finished()) {
          return false;
        }
        if (c == null || c.status == StepStatus.PENDING) {
          return true;
        }
        // a callback report recorded under the expired claim meanwhile: complete from it, not take over
        return c.status == StepStatus.RUNNING && c.claim.equals(seen) && c.leaseUntil <= loopStart && c.callback == null;
      });
    } finally {
      if (!won && early != null) {
        early.discard("the entry claiming it was not appended");
      }
    }
    if (!won) {
      return true; // the log moved: look again
    }
    if (early != null) {
      early.claimed(); // the attempt owns its run now
    }
    started(key, claim, now, early);
    return true;
  }

  private void renew(Local l, long loopStart) {
    long now = Math.max(loopStart, host.clock.millis()); // the renewals before this one took time
    ObjectNode e = ExecutionLog.entry("renewed");
    e.put("step", l.key);
    e.put("claim", l.claim);
    e.put("leaseUntil", Pipelines.plus(now, Pipelines.millis(host.lease)));
    if (!log.append(e, s -> holds(s, l.key, l.claim))) {
      lost(l);
      return;
    }
    l.nextRenew = Pipelines.plus(now, Math.max(1, Pipelines.millis(host.lease) / 3));
  }

  private void lost(Local l) {
    LOG.warn("execution {}: lost the claim on step '{}' (taken over after its lease expired); dropping this attempt", id, l.key);
    if (l.future != null) {
      l.future.cancel(true);
    }
    mine.remove(l.key);
  }

  private void stopIfClosed() throws InterruptedException {
    if (host.closed() || Thread.currentThread().isInterrupted()) {
      throw new InterruptedException("pipelines closed while driving execution " + id + "; resume it later");
    }
  }

  private void handle(Done d, long now) throws InterruptedException {
    stopIfClosed(); // a step interrupted by close() is not a failure
    if (d.outcome() == null && d.failure() == null) {
      return; // an attempt started: its deadline is set, and the driver's next wait accounts for it
    }
    Local l = mine.get(d.key());
    if (l == null || !l.claim.equals(d.claim()) || l.attempt != d.attempt() || l.future == null) {
      d.preStarts().values().forEach(es -> es.discard("the attempt before it was cancelled or superseded"));
      return; // a cancelled or superseded attempt
    }
    l.future = null;
    if (d.failure() != null) {
      failure(l, d.failure(), now);
      return;
    }
    Outcome o = d.outcome();
    ObjectNode e = ExecutionLog.entry(o.waiting() ? "waiting" : "succeeded");
    e.put("step", l.key);
    e.put("claim", l.claim);
    e.put("attempt", l.attempt);
    e.put("run", o.run());
    if (!o.waiting()) {
      e.set("outputs", ExecutionLog.writeOutputs(o.outputs()));
      if (!o.cacheKey().isEmpty()) {
        e.put("cacheKey", o.cacheKey());
      }
      if (o.cacheHit()) {
        e.put("cacheHit", true);
        e.put("cacheSource", o.cacheSource());
      }
    }
    // The steps this success makes ready are claimed in the same entry: one durable append
    // commits the result and takes the next claims (each claim is still in the log before its
    // step runs). If that entry cannot be appended as is, the result alone is tried.
    List<String> next = o.waiting() ? List.of() : readyAfter(l.key);
    Map<String, String> claims = new LinkedHashMap<>();
    now = Math.max(now, host.clock.millis()); // the leases run from this append, not from the loop's start
    if (!next.isEmpty()) {
      ArrayNode array = e.putArray("claims");
      for (String n : next) {
        claims.put(n, claim(array.addObject(), n, now));
      }
    }
    // The runs of the steps claimed here start at the same time as the append (their bodies wait
    // for it): on file: that overlaps the run's START and index writes with the entry's create.
    Map<String, EarlyStart> early = new HashMap<>();
    for (String n : claims.keySet()) {
      Step ns = step(n);
      if (ns.kind() == StepKind.TASK && !ns.cached()) {
        ExecutionLog.StepState cur = log.state().steps.get(n);
        int attempt = cur == null ? 1 : cur.failedAttempts + 1;
        EarlyStart es = d.preStarts().get(n);
        if (es == null || es.attempt != attempt) {
          es = new EarlyStart(n, attempt, log.state().parameters);
          es.begin();
        }
        early.put(n, es);
      }
    }
    for (Map.Entry<String, EarlyStart> p : d.preStarts().entrySet()) {
      if (early.get(p.getKey()) != p.getValue()) {
        p.getValue().discard("it was not claimed with the result of step '" + l.key + "'");
      }
    }
    boolean committed = false;
    try {
      committed = !claims.isEmpty() && log.append(e, s -> holds(s, l.key, l.claim)
          && s.steps.get(l.key).status == StepStatus.RUNNING && next.stream().allMatch(n -> pendingOrAbsent(s, n)));
    } finally {
      if (!committed) {
        early.values().forEach(es -> es.discard("the entry claiming it was not appended"));
        early.clear();
      }
    }
    if (!committed) {
      claims.clear();
      e.remove("claims");
      if (!log.append(e, s -> holds(s, l.key, l.claim) && s.steps.get(l.key).status == StepStatus.RUNNING)) {
        LOG.warn("execution {}: step '{}' finished but its claim no longer holds; its result is dropped", id, l.key);
      }
    }
    early.values().forEach(EarlyStart::claimed); // the attempts own their runs now
    mine.remove(l.key);
    if (o.toEnd() != null) {
      // its END is written while the next steps start; awaited before a register step or the finish
      pendingEnds.removeIf(p -> p.ended().isDone() && !p.ended().isCompletedExceptionally());
      pendingEnds.add(o);
    }
    for (Map.Entry<String, String> c : claims.entrySet()) {
      started(c.getKey(), c.getValue(), now, early.get(c.getKey()));
    }
  }

  /**
   * The steps that become ready to run once {@code finished} succeeds and that a claim can be
   * taken on with its result: pending task, register and callback steps that depend on it, whose
   * other dependencies have all succeeded, none of them a condition (conditions, fail, map steps
   * and skips go through {@link #schedule}). None while some step has failed for good.
   */
  private List<String> readyAfter(String finished) {
    if (finished.indexOf('[') >= 0) {
      return List.of(); // a map item: its map step aggregates
    }
    ExecutionLog.State s = log.state();
    if (s.finished() || s.steps.entrySet().stream()
        .anyMatch(x -> x.getValue().status == StepStatus.FAILED && x.getKey().indexOf('[') < 0)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    int free = host.maxClaims == Integer.MAX_VALUE ? Integer.MAX_VALUE : host.maxClaims - (mine.size() - 1);
    for (String name : pipeline.order()) {
      if (out.size() >= free) {
        break; // no more claims than the executor can use (see tryClaim)
      }
      Set<String> deps = pipeline.dependencies(name);
      StepKind kind = pipeline.step(name).kind();
      if (!deps.contains(finished) || mine.containsKey(name) || !pendingOrAbsent(s, name)
          || (kind != StepKind.TASK && kind != StepKind.REGISTER && kind != StepKind.CALLBACK)) {
        continue;
      }
      boolean ready = true;
      for (String dep : deps) {
        ExecutionLog.StepState ds = s.steps.get(dep);
        if (pipeline.step(dep).kind() == StepKind.CONDITION
            || (!dep.equals(finished) && (ds == null || ds.status != StepStatus.SUCCEEDED))) {
          ready = false;
          break;
        }
      }
      if (ready) {
        out.add(name);
      }
    }
    return out;
  }

  /**
   * Writes a new claim on {@code step} held by this process into {@code n} (a {@code claimed}
   * entry, or one of an entry's {@code claims}), its lease running from {@code now}.
   *
   * @return the claim's id
   */
  private String claim(ObjectNode n, String step, long now) {
    String claim = newClaim();
    n.put("step", step);
    n.put("claim", claim);
    n.put("owner", host.owner);
    n.put("leaseUntil", Pipelines.plus(now, Pipelines.millis(host.lease)));
    return claim;
  }

  private static String newClaim() {
    return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
  }

  /** After a claim on {@code key} is in the log: holds it here and submits its first attempt. */
  private void started(String key, String claim, long now) throws InterruptedException {
    started(key, claim, now, null);
  }

  /** {@link #started(String, String, long)} with the run started at the same time as the claim, if any. */
  private void started(String key, String claim, long now, EarlyStart early) throws InterruptedException {
    ExecutionLog.StepState cur = log.state().steps.get(key);
    Local l = new Local(key, claim, cur.failedAttempts + 1);
    l.early = early;
    l.nextRenew = Pipelines.plus(now, Math.max(1, Pipelines.millis(host.lease) / 3));
    mine.put(key, l);
    submit(l, log.state(), now);
  }

  private void failure(Local l, Throwable t, long now) {
    Step step = step(l.key);
    String error = describe(l.key, l.attempt, t);
    if (step.retry().retries(t, l.attempt)) {
      ObjectNode e = ExecutionLog.entry("attempt");
      e.put("step", l.key);
      e.put("claim", l.claim);
      e.put("attempt", l.attempt);
      e.put("error", error);
      if (!log.append(e, s -> holds(s, l.key, l.claim))) {
        lost(l);
        return;
      }
      Random jitter = new Random(host.seed ^ (31L * l.key.hashCode()) ^ l.attempt);
      l.retryAt = Pipelines.plus(now, Pipelines.millis(step.retry().backoff(l.attempt, jitter)));
      l.attempt++;
      return;
    }
    ObjectNode e = ExecutionLog.entry("failed");
    e.put("step", l.key);
    e.put("claim", l.claim);
    e.put("attempts", l.attempt);
    Run failedRun = l.run;
    if (failedRun != null) {
      e.put("run", failedRun.id().value());
    }
    e.put("error", error);
    if (l.key.indexOf('[') < 0) {
      noRunsAhead = true; // no step is claimed after a step failed for good: start no run ahead for one
    }
    log.append(e, s -> holds(s, l.key, l.claim));
    mine.remove(l.key);
  }

  private static String describe(String key, int attempt, Throwable t) {
    String msg = t.getMessage();
    return "attempt " + attempt + " of step '" + key + "' failed: " + t.getClass().getName() + (msg == null ? "" : ": " + msg);
  }

  private void decide(Step step, ExecutionLog.State s) {
    Map<String, OutputValue> inputs = inputs(step, s);
    Decision d;
    ObjectNode e;
    try {
      d = step.condition().orElseThrow().decide(new Condition.ConditionContext() {
        @Override
        public OutputValue input(String ref) {
          return read(step.name(), inputs, ref);
        }

        @Override
        public String parameter(String name) {
          return param(step.name(), s.parameters, name);
        }

        @Override
        public Workspace workspace() {
          return host.workspace;
        }
      });
      e = ExecutionLog.entry("succeeded");
      e.put("reason", d.reason());
      e.set("outputs", ExecutionLog.writeOutputs(Map.of(
          "branch", new OutputValue(OutputKind.PARAMETER, Boolean.toString(d.passed())),
          "reason", new OutputValue(OutputKind.PARAMETER, d.reason()))));
    } catch (Exception | Error ex) { // an Error too: the condition is user code, and the driver must record it
      e = ExecutionLog.entry("failed");
      e.put("error", describe(step.name(), 1, ex));
    }
    e.put("step", step.name());
    log.append(e, cur -> !cur.finished() && pendingOrAbsent(cur, step.name()));
  }

  private void expand(Step step, ExecutionLog.State s) {
    List<String> items = step.items();
    if (step.itemsFrom().isPresent()) {
      OutputValue v = inputs(step, s).get(step.itemsFrom().get());
      items = v.kind() == OutputKind.LIST ? v.list()
          : v.value().isEmpty() ? List.of() : List.of(v.value().split("\n", -1));
    }
    ObjectNode e = ExecutionLog.entry("expanded");
    e.put("step", step.name());
    items.forEach(e.putArray("items")::add);
    log.append(e, cur -> !cur.finished() && !cur.items.containsKey(step.name()));
  }

  /**
   * Commits a callback step's result from the report recorded under its claim: the step WAITING,
   * or RUNNING under a dead holder's claim (lease expired; its body handed the token out but its
   * {@code waiting} entry never got in). In the second case the dead attempt's run (found by its
   * {@code pipeline.claim} tag) is named in the entry and, once the entry is in, ended as the
   * report says if it is still RUNNING.
   */
  private void completeCallback(Step step, ExecutionLog.StepState st) {
    ObjectNode cb = st.callback;
    ObjectNode e;
    if (cb.path("ok").asBoolean()) {
      Map<String, OutputValue> outs;
      String problem = null;
      try {
        outs = ExecutionLog.readOutputs(st.claim, cb.path("outputs"));
        TreeSet<String> undeclared = new TreeSet<>(outs.keySet());
        undeclared.removeAll(step.outputs().keySet());
        TreeSet<String> missing = new TreeSet<>(step.outputs().keySet());
        missing.removeAll(outs.keySet());
        if (!undeclared.isEmpty()) {
          problem = "callback of step '" + step.name() + "' reported undeclared output(s) " + undeclared;
        } else if (!missing.isEmpty()) {
          problem = "callback of step '" + step.name() + "' did not report declared output(s) " + missing;
        }
      } catch (RuntimeException bad) {
        outs = Map.of();
        problem = "callback of step '" + step.name() + "' reported bad outputs: " + bad.getMessage();
      }
      if (problem == null) {
        e = ExecutionLog.entry("succeeded");
        e.set("outputs", ExecutionLog.writeOutputs(outs));
      } else {
        e = ExecutionLog.entry("failed");
        e.put("error", problem);
      }
    } else {
      e = ExecutionLog.entry("failed");
      e.put("error", "callback of step '" + step.name() + "' reported failure: " + cb.path("message").asText());
    }
    e.put("step", step.name());
    e.put("claim", st.claim);
    String claim = st.claim;
    boolean dead = st.status == StepStatus.RUNNING;
    Optional<RunInfo> orphan = Optional.empty();
    if (dead) {
      e.put("attempt", st.failedAttempts + 1);
      orphan = deadHoldersRun(step.name(), claim);
      orphan.ifPresent(r -> e.put("run", r.id().value()));
      LOG.info("execution {}: completing callback step '{}' from the report under the claim of its dead holder", id,
          step.name());
    }
    boolean appended = log.append(e, cur -> {
      if (!holds(cur, step.name(), claim)) {
        return false;
      }
      ExecutionLog.StepState c = cur.steps.get(step.name());
      return c.status == StepStatus.WAITING
          || (c.status == StepStatus.RUNNING && c.callback != null && c.leaseUntil <= host.clock.millis());
    });
    if (appended && orphan.isPresent() && orphan.get().status() == RunStatus.RUNNING) {
      // after the entry: had the holder been alive after all (it renewed), its run stays its own
      boolean succeeded = e.path("type").asText().equals("succeeded");
      try {
        host.workspace.experiments().run(orphan.get().id()).end(succeeded ? RunStatus.FINISHED : RunStatus.FAILED,
            succeeded ? "" : e.path("error").asText());
      } catch (RuntimeException endedMeanwhile) {
        LOG.warn("execution {}: ending run {} of callback step '{}' failed: {}", id, orphan.get().id(), step.name(),
            endedMeanwhile.toString());
      }
    }
  }

  /**
   * The newest run that an attempt of callback step {@code key} started under {@code claim} (its
   * {@code pipeline.claim} tag), if the run search finds one.
   */
  private Optional<RunInfo> deadHoldersRun(String key, String claim) {
    try {
      return host.workspace.experiments().search(RunQuery.builder().experiment(experiment)
          .tag("pipeline.execution", id).tag("pipeline.step", key).tag("pipeline.claim", claim)
          .orderByStartTime(true).pageSize(10).build()).runs().stream().findFirst();
    } catch (RuntimeException e) {
      LOG.warn("execution {}: the run of callback step '{}' under claim {} could not be searched: {}", id, key, claim,
          e.toString());
      return Optional.empty();
    }
  }

  private Map<String, OutputValue> inputs(Step step, ExecutionLog.State s) {
    Map<String, OutputValue> in = new LinkedHashMap<>();
    for (String ref : step.reads()) {
      String[] parts = Pipeline.splitRef(step.name(), ref);
      in.put(ref, s.steps.get(parts[0]).outputs.get(parts[1]));
    }
    return in;
  }

  private static OutputValue read(String step, Map<String, OutputValue> inputs, String ref) {
    OutputValue v = inputs.get(ref);
    if (v == null) {
      throw new IllegalArgumentException("step '" + step + "' reads '" + ref + "' but does not declare it; "
          + "declare it with reads(\"" + ref + "\") (it reads " + inputs.keySet() + ")");
    }
    return v;
  }

  private static String param(String step, Map<String, String> params, String name) {
    String v = params.get(name);
    if (v == null) {
      throw new IllegalArgumentException("step '" + step + "' asks for parameter '" + name
          + "', which the execution was not started with (it has " + new TreeSet<>(params.keySet()) + ")");
    }
    return v;
  }

  private void submit(Local l, ExecutionLog.State s, long now) throws InterruptedException {
    Step step = step(l.key);
    if (step.kind() == StepKind.REGISTER) {
      awaitEnds(); // the version's lineage names runs of this execution: they have ended first
    }
    Map<String, OutputValue> inputs = inputs(step, s);
    Map<String, String> params = s.parameters;
    Optional<String> item = Optional.empty();
    int bracket = l.key.indexOf('[');
    if (bracket >= 0) {
      item = Optional.of(s.items.get(step.name()).get(Integer.parseInt(l.key.substring(bracket + 1, l.key.length() - 1))));
    }
    Map<String, String> runs = new java.util.TreeMap<>(); // the lineage a register step records
    if (step.kind() == StepKind.REGISTER) {
      s.steps.forEach((k, v) -> {
        if (v.status == StepStatus.SUCCEEDED && !v.run.isEmpty()) {
          runs.put(k, v.run);
        }
      });
    }
    Optional<String> training = step.trainingStep().map(t -> s.steps.get(t).run);
    int attempt = l.attempt;
    Optional<String> theItem = item;
    l.retryAt = -1;
    l.deadline = Long.MAX_VALUE;
    Optional<java.time.Duration> timeout = step.timeout();
    Runnable attemptBody = () -> {
      if (!host.enterStep()) {
        return; // closed before the body started: nothing is recorded, the claim lapses
      }
      if (timeout.isPresent()) {
        // the timeout counts from here: an attempt queued behind others on a small executor has not started
        l.deadline = Pipelines.plus(host.clock.millis(), Pipelines.millis(timeout.get()));
        done.add(new Done(l.key, l.claim, attempt, null, null)); // wakes the driver to watch the deadline
      }
      try {
        Outcome o = switch (step.kind()) {
          case REGISTER -> register(step, l, inputs, params, runs, training);
          default -> task(step, l, inputs, params, theItem);
        };
        Map<String, EarlyStart> pre = o.waiting() ? Map.of() : preStarts(l.key, params);
        runsAhead.addAll(pre.values());
        done.add(new Done(l.key, l.claim, attempt, o, null, pre));
        // the next runs of a chain start now, while the driver appends this result with their
        // claims; this run's END follows (the driver waits for it only before a register step or
        // the finish, see docs/pipelines.md, "Ordering of a step's writes")
        for (EarlyStart es : pre.values()) {
          es.startHere();
          if (noRunsAhead) {
            es.discard("the execution's driver in this process stopped"); // nothing if the driver claimed it
          }
        }
        if (o.toEnd() != null) {
          endRun(o);
        }
      } catch (Throwable t) {
        done.add(new Done(l.key, l.claim, attempt, null, t));
      } finally {
        host.exitStep();
      }
    };
    try {
      l.future = host.steps.submit(attemptBody);
    } catch (java.util.concurrent.RejectedExecutionException full) {
      if (host.steps.isShutdown()) {
        throw new IllegalStateException("execution " + id + ": the step executor is shut down, so step '" + l.key
            + "' cannot run; resume the execution with a running executor", full);
      }
      // a host executor with a bounded queue is full: try again after a poll interval (the claim is renewed meanwhile)
      l.future = null;
      l.retryAt = Pipelines.plus(now, Pipelines.millis(host.poll));
    }
  }

  /**
   * The runs to start on a finished step's own thread, before the driver has appended its result:
   * one per step that can follow it only (an uncached task step whose single dependency is
   * {@code finished}, which is then pending: it cannot have run before its only dependency
   * succeeded), as a first attempt. The driver takes each one it claims with the result (see
   * {@link #handle}); one it does not claim (another step failed meanwhile, or the claim cap) is
   * ended KILLED, like a run whose claim did not get into the log.
   */
  private Map<String, EarlyStart> preStarts(String finished, Map<String, String> params) {
    List<String> next = chainSuccessors.getOrDefault(finished, List.of()); // none for a map item "step[i]"
    if (next.isEmpty() || noRunsAhead) {
      return Map.of();
    }
    Map<String, EarlyStart> out = new HashMap<>();
    for (String n : next) {
      out.put(n, new EarlyStart(n, 1, params));
    }
    return out;
  }

  /** Writes the END entry of a succeeded attempt's run (on the step's thread) and reports it. */
  private static void endRun(Outcome o) {
    try {
      o.toEnd().close();
      o.ended().complete(null);
    } catch (Throwable t) {
      o.ended().completeExceptionally(t);
    }
  }

  /**
   * Waits until the runs of this process's succeeded attempts have their END entries; where the
   * step's thread could not write one, tries once more here, then gives up with the failure (the
   * execution stops unfinished; a resume ends the run, see {@link #endOrphanedRuns}).
   */
  private void awaitEnds() throws InterruptedException {
    for (Outcome o : pendingEnds) {
      try {
        o.ended().get();
      } catch (ExecutionException e) {
        LOG.warn("execution {}: ending run {} failed ({}); trying again", id, o.run(), e.getCause().toString());
        o.toEnd().close();
      }
    }
    pendingEnds.clear();
  }

  /**
   * On resume: ends, FINISHED, the runs of steps whose success is in the log but whose END entry
   * is not (the process stopped between the two, which are written at the same time). Their
   * metric segments were stored before the success was appended, so the END records them all.
   */
  void endOrphanedRuns() {
    endOrphanedRuns(owner -> true);
  }

  /** {@link #endOrphanedRuns()} for the steps whose claim's owner passes {@code owners}. */
  private void endOrphanedRuns(java.util.function.Predicate<String> owners) {
    endOrphanedRuns(host.workspace, id, log.state(), owners);
  }

  /**
   * Ends, FINISHED, the still-RUNNING runs of the steps committed in {@code s} whose claim's owner
   * passes {@code owners} (also used by {@link Pipelines#abandon}).
   */
  static void endOrphanedRuns(Workspace workspace, String id, ExecutionLog.State s,
      java.util.function.Predicate<String> owners) {
    for (Map.Entry<String, ExecutionLog.StepState> e : s.steps.entrySet()) {
      ExecutionLog.StepState st = e.getValue();
      if (st.status != StepStatus.SUCCEEDED || st.cacheHit || st.run.isEmpty() || !owners.test(st.owner)) {
        continue;
      }
      Run run;
      try {
        run = workspace.experiments().run(RunId.of(st.run));
      } catch (NotFoundException gone) {
        restoreRun(workspace, id, s, e.getKey(), st);
        continue;
      }
      if (run.info().status() == RunStatus.RUNNING) {
        LOG.info("execution {}: ending run {} of step '{}', whose success is in the log", id, st.run, e.getKey());
        run.close();
      }
    }
  }

  /**
   * A step's run started deferred (see {@link #startRun(String, int, Map, String, String)}) is
   * written with its END, at the same time as the driver appends the step's success; a process
   * that died between the two left a success naming a run that is not in the store. It is written
   * now, ended FINISHED, with what its START held: the step's name, the execution's parameters and
   * the step run's tags.
   */
  private static void restoreRun(Workspace workspace, String id, ExecutionLog.State s, String key,
      ExecutionLog.StepState st) {
    if (!(workspace instanceof dev.mlops.core.CoreWorkspace core)) {
      LOG.warn("execution {}: step '{}' names run {}, which is not in the store", id, key, st.run);
      return;
    }
    if (core.restoreRun(experimentOf(s.pipeline), RunId.of(st.run), key, s.parameters,
        stepRunTags(s.pipeline, id, key, st.failedAttempts + 1, "", ""),
        "restored on resume: its process stopped after the step's success was stored and before the run was")) {
      LOG.info("execution {}: run {} of step '{}', whose success is in the log, was not in the store; restored",
          id, st.run, key);
    }
  }

  private Run startRun(Local l, Map<String, String> params, String cacheKey) throws Exception {
    EarlyStart early = l.early;
    l.early = null; // a retry starts its own run
    Run run = early == null ? null : early.take(l);
    if (run == null) {
      // a callback step's run is tagged with its claim: a process that completes the step from a
      // report recorded under a dead holder's claim finds (and ends) that holder's run by it
      run = startRun(l.key, l.attempt, params, cacheKey, step(l.key).kind() == StepKind.CALLBACK ? l.claim : "");
    }
    l.run = run;
    return run;
  }

  private Run startRun(String key, int attempt, Map<String, String> params, String cacheKey) {
    return startRun(key, attempt, params, cacheKey, "");
  }

  /**
   * Starts a step attempt's run, with its params and tags in its START (one write). An uncached
   * task step's run takes a reserved id and starts deferred: a body that writes nothing to its run
   * has the run stored as one entry with its END, one durable create instead of two (see
   * docs/pipelines.md, "Ordering of a step's writes").
   */
  private Run startRun(String key, int attempt, Map<String, String> params, String cacheKey, String claim) {
    Map<String, String> tags = stepRunTags(pipeline.name(), id, key, attempt, cacheKey, claim);
    Step step = step(key);
    dev.mlops.core.RunReservation r = step.kind() == StepKind.TASK && !step.cached() && key.indexOf('[') < 0
        ? reservation() : null;
    return r != null ? r.startRunDeferred(key, params, tags)
        : host.workspace.experiments().startRun(experiment, key, params, tags);
  }

  /** The experiment a pipeline's step runs are in. */
  private static String experimentOf(String pipeline) {
    return "pipeline." + pipeline;
  }

  private static Map<String, String> stepRunTags(String pipeline, String id, String key, int attempt, String cacheKey,
      String claim) {
    Map<String, String> tags = new java.util.TreeMap<>();
    tags.put("pipeline", pipeline);
    tags.put("pipeline.execution", id);
    tags.put("pipeline.step", key);
    tags.put("pipeline.attempt", Integer.toString(attempt));
    if (!cacheKey.isEmpty()) {
      tags.put("pipeline.cache-key", cacheKey);
    }
    if (!claim.isEmpty()) {
      tags.put("pipeline.claim", claim);
    }
    return tags;
  }

  /**
   * The run ids reserved for this execution's uncached task steps, made by the first call: their
   * search index start entries are stored together, beside the first of those runs' START, so
   * each step's run start is one durable create, not two (see docs/pipelines.md, "Ordering of a
   * step's writes"). Runs beyond them (retries) start as any run does.
   */
  private synchronized dev.mlops.core.RunReservation reservation() {
    if (!reserved) {
      reserved = true;
      if (host.workspace instanceof dev.mlops.core.CoreWorkspace core) {
        // from the definition, not the log's state: its lock is held while the started entry is
        // written, and the first step's run starts at the same time (a resume releases the ids
        // of the steps that had succeeded)
        int count = 0;
        for (String n : pipeline.order()) {
          Step st = pipeline.step(n);
          if (st.kind() == StepKind.TASK && !st.cached()) {
            count++;
          }
        }
        if (count > 0 && !noRunsAhead) {
          reservation = core.reserveRuns(experiment, Math.min(count, dev.mlops.core.RunReservation.MAX));
        }
      }
    }
    return reservation;
  }

  /** The driver stopped: the reserved ids not started are released (see {@link #reservation}). */
  private void releaseReservation() {
    dev.mlops.core.RunReservation r;
    synchronized (this) {
      reserved = true; // none is made after this
      r = reservation;
    }
    if (r != null) {
      r.close();
    }
  }

  private Outcome task(Step step, Local l, Map<String, OutputValue> inputs, Map<String, String> params,
      Optional<String> item) throws Exception {
    String cacheKey = "";
    long epoch = 0;
    if (step.cached()) {
      cacheKey = StepCache.key(pipeline.name(), step.name(), CodeVersion.of(step), params, inputs, item);
      StepCache.Lookup found = host.cache.lookupOrClaim(cacheKey, step.cacheFor(),
          new StepCache.Owner(pipeline.name(), id, l.key, l.claim), this::alive);
      if (found instanceof StepCache.Hit hit) {
        checkCached(step, l.key, hit.outputs(), hit.key());
        if (hit.sourceExecution().equals(id)) {
          // this execution's own result, stored by an earlier attempt of this step whose process
          // stopped before its END and success: the hit's success names that run, so end it first
          endStrandedRun(l.key, hit.sourceRun());
        }
        return new Outcome(false, hit.outputs(), hit.sourceRun(), true, hit.sourceExecution(), cacheKey);
      }
      epoch = ((StepCache.Claimed) found).epoch();
    }
    Run run = startRun(l, params, cacheKey);
    String token = step.kind() == StepKind.CALLBACK ? pipeline.name() + ":" + id + ":" + l.key + ":" + l.claim : null;
    Context ctx = new Context(step, l.key, inputs, params, item, run, token);
    try {
      step.body().orElseThrow().run(ctx);
      if (step.kind() != StepKind.CALLBACK) {
        ctx.checkComplete();
      }
    } catch (Throwable t) {
      failRun(run, t);
      throw t;
    }
    if (step.kind() == StepKind.CALLBACK) {
      run.close();
      return new Outcome(true, Map.of(), run.id().value(), false, "", "");
    }
    // The run's metric segments are stored before the driver may commit the result; its END
    // entry is written after the outcome is handed over, at the same time as the driver appends
    // the result, and the driver waits for both (see docs/pipelines.md, "Ordering").
    run.flush();
    Map<String, OutputValue> outputs = ctx.outputs();
    if (step.cached()) {
      outputs = host.cache.publish(cacheKey, epoch, outputs, id, run.id().value());
      checkCached(step, l.key, outputs, StepCache.resultKey(cacheKey, epoch)); // another writer's result may have been kept
    }
    return new Outcome(false, outputs, run.id().value(), false, "", cacheKey, run, new CompletableFuture<>());
  }

  /**
   * Ends, FINISHED, a run whose attempt stored its cache result (after its metric segments) but
   * not its END; nothing if it has ended or is not in the store. Idempotent: if the attempt's own
   * thread is still writing the END, one of the two writes ends it and the other does nothing.
   */
  private void endStrandedRun(String key, String runId) {
    if (runId.isEmpty()) {
      return;
    }
    Run run;
    try {
      run = host.workspace.experiments().run(RunId.of(runId));
    } catch (NotFoundException gone) {
      LOG.warn("execution {}: step '{}' reuses the cached result of run {}, which is not in the store", id, key, runId);
      return;
    }
    if (run.info().status() == RunStatus.RUNNING) {
      LOG.info("execution {}: ending run {} of step '{}', whose cached result is reused", id, runId, key);
      run.close();
    }
  }

  /** @throws CorruptDataException naming the cache result if its outputs are not those {@code step} declares */
  private static void checkCached(Step step, String key, Map<String, OutputValue> outputs, String resultKey) {
    Map<String, OutputKind> actual = new java.util.TreeMap<>();
    outputs.forEach((k, v) -> actual.put(k, v.kind()));
    if (!actual.equals(new java.util.TreeMap<>(step.outputs()))) {
      throw new dev.mlops.CorruptDataException("pipeline cache result '" + resultKey + "' holds outputs " + actual
          + " but step '" + key + "' declares " + new java.util.TreeMap<>(step.outputs()));
    }
  }

  /** Whether a cache claim's owner still runs its step: its claim holds the step under a live lease. */
  private boolean alive(StepCache.Owner owner) {
    // the owner's log is kept between polls, so each poll reads only the entries appended since
    ExecutionLog other = owner.execution().equals(id) && owner.pipeline().equals(pipeline.name()) ? log
        : others.computeIfAbsent(owner.pipeline() + "/" + owner.execution(),
            k -> new ExecutionLog(host.store, owner.pipeline(), owner.execution()));
    ExecutionLog.State s = other.refresh();
    ExecutionLog.StepState st = s.steps.get(owner.step());
    return !s.finished() && st != null && st.status == StepStatus.RUNNING && st.claim.equals(owner.claim())
        && st.leaseUntil > host.clock.millis();
  }

  private Outcome register(Step step, Local l, Map<String, OutputValue> inputs, Map<String, String> params,
      Map<String, String> runs, Optional<String> training) {
    var registry = host.workspace.registry();
    Optional<ModelVersion> existing;
    try {
      existing = registry.versions(step.model()).stream()
          .filter(v -> id.equals(v.tags().get("pipeline.execution")) && step.name().equals(v.tags().get("pipeline.step")))
          .findFirst();
    } catch (NotFoundException none) {
      existing = Optional.empty();
    }
    Run run = startRun(l.key, l.attempt, params, ""); // a register step never starts early
    l.run = run;
    try {
      ModelVersion mv;
      if (existing.isPresent()) {
        mv = existing.get(); // registered before a crash, not yet recorded: do not register twice
      } else {
        Registration.Builder b = Registration.builder()
            .description("registered by pipeline '" + pipeline.name() + "' execution " + id + " step '" + step.name() + "'")
            .tag("pipeline", pipeline.name())
            .tag("pipeline.execution", id)
            .tag("pipeline.step", step.name())
            .tag("pipeline.runs", runs.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .reduce((a, c) -> a + "," + c).orElse(""));
        for (Map.Entry<String, String> a : step.registerArtifacts().entrySet()) {
          Digest digest = inputs.get(a.getValue()).digest();
          ArtifactRef ref = host.workspace.artifacts().get(digest);
          b.artifact(a.getKey(), ref);
        }
        for (String ds : step.registerDatasets()) {
          b.dataset(inputs.get(ds).digest());
        }
        training.filter(r -> !r.isEmpty()).ifPresent(r -> b.trainingRun(RunId.of(r)));
        mv = registry.register(step.model(), b.build());
      }
      run.setTag("pipeline.registered", mv.ref());
      run.close();
      return new Outcome(false, Map.of("version", new OutputValue(OutputKind.PARAMETER, Integer.toString(mv.version()))),
          run.id().value(), false, "", "");
    } catch (RuntimeException e) {
      failRun(run, e);
      throw e;
    }
  }

  /**
   * Ends a step's run FAILED with {@code t}. A step stopped by {@code close()} or a timeout may be
   * interrupted (again) by now: the flag is cleared for the write (an interruptible channel would
   * refuse it and leave the run RUNNING) and set again after.
   */
  private static void failRun(Run run, Throwable t) {
    boolean interrupted = Thread.interrupted();
    try {
      run.fail(t);
    } catch (RuntimeException alreadyEnded) {
      t.addSuppressed(alreadyEnded);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** What a step body sees. Thread-safe. */
  private final class Context implements StepContext {
    private final Step step;
    private final String key;
    private final Map<String, OutputValue> inputs;
    private final Map<String, String> params;
    private final Optional<String> item;
    private final Run run;
    private final String token;
    private final Map<String, OutputValue> outputs = new ConcurrentHashMap<>();

    Context(Step step, String key, Map<String, OutputValue> inputs, Map<String, String> params, Optional<String> item,
        Run run, String token) {
      this.step = step;
      this.key = key;
      this.inputs = inputs;
      this.params = params;
      this.item = item;
      this.run = run;
      this.token = token;
    }

    @Override
    public String step() {
      return key;
    }

    @Override
    public String executionId() {
      return id;
    }

    @Override
    public Workspace workspace() {
      return host.workspace;
    }

    @Override
    public String parameter(String name) {
      return param(key, params, name);
    }

    @Override
    public OutputValue input(String ref) {
      return read(key, inputs, ref);
    }

    @Override
    public Optional<String> item() {
      return item;
    }

    @Override
    public Run run() {
      return run;
    }

    @Override
    public String callbackToken() {
      if (token == null) {
        throw new IllegalStateException("step '" + key + "' is a " + step.kind() + " step; only callback steps have a token");
      }
      return token;
    }

    private void declared(String name, OutputKind kind) {
      OutputKind k = step.outputs().get(Objects.requireNonNull(name, "name"));
      if (k == null) {
        throw new IllegalArgumentException("step '" + key + "' records output '" + name + "', which it does not declare"
            + " (it declares " + new TreeSet<>(step.outputs().keySet()) + ")");
      }
      if (k != kind) {
        throw new IllegalArgumentException("step '" + key + "' records output '" + name + "' as " + kind
            + " but declares it as " + k);
      }
    }

    @Override
    public Digest artifact(String name, byte[] bytes) {
      declared(name, OutputKind.ARTIFACT);
      ArtifactRef ref = host.workspace.artifacts().put(Objects.requireNonNull(bytes, "bytes"));
      run.logArtifact(name, ref);
      outputs.put(name, new OutputValue(OutputKind.ARTIFACT, ref.digest().hex()));
      return ref.digest();
    }

    @Override
    public void dataset(String name, Digest digest) {
      declared(name, OutputKind.DATASET);
      run.logInput(new DatasetInput(name, Objects.requireNonNull(digest, "digest"), "", -1, "pipeline-output"));
      outputs.put(name, new OutputValue(OutputKind.DATASET, digest.hex()));
    }

    @Override
    public void metric(String name, double value) {
      declared(name, OutputKind.METRIC);
      if (!Double.isFinite(value)) {
        throw new IllegalArgumentException("step '" + key + "' records metric output '" + name + "' = " + value
            + ", which is not finite");
      }
      OutputValue v = new OutputValue(OutputKind.METRIC, Double.toString(value));
      run.logMetric(name, value);
      outputs.put(name, v);
    }

    @Override
    public void output(String name, String value) {
      declared(name, OutputKind.PARAMETER);
      Pipelines.checkText("output '" + name + "' of step '" + key + "'", Objects.requireNonNull(value, "value"));
      if (item.isPresent() && (value.isEmpty() || value.indexOf('\n') >= 0)) {
        // the map step's LIST output keeps one value per line: a line break would split this value,
        // and an empty value of a one-item map could not be told from a map of no items
        throw new IllegalArgumentException("map item '" + key + "' records output '" + name + "' "
            + (value.isEmpty() ? "as empty text" : "with a line break") + "; a map item's output is one non-empty line"
            + " of its map step's LIST output");
      }
      outputs.put(name, new OutputValue(OutputKind.PARAMETER, value));
    }

    void checkComplete() {
      TreeSet<String> missing = new TreeSet<>(step.outputs().keySet());
      missing.removeAll(outputs.keySet());
      if (!missing.isEmpty()) {
        throw new IllegalStateException("step '" + key + "' returned without recording declared output(s) " + missing);
      }
    }

    Map<String, OutputValue> outputs() {
      return Map.copyOf(outputs);
    }
  }
}
