package dev.mlops.serving;

import dev.mlops.ApprovalStatus;
import dev.mlops.ModelRegistry;
import dev.mlops.ModelVersion;
import dev.mlops.Names;
import dev.mlops.Workspace;
import dev.mlops.core.CoreWorkspace;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiPredicate;
import java.util.function.IntToLongFunction;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.apache.commons.math3.stat.inference.TTest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code model@alias} with the host's own predictor. A refresh (on a schedule, every
 * refresh interval, and on {@link #refresh()}) reads the model's registry log and the alias's
 * deployment log from the store, loads and warms up any version the routing now needs (off the
 * request path), switches the routing table atomically, and retires predictors no longer needed:
 * each is closed exactly once, after the requests that were using it have finished. A load or
 * warm-up that fails leaves traffic where it was and is recorded in {@link EndpointStatus#lastFailure()}.
 * Only Approved versions are served, unless the running deployment records an override.
 *
 * <p>Requests are routed by a hash of a request key ({@link #predict(String, Object)}: the same
 * key gets the same version while the routing is unchanged) or at random ({@link #predict(Object)}).
 * The routing decision reads one volatile field and allocates nothing; shadow mirroring allocates
 * one small task per mirrored request.
 *
 * <p>On each refresh the endpoint also checks its {@link Guardrail}s against the versions under
 * deployment (an alarm is written to the deployment log, which rolls the deployment back in every
 * process) and moves a baked canary, linear or blue/green deployment on.
 *
 * <p>Thread-safe.
 *
 * @param <I> input type
 * @param <O> output type
 */
public final class Endpoint<I, O> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Endpoint.class);
  private static final int FULL = 10_000;
  /** Calls to one version still running after they timed out, beyond which it is not called. */
  static final int MAX_STUCK_CALLS = 16;

  private final String model;
  private final String alias;
  private final ModelRegistry registry;
  private final ModelWatcher watcher;
  private final Deployments deployments;
  private final PredictorLoader<I, O> loader;
  private final Optional<WarmUp<I, O>> warmUp;
  private final long timeoutNanos;
  private final long candidateTimeoutNanos;
  private final ExecutorService requestExecutor;
  private final boolean ownRequestExecutor;
  private final Clock clock;
  private final List<Guardrail> guardrails;
  private final BiPredicate<O, O> agreement;
  private final int shadowCapacity;
  private final ScheduledExecutorService ownScheduler;
  private final ScheduledFuture<?> task;

  private volatile Table<I, O> table;
  private final ReentrantLock refreshLock = new ReentrantLock();
  private final Object closeOnce = new Object();
  /** Changed under refreshLock; concurrent so that close() can retire what is loaded without it. */
  private final Map<Integer, Lease<I, O>> loaded = new ConcurrentHashMap<>();
  /** Guarded by refreshLock: version to the refresh count after which a failed load is retried. */
  private final Map<Integer, long[]> failures = new HashMap<>();
  /** Guarded by refreshLock: why a version's latest load or warm-up failed, until one succeeds. */
  private final Map<Integer, String> loadFailures = new HashMap<>();
  private final ConcurrentHashMap<String, VariantCounters> counters = new ConcurrentHashMap<>();
  private volatile Optional<String> lastFailure = Optional.empty();
  private volatile long refreshes;
  private volatile boolean closed;
  /** The keys of {@code loaded} as of the last refresh: status() reads it without the lock a hung load may hold. */
  private volatile Set<Integer> loadedVersions = Set.of();

  private Endpoint(Builder<I, O> b) {
    this.model = b.model;
    this.alias = b.alias;
    this.registry = b.workspace.registry();
    this.clock = b.clock.orElseGet(() -> b.workspace instanceof CoreWorkspace c ? c.options().clock() : Clock.systemUTC());
    this.watcher = ModelWatcher.builder(b.workspace, model).build();
    this.deployments = new Deployments(b.workspace, watcher, alias, clock);
    this.loader = b.loader;
    this.warmUp = b.warmUp;
    this.timeoutNanos = b.timeout.map(Duration::toNanos).orElse(0L);
    long candidate = b.candidateTimeout.map(Duration::toNanos).orElse(0L);
    this.candidateTimeoutNanos = candidate == 0 ? timeoutNanos
        : timeoutNanos > 0 ? Math.min(timeoutNanos, candidate) : candidate;
    this.ownRequestExecutor = b.requestExecutor.isEmpty();
    // a cached pool starts no thread until a bounded call needs one
    this.requestExecutor = b.requestExecutor.orElseGet(() -> Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "mlops-endpoint-" + model + "-request");
      t.setDaemon(true);
      return t;
    }));
    this.guardrails = List.copyOf(b.guardrails);
    this.agreement = b.agreement;
    this.shadowCapacity = b.shadowCapacity;
    refresh();
    if (b.autoRefresh) {
      Duration every = b.refreshInterval.orElseGet(() -> ModelWatcher.refreshInterval(b.workspace));
      ScheduledExecutorService s = b.scheduler.orElse(null);
      this.ownScheduler = s == null ? ModelWatcher.daemonScheduler("mlops-endpoint-" + model + "@" + alias) : null;
      this.task = (s == null ? ownScheduler : s).scheduleWithFixedDelay(this::refreshQuietly, every.toNanos(),
          every.toNanos(), TimeUnit.NANOSECONDS);
    } else {
      this.ownScheduler = null;
      this.task = null;
    }
  }

  /**
   * @param workspace an open workspace (built by mlops-core)
   * @param model the model
   * @param alias the alias to serve, e.g. {@code production}
   * @param loader builds a predictor for a version
   * @param <I> input type
   * @param <O> output type
   * @return a builder
   * @throws IllegalArgumentException if a name is invalid
   */
  public static <I, O> Builder<I, O> builder(Workspace workspace, String model, String alias,
      PredictorLoader<I, O> loader) {
    return new Builder<>(workspace, model, alias, loader);
  }

  // ------------------------------------------------------------ request path

  /**
   * Scores an input with the version its key is routed to; the same key gets the same version
   * while the routing is unchanged (sticky A/B assignment, stable canary membership).
   *
   * @param key the request key (a user id, a session id)
   * @param input the input
   * @return the predictor's output
   * @throws PredictionException if the predictor threw or timed out
   * @throws IllegalStateException if no version could be loaded yet
   */
  public O predict(String key, I input) {
    return route(mix(Objects.requireNonNull(key, "key").hashCode()), input);
  }

  /**
   * Scores an input with a version chosen at random by the routing weights.
   *
   * @param input the input
   * @return the predictor's output
   * @throws PredictionException if the predictor threw or timed out
   * @throws IllegalStateException if no version could be loaded yet
   */
  public O predict(I input) {
    return route(ThreadLocalRandom.current().nextInt(), input);
  }

  private O route(int h, I input) {
    while (true) {
      Table<I, O> t = table;
      if (t == null) {
        throw new IllegalStateException("endpoint " + model + "@" + alias + " has no version to serve"
            + lastFailure.map(f -> ": " + f).orElse(" (the alias points at nothing servable)"));
      }
      Route<I, O> r = t.pick(h);
      Lease<I, O> l = r.lease;
      int stripe = l.acquire();
      if (stripe < 0) {
        continue; // swapped out just now: the new table is already published
      }
      VariantCounters c = r.counters;
      c.requests.increment();
      ShadowMirror<I, O> mirror = t.shadow;
      boolean mirrorThis = mirror != null && Math.floorMod(Integer.rotateLeft(h, 16), FULL) < t.shadowBasisPoints;
      boolean time = mirrorThis || (ThreadLocalRandom.current().nextInt() & 7) == 0;
      long t0 = time ? System.nanoTime() : 0;
      long bound = r.timeoutNanos;
      O out = bound > 0 ? callWithTimeout(l, stripe, c, input, bound) : call(l, stripe, c, input);
      if (time) {
        long nanos = System.nanoTime() - t0;
        c.latency.record(nanos);
        if (mirrorThis) {
          mirror.offer(input, out, nanos);
        }
      }
      return out;
    }
  }

  private O call(Lease<I, O> l, int stripe, VariantCounters c, I input) {
    try {
      return l.predictor.predict(input);
    } catch (Exception e) {
      c.errors.increment();
      throw new PredictionException("version " + model + "/" + l.version + " failed: " + e, l.version, false, e);
    } finally {
      l.release(stripe);
    }
  }

  /** Call states for {@link #callWithTimeout}. */
  private static final int WAITING = 0;
  private static final int RUNNING = 1;
  private static final int ABANDONED = 2;
  private static final int STUCK = 3;
  private static final int DONE = 4;

  private O callWithTimeout(Lease<I, O> l, int stripe, VariantCounters c, I input, long bound) {
    int stuck = l.stuckCalls.get();
    if (stuck >= MAX_STUCK_CALLS) {
      // bounds the threads a hung version can hold: fail fast until some of them come back
      l.release(stripe);
      c.timeouts.increment();
      c.errors.increment();
      throw new PredictionException("version " + model + "/" + l.version + " has " + stuck
          + " calls still running after they timed out; not calling it until they return", l.version, true, null);
    }
    AtomicInteger state = new AtomicInteger(WAITING);
    Future<O> f;
    try {
      f = requestExecutor.submit(() -> {
        if (!state.compareAndSet(WAITING, RUNNING)) {
          return null; // timed out before it started; the caller released the lease
        }
        try {
          return l.predictor.predict(input);
        } finally {
          if (!state.compareAndSet(RUNNING, DONE)) {
            l.stuckCalls.decrementAndGet(); // the caller gave up on it and counted it stuck
          }
          l.release(stripe);
        }
      });
    } catch (RejectedExecutionException e) {
      l.release(stripe);
      if (closed) {
        throw new IllegalStateException("endpoint " + model + "@" + alias + " was closed");
      }
      c.errors.increment();
      throw new PredictionException("version " + model + "/" + l.version + " could not be called: " + e, l.version,
          false, e);
    }
    try {
      return f.get(bound, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      abandon(state, l, stripe, f);
      c.timeouts.increment();
      c.errors.increment();
      throw new PredictionException("version " + model + "/" + l.version + " did not answer within "
          + Duration.ofNanos(bound), l.version, true, e);
    } catch (ExecutionException e) {
      c.errors.increment();
      throw new PredictionException("version " + model + "/" + l.version + " failed: " + e.getCause(), l.version,
          false, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abandon(state, l, stripe, f);
      c.errors.increment();
      throw new PredictionException("interrupted while waiting for " + model + "/" + l.version, l.version, false, e);
    }
  }

  private static <I, O> void abandon(AtomicInteger state, Lease<I, O> l, int stripe, Future<O> f) {
    if (state.compareAndSet(WAITING, ABANDONED)) {
      l.release(stripe);
    } else {
      l.stuckCalls.incrementAndGet();
      if (!state.compareAndSet(RUNNING, STUCK)) {
        l.stuckCalls.decrementAndGet(); // it finished just now
      }
    }
    f.cancel(true);
  }

  static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  /**
   * @param key a request key
   * @return the version {@link #predict(String, Object)} routes it to now
   * @throws IllegalStateException if no version is served yet
   */
  public int versionFor(String key) {
    Table<I, O> t = table;
    if (t == null) {
      throw new IllegalStateException("endpoint " + model + "@" + alias + " has no version to serve");
    }
    return t.pick(mix(key.hashCode())).lease.version;
  }

  /**
   * Records a host metric (a conversion, a loss, a label-based error) for the version the key is
   * routed to, for A/B comparison ({@link #compare}) and for metric and drift guardrails.
   *
   * @param key the request key the prediction was made for
   * @param metric metric name
   * @param value its value; NaN is ignored
   */
  public void recordOutcome(String key, String metric, double value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(metric, "metric");
    if (Double.isNaN(value)) {
      return;
    }
    Table<I, O> t = table;
    if (t == null) {
      return;
    }
    Route<I, O> r = t.pick(mix(key.hashCode()));
    r.counters.outcome(metric, value);
    for (Guardrail g : guardrails) {
      if (g instanceof Guardrail.DriftGuardrail d) {
        d.observe(r.lease.version, metric, value);
      }
    }
  }

  /**
   * Tests whether two versions of the running deployment differ in a metric, from this process's
   * measurements: {@code "error"} compares error rates (two-proportion z-test), any other name
   * compares means of the host metric (Welch's t-test, Commons Math).
   *
   * @param metric {@code error} or a host metric
   * @param versionA a routed version
   * @param versionB another
   * @return the comparison
   * @throws IllegalArgumentException if a version is not routed now
   */
  public AbComparison compare(String metric, int versionA, int versionB) {
    VariantCounters a = countersOf(versionA);
    VariantCounters b = countersOf(versionB);
    if ("error".equals(metric)) {
      long na = a.requests.sum();
      long nb = b.requests.sum();
      long xa = a.errors.sum();
      long xb = b.errors.sum();
      double pa = na == 0 ? Double.NaN : (double) xa / na;
      double pb = nb == 0 ? Double.NaN : (double) xb / nb;
      double p = na + nb == 0 ? Double.NaN : (double) (xa + xb) / (na + nb);
      double se = Math.sqrt(p * (1 - p) * (1.0 / na + 1.0 / nb));
      double pValue;
      if (na < 2 || nb < 2) {
        pValue = Double.NaN;
      } else if (se == 0) {
        pValue = pa == pb ? 1.0 : 0.0;
      } else {
        double z = (pa - pb) / se;
        pValue = 2 * (1 - new NormalDistribution(0, 1).cumulativeProbability(Math.abs(z)));
      }
      return new AbComparison(metric, versionA, versionB, na, nb, pa, pb, pValue, "two-proportion-z");
    }
    SummaryStatistics sa = a.outcomeCopy(metric);
    SummaryStatistics sb = b.outcomeCopy(metric);
    double pValue = sa.getN() < 2 || sb.getN() < 2 ? Double.NaN : new TTest().tTest(sa, sb);
    return new AbComparison(metric, versionA, versionB, sa.getN(), sb.getN(),
        sa.getN() == 0 ? Double.NaN : sa.getMean(), sb.getN() == 0 ? Double.NaN : sb.getMean(), pValue, "welch-t");
  }

  private VariantCounters countersOf(int version) {
    Table<I, O> t = table;
    if (t != null) {
      for (Route<I, O> r : t.routes) {
        if (r.lease.version == version) {
          return r.counters;
        }
      }
    }
    throw new IllegalArgumentException("version " + version + " is not routed by " + model + "@" + alias
        + " now; routed: " + (t == null ? "none" : t.percents.keySet()));
  }

  // ------------------------------------------------------------ refresh

  /**
   * Reads the store now and applies what changed (the scheduled refresh does the same): loads and
   * switches versions, checks guardrails, moves a baked deployment on. A failure to read the store
   * or load a version is recorded and logged; serving continues on the last good routing.
   */
  public void refresh() {
    refreshLock.lock();
    try {
      if (closed) {
        return;
      }
      for (int round = 0; round < 4; round++) {
        try {
          watcher.poll();
        } catch (RuntimeException e) {
          lastFailure = Optional.of("reading the store failed: " + e);
          LOG.warn("endpoint {}@{}: reading the store failed, serving the last good routing: {}", model, alias,
              e.toString());
          break;
        }
        if (!applyOnce()) {
          break;
        }
      }
      refreshes++;
    } finally {
      loadedVersions = Set.copyOf(loaded.keySet());
      refreshLock.unlock();
      retireIfClosed(); // close() ran while this refresh held the lock (a slow or hung load)
    }
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException | Error e) {
      // a scheduled task that throws is never run again: log and keep refreshing
      LOG.warn("endpoint {}@{}: refresh failed: {}", model, alias, e.toString(), e);
    }
  }

  /** @return whether it wrote to the deployment log (and the state should be read again) */
  private boolean applyOnce() {
    ModelWatcher.View v = watcher.view(alias);
    Optional<ActiveDeployment> a = v.active();
    Optional<Integer> stable = v.target();
    Map<Integer, Integer> want = new LinkedHashMap<>();
    Set<Integer> warm = new HashSet<>();
    Optional<Integer> shadowVersion = Optional.empty();
    int shadowBp = 0;
    if (a.isEmpty()) {
      stable.ifPresent(s -> want.put(s, FULL));
    } else {
      ActiveDeployment d = a.get();
      DeploymentPlan p = d.plan();
      switch (p.strategy()) {
        case AB -> p.variants().forEach(x -> want.merge(x.version(), DeploymentPlan.basisPoints(x.weight()), Integer::sum));
        case SHADOW -> {
          stable.ifPresent(s -> want.put(s, FULL));
          shadowVersion = Optional.of(p.candidate());
          shadowBp = DeploymentPlan.basisPoints(p.percent());
        }
        case BLUE_GREEN -> {
          stable.ifPresent(warm::add);
          if (ensureLoaded(p.candidate(), v, a)) {
            want.put(p.candidate(), FULL);
          } else {
            stable.ifPresent(s -> want.put(s, FULL));
          }
        }
        default -> {
          int cbp = d.candidateBasisPoints();
          want.put(p.candidate(), cbp);
          if (cbp < FULL) {
            stable.ifPresent(s -> want.merge(s, FULL - cbp, Integer::sum));
          }
        }
      }
    }
    Map<Integer, Integer> ready = new LinkedHashMap<>();
    int lost = 0;
    for (Map.Entry<Integer, Integer> e : want.entrySet()) {
      if (e.getValue() == 0) {
        continue;
      }
      if (ensureLoaded(e.getKey(), v, a)) {
        ready.merge(e.getKey(), e.getValue(), Integer::sum);
      } else {
        lost += e.getValue();
      }
    }
    if (lost > 0) {
      Optional<Integer> fallback = stable.filter(s -> ensureLoaded(s, v, a));
      if (fallback.isEmpty() && !ready.isEmpty()) {
        fallback = Optional.of(ready.keySet().iterator().next());
      }
      if (fallback.isEmpty() && table != null) {
        // nothing new is servable: keep the last good routing
        return guardAndAdvance(a, stable);
      }
      fallback.ifPresent(f -> ready.merge(f, 0, Integer::sum));
      int add = lost;
      fallback.ifPresent(f -> ready.merge(f, add, Integer::sum));
    } else if (!want.isEmpty()) {
      lastFailure = Optional.empty();
    }
    if (ready.isEmpty()) {
      return guardAndAdvance(a, stable);
    }
    if (closed) {
      return false; // closed during a load: publish nothing, start no mirror; refresh() retires what loaded
    }
    String statsKey = a.map(ActiveDeployment::id).orElse("alias");
    Table<I, O> old = table;
    ShadowMirror<I, O> mirror = null;
    if (shadowVersion.isPresent() && ensureLoaded(shadowVersion.get(), v, a)) {
      Lease<I, O> sl = loaded.get(shadowVersion.get());
      if (old != null && old.shadow != null && old.shadow.lease == sl && old.shadow.deployment.equals(statsKey)) {
        mirror = old.shadow;
      } else {
        mirror = new ShadowMirror<>(statsKey, sl, agreement, shadowCapacity);
      }
    }
    Table<I, O> next = new Table<>(ready, loaded, counters, statsKey, mirror, shadowBp,
        version -> stable.equals(Optional.of(version)) ? timeoutNanos : candidateTimeoutNanos);
    if (old == null || !old.sameAs(next)) {
      table = next;
      if (old != null && old.shadow != null && old.shadow != mirror) {
        old.shadow.stop();
      }
    }
    Set<Integer> keep = new HashSet<>(table.percents.keySet());
    keep.addAll(warm);
    shadowVersion.ifPresent(keep::add);
    for (Iterator<Map.Entry<Integer, Lease<I, O>>> it = loaded.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Integer, Lease<I, O>> e = it.next();
      if (!keep.contains(e.getKey())) {
        it.remove();
        e.getValue().retire();
      }
    }
    Set<String> liveKeys = new HashSet<>();
    for (Route<I, O> r : table.routes) {
      liveKeys.add(statsKey + "/" + r.lease.version);
    }
    counters.keySet().retainAll(liveKeys);
    return guardAndAdvance(a, stable);
  }

  private boolean guardAndAdvance(Optional<ActiveDeployment> a, Optional<Integer> stable) {
    if (a.isEmpty()) {
      return false;
    }
    ModelWatcher.View view = watcher.view(alias);
    for (DeploymentPlan.Variant var : a.get().plan().variants()) {
      if (view.status(var.version()).equals(Optional.of(ApprovalStatus.REJECTED))) {
        String why = "version " + var.version() + " was rejected while deployment " + a.get().id() + " ran";
        LOG.warn("endpoint {}@{}: {}; aborting it", model, alias, why);
        try {
          return deployments.abort(why);
        } catch (RuntimeException e) {
          LOG.warn("endpoint {}@{}: aborting deployment {} failed: {}", model, alias, a.get().id(), e.toString());
          return false;
        }
      }
    }
    Table<I, O> t = table;
    if (t != null && !guardrails.isEmpty()) {
      for (Route<I, O> r : t.routes) {
        if (stable.equals(Optional.of(r.lease.version)) || !t.deployment.equals(a.get().id())) {
          continue;
        }
        VariantStats s = r.counters.snapshot();
        for (Guardrail g : guardrails) {
          Optional<String> breach;
          try {
            breach = g.check(s);
          } catch (RuntimeException e) {
            LOG.warn("guardrail {} failed on {}/{}: {}", g.name(), model, s.version(), e.toString());
            continue;
          }
          if (breach.isPresent()) {
            LOG.warn("endpoint {}@{}: alarm {} on version {}: {}; rolling deployment {} back", model, alias, g.name(),
                s.version(), breach.get(), a.get().id());
            if (deployments.raiseAlarm(s.version(), g.name(), breach.get())) {
              return true;
            }
          }
        }
      }
    }
    ActiveDeployment d = a.get();
    Strategy strategy = d.plan().strategy();
    int candidate = d.plan().candidate();
    boolean baked = !clock.instant().isBefore(d.stageStartedAt().plus(d.plan().bake()));
    if (baked && strategy != Strategy.AB && strategy != Strategy.SHADOW && !loaded.containsKey(candidate)
        && loadFailures.containsKey(candidate)) {
      // never move a deployment on to a version this process could not load or health-check
      String why = loadFailures.get(candidate);
      LOG.warn("endpoint {}@{}: version {} could not be loaded here when its stage baked; rolling deployment {} back",
          model, alias, candidate, d.id());
      try {
        return deployments.raiseAlarm(candidate, "load-failed", why);
      } catch (RuntimeException e) {
        LOG.warn("endpoint {}@{}: raising the load alarm failed: {}", model, alias, e.toString());
        return false;
      }
    }
    try {
      return deployments.advance(clock.instant());
    } catch (RuntimeException e) {
      LOG.warn("endpoint {}@{}: advancing deployment {} failed: {}", model, alias, a.get().id(), e.toString());
      return false;
    }
  }

  /** Loads (and warms up) a version if it is not loaded; false if it cannot be served now. */
  private boolean ensureLoaded(int version, ModelWatcher.View v, Optional<ActiveDeployment> a) {
    Optional<ApprovalStatus> status = v.status(version);
    if (status.equals(Optional.of(ApprovalStatus.REJECTED))) {
      // rejected after it was deployed with an override (only an unapproved version can be): no
      // override covers a rejection, so it stops taking traffic even if it is loaded
      fail(version, "version " + model + "/" + version + " is REJECTED; not served", false);
      return false;
    }
    if (loaded.containsKey(version)) {
      return true;
    }
    if (status.isEmpty()) {
      return false; // registered by another process and not read yet
    }
    boolean override = a.map(d -> d.plan().unapprovedOverride().isPresent()
        && d.plan().variants().stream().anyMatch(x -> x.version() == version)).orElse(false);
    if (status.get() != ApprovalStatus.APPROVED && !override) {
      fail(version, "version " + model + "/" + version + " is " + status.get()
          + " and no running deployment records an override; not served", false);
      return false;
    }
    long[] retryAt = failures.get(version);
    if (retryAt != null && refreshes < retryAt[0]) {
      return false;
    }
    Optional<ModelVersion> mv = registry.find(model + "/" + version);
    if (mv.isEmpty()) {
      return false; // the registry's cache has not caught up with the log yet
    }
    Predictor<I, O> p = null;
    try {
      p = loader.load(mv.get());
      if (p == null) {
        throw new IllegalStateException("the loader returned null");
      }
      if (warmUp.isPresent()) {
        warmUp.get().warmUp(p);
      }
    } catch (Exception | LinkageError | AssertionError e) {
      if (p != null) {
        try {
          p.close();
        } catch (Exception closeFailed) {
          e.addSuppressed(closeFailed);
        }
      }
      fail(version, "loading " + model + "/" + version + (p == null ? "" : " (warm-up)") + " failed: " + e, true);
      LOG.warn("endpoint {}@{}: loading version {} failed; traffic stays where it was: {}", model, alias, version,
          e.toString(), e);
      return false;
    }
    loaded.put(version, new Lease<>(version, p));
    failures.remove(version);
    loadFailures.remove(version);
    return true;
  }

  private void fail(int version, String why, boolean backoff) {
    lastFailure = Optional.of(why);
    if (backoff) {
      loadFailures.put(version, why);
      long[] f = failures.computeIfAbsent(version, x -> new long[] {0, 0});
      f[1] = Math.min(f[1] + 1, 6);
      f[0] = refreshes + (1L << f[1]) - 1;
    }
  }

  // ------------------------------------------------------------ status

  /** @return what this endpoint serves now, with this process's measurements */
  public EndpointStatus status() {
    ModelWatcher.View v = watcher.view(alias);
    Table<I, O> t = table;
    List<VariantStats> stats = new ArrayList<>();
    Map<Integer, Double> routes = new TreeMap<>();
    Optional<Integer> shadow = Optional.empty();
    if (t != null) {
      routes.putAll(t.percents);
      for (Route<I, O> r : t.routes) {
        stats.add(r.counters.snapshot());
      }
      shadow = t.shadow == null ? Optional.empty() : Optional.of(t.shadow.lease.version);
    }
    return new EndpointStatus(model + "@" + alias, v.target(), v.active(), routes, shadow, loadedVersions,
        lastFailure, stats, refreshes);
  }

  /** @return the shadow mirror's counters, if a shadow deployment runs */
  public Optional<ShadowStats> shadowStats() {
    Table<I, O> t = table;
    return t == null || t.shadow == null ? Optional.empty() : Optional.of(t.shadow.stats());
  }

  /** @return the deployments of this endpoint's alias, sharing its view of the store */
  public Deployments deployments() {
    return deployments;
  }

  /** @return the watcher this endpoint polls: add listeners to get registry events */
  public ModelWatcher watcher() {
    return watcher;
  }

  /**
   * Stops refreshing and closes every predictor once its in-flight requests finish. Later
   * requests fail with {@link IllegalStateException}. Idempotent. Does not wait for a refresh that
   * is loading a version: that refresh closes what it loaded when the load returns.
   */
  @Override
  public void close() {
    synchronized (closeOnce) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (task != null) {
      task.cancel(false);
    }
    if (ownScheduler != null) {
      ownScheduler.shutdownNow();
    }
    Table<I, O> t = table;
    table = null;
    if (t != null && t.shadow != null) {
      t.shadow.stop();
    }
    // retire is idempotent: a refresh still loading retires these again, and what it loaded, on its way out
    loaded.values().forEach(Lease::retire);
    retireIfClosed();
    if (ownRequestExecutor) {
      requestExecutor.shutdown();
    }
    watcher.close();
  }

  /**
   * Once closed, retires every loaded predictor, unless a refresh holds the lock: that refresh
   * calls this again after it lets go, and sees {@code closed} (written before the failed try).
   */
  private void retireIfClosed() {
    if (!closed || !refreshLock.tryLock()) {
      return;
    }
    try {
      Table<I, O> t = table;
      table = null; // a refresh may have published one between close's check and its own
      if (t != null && t.shadow != null) {
        t.shadow.stop();
      }
      loaded.values().forEach(Lease::retire);
      loaded.clear();
      loadedVersions = Set.of();
    } finally {
      refreshLock.unlock();
    }
  }

  // ------------------------------------------------------------ routing table

  /** One routed version. */
  static final class Route<I, O> {
    final Lease<I, O> lease;
    final VariantCounters counters;
    /** 0: called on the request thread, unbounded (the alias's own version without a request timeout). */
    final long timeoutNanos;

    Route(Lease<I, O> lease, VariantCounters counters, long timeoutNanos) {
      this.lease = lease;
      this.counters = counters;
      this.timeoutNanos = timeoutNanos;
    }
  }

  /** An immutable routing decision: versions, cumulative bucket bounds out of 10,000, the shadow. */
  static final class Table<I, O> {
    final Route<I, O>[] routes;
    final int[] upper;
    final Map<Integer, Double> percents;
    final String deployment;
    final ShadowMirror<I, O> shadow;
    final int shadowBasisPoints;

    @SuppressWarnings("unchecked")
    Table(Map<Integer, Integer> weights, Map<Integer, Lease<I, O>> leases, ConcurrentHashMap<String, VariantCounters> counters,
        String deployment, ShadowMirror<I, O> shadow, int shadowBasisPoints, IntToLongFunction timeouts) {
      List<Route<I, O>> rs = new ArrayList<>();
      List<Integer> bounds = new ArrayList<>();
      Map<Integer, Double> pct = new TreeMap<>();
      int sum = 0;
      for (Map.Entry<Integer, Integer> e : weights.entrySet()) {
        if (e.getValue() <= 0) {
          continue;
        }
        int version = e.getKey();
        sum += e.getValue();
        rs.add(new Route<>(leases.get(version),
            counters.computeIfAbsent(deployment + "/" + version, k -> new VariantCounters(version)),
            timeouts.applyAsLong(version)));
        bounds.add(sum);
        pct.put(version, e.getValue() / 100.0);
      }
      this.routes = rs.toArray(new Route[0]);
      this.upper = bounds.stream().mapToInt(Integer::intValue).toArray();
      this.percents = pct;
      this.deployment = deployment;
      this.shadow = shadow;
      this.shadowBasisPoints = shadowBasisPoints;
    }

    Route<I, O> pick(int h) {
      Route<I, O>[] rs = routes;
      if (rs.length == 1) {
        return rs[0];
      }
      int bucket = Math.floorMod(h, FULL);
      int[] u = upper;
      for (int i = 0; i < u.length - 1; i++) {
        if (bucket < u[i]) {
          return rs[i];
        }
      }
      return rs[rs.length - 1];
    }

    boolean sameAs(Table<I, O> o) {
      if (o.routes.length != routes.length || !java.util.Arrays.equals(upper, o.upper) || shadow != o.shadow
          || shadowBasisPoints != o.shadowBasisPoints || !deployment.equals(o.deployment)) {
        return false;
      }
      for (int i = 0; i < routes.length; i++) {
        if (routes[i].lease != o.routes[i].lease || routes[i].counters != o.routes[i].counters
            || routes[i].timeoutNanos != o.routes[i].timeoutNanos) {
          return false;
        }
      }
      return true;
    }
  }

  // ------------------------------------------------------------ builder

  /**
   * Builds an {@link Endpoint}. Not thread-safe; confine to one thread.
   *
   * @param <I> input type
   * @param <O> output type
   */
  public static final class Builder<I, O> {
    private final Workspace workspace;
    private final String model;
    private final String alias;
    private final PredictorLoader<I, O> loader;
    private Optional<WarmUp<I, O>> warmUp = Optional.empty();
    private Optional<Duration> timeout = Optional.empty();
    private Optional<Duration> candidateTimeout = Optional.empty();
    private Optional<ExecutorService> requestExecutor = Optional.empty();
    private Optional<ScheduledExecutorService> scheduler = Optional.empty();
    private Optional<Duration> refreshInterval = Optional.empty();
    private Optional<Clock> clock = Optional.empty();
    private final List<Guardrail> guardrails = new ArrayList<>();
    private BiPredicate<O, O> agreement = Objects::equals;
    private int shadowCapacity = 1024;
    private boolean autoRefresh = true;

    private Builder(Workspace workspace, String model, String alias, PredictorLoader<I, O> loader) {
      this.workspace = Objects.requireNonNull(workspace, "workspace");
      this.model = Names.requireValid("model name", model);
      this.alias = Names.requireValid("alias", alias);
      this.loader = Objects.requireNonNull(loader, "loader");
      ModelWatcher.storeOf(workspace);
    }

    /** @param warmUp run on each new predictor before it takes traffic (blue/green's health check) @return this */
    public Builder<I, O> warmUp(WarmUp<I, O> warmUp) {
      this.warmUp = Optional.of(Objects.requireNonNull(warmUp, "warmUp"));
      return this;
    }

    /**
     * Bounds how long a request waits for the predictor: a slower (or hung) call fails with a
     * {@link PredictionException} whose {@code timedOut()} is true, and is counted. With a timeout
     * each call runs on the request executor; without one (the default) a call to the alias's own
     * version runs on the caller's thread, unbounded, as if the host called its predictor directly
     * (so is a call to a version under deployment unless {@link #candidateTimeout} is set). A version
     * with 16 calls still running after they timed out is not called
     * (its requests fail at once, counted as timeouts) until some of them return.
     *
     * @param timeout positive
     * @return this
     * @throws IllegalArgumentException if not positive
     */
    public Builder<I, O> requestTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("request timeout must be positive, got " + timeout);
      }
      this.timeout = Optional.of(timeout);
      return this;
    }

    /**
     * Bounds calls to versions a running deployment routes to other than the alias's own version
     * (a canary, a linear step, an A/B variant, a blue/green candidate): unproven code, which may
     * be bounded without bounding the alias's own version ({@link #requestTimeout}). A hung
     * candidate then fails its requests (counted as timeouts, so an error-rate guardrail rolls it
     * back) instead of holding them forever. Such calls run on the request executor: a thread hop
     * and a small allocation per call, where an unbounded call costs the ~20 ns, 0 B routing path
     * on the caller's thread. A shorter request timeout wins. Default: none (candidates are called
     * like the alias's version, on the caller's thread, bounded only by a request timeout);
     * recommended for canaries of code that may hang.
     *
     * @param timeout positive
     * @return this
     * @throws IllegalArgumentException if not positive
     */
    public Builder<I, O> candidateTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("candidate timeout must be positive, got " + timeout);
      }
      this.candidateTimeout = Optional.of(timeout);
      return this;
    }

    /** @param executor runs bounded calls (default: a cached daemon pool the endpoint owns) @return this */
    public Builder<I, O> requestExecutor(ExecutorService executor) {
      this.requestExecutor = Optional.of(Objects.requireNonNull(executor, "executor"));
      return this;
    }

    /** @param scheduler runs the periodic refresh (default: a daemon thread the endpoint owns) @return this */
    public Builder<I, O> scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Optional.of(Objects.requireNonNull(scheduler, "scheduler"));
      return this;
    }

    /**
     * @param interval how often to refresh (default: the workspace's refresh interval)
     * @return this
     * @throws IllegalArgumentException if not positive
     */
    public Builder<I, O> refreshInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("refresh interval must be positive, got " + interval);
      }
      this.refreshInterval = Optional.of(interval);
      return this;
    }

    /** @param clock for bake periods and recorded times (default: the workspace's clock) @return this */
    public Builder<I, O> clock(Clock clock) {
      this.clock = Optional.of(Objects.requireNonNull(clock, "clock"));
      return this;
    }

    /** @param guardrail checked against versions under deployment on every refresh @return this */
    public Builder<I, O> guardrail(Guardrail guardrail) {
      guardrails.add(Objects.requireNonNull(guardrail, "guardrail"));
      return this;
    }

    /** @param agreement when a shadow answer agrees with the primary's (default {@code Objects::equals}) @return this */
    public Builder<I, O> agreement(BiPredicate<O, O> agreement) {
      this.agreement = Objects.requireNonNull(agreement, "agreement");
      return this;
    }

    /**
     * @param capacity mirrored requests that may wait for the shadow candidate (default 1024)
     * @return this
     * @throws IllegalArgumentException if not positive
     */
    public Builder<I, O> shadowQueue(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("shadow queue capacity must be >= 1, got " + capacity);
      }
      this.shadowCapacity = capacity;
      return this;
    }

    /**
     * @param auto whether to refresh on a schedule (default true); without it the host calls
     *     {@link Endpoint#refresh()} itself, e.g. from its own scheduler or a test
     * @return this
     */
    public Builder<I, O> autoRefresh(boolean auto) {
      this.autoRefresh = auto;
      return this;
    }

    /**
     * Builds the endpoint and refreshes it once, loading the version the alias points at (a
     * failure is recorded in the status; requests fail until a version is loaded).
     *
     * @return the endpoint
     */
    public Endpoint<I, O> build() {
      return new Endpoint<>(this);
    }
  }
}
