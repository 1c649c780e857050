package dev.mlops.serving;

import dev.mlops.ApprovalStatus;
import dev.mlops.Names;
import dev.mlops.Workspace;
import dev.mlops.core.CoreWorkspace;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.spi.ObjectStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registry events of one model: new versions, review decisions, alias moves and deployment changes
 * of its aliases. The watcher tails the model's hash-chained log and the deployment log of every
 * alias that has one (found through {@code serving/<model>/index/}) from the last entry it has
 * seen, so it reports changes made by this process and by every other process sharing the store
 * alike: when polling on a schedule ({@link Builder#start}), changes this workspace's registry
 * commits trigger a poll at once and other changes are seen within one refresh interval; without
 * a schedule, at each {@link #poll()}. Events arrive in log order (model log first, then each alias's
 * deployment log); a listener that throws is logged (SLF4J, WARN) and the others still run.
 * Listeners run on the polling thread while the watcher is locked, so concurrent polls deliver
 * events once each and in order; keep listeners quick.
 *
 * <p>Thread-safe.
 */
public final class ModelWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelWatcher.class);

  private final ObjectStore store;
  private final String model;
  private final HashChainedLog modelLog;
  private final ModelFold fold;
  private final Map<String, DeploymentFold> deployments = new TreeMap<>();
  private final List<RegistryListener> listeners = new CopyOnWriteArrayList<>();
  private final boolean replayHistory;
  private boolean polled;
  private final ScheduledExecutorService ownScheduler;
  private final ScheduledFuture<?> task;
  private final Optional<AutoCloseable> localCommits;

  private ModelWatcher(Builder b) {
    this.store = storeOf(b.workspace);
    this.model = b.model;
    this.modelLog = new HashChainedLog(store, "models/" + model + "/log");
    this.fold = new ModelFold(model);
    this.listeners.addAll(b.listeners);
    this.replayHistory = b.replayHistory;
    if (b.start) {
      Duration every = b.interval.orElseGet(() -> refreshInterval(b.workspace));
      ScheduledExecutorService s = b.scheduler.orElse(null);
      this.ownScheduler = s == null ? daemonScheduler("mlops-watch-" + model) : null;
      ScheduledExecutorService runOn = s == null ? ownScheduler : s;
      this.task = runOn.scheduleWithFixedDelay(this::pollQuietly, 0, every.toNanos(), TimeUnit.NANOSECONDS);
      // this process's own registry changes: poll at once instead of at the next interval
      this.localCommits = b.workspace instanceof CoreWorkspace c
          ? Optional.of(c.onRegistryCommit(m -> {
            if (m.equals(model)) {
              try {
                runOn.execute(this::pollQuietly);
              } catch (java.util.concurrent.RejectedExecutionException closed) {
                // the watcher is closing
              }
            }
          }))
          : Optional.empty();
    } else {
      this.ownScheduler = null;
      this.task = null;
      this.localCommits = Optional.empty();
    }
  }

  /**
   * @param workspace an open workspace (built by mlops-core)
   * @param model the model to watch; it need not exist yet
   * @return a builder
   * @throws IllegalArgumentException if the model name is invalid or the workspace is not built by mlops-core
   */
  public static Builder builder(Workspace workspace, String model) {
    return new Builder(workspace, model);
  }

  /** @param listener receives every later event @return this */
  public ModelWatcher addListener(RegistryListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /** @param listener to remove @return whether it was registered */
  public boolean removeListener(RegistryListener listener) {
    return listeners.remove(listener);
  }

  /** @return the model watched */
  public String model() {
    return model;
  }

  /**
   * Reads every entry written since the last poll and hands the events to the listeners, on the
   * calling thread. The first poll of a watcher built without {@link Builder#replayHistory} only
   * takes its position at the end of the logs.
   *
   * @return the events, in the order delivered
   * @throws dev.mlops.CorruptDataException naming an entry that is altered or malformed
   */
  public synchronized List<RegistryEvent> poll() {
    List<RegistryEvent> events = new ArrayList<>();
    {
      for (HashChainedLog.Entry e : modelLog.readAfter(fold.lastSeq, fold.lastHash)) {
        fold.apply(e).ifPresent(events::add);
      }
      try (var keys = store.listAll(DeploymentFold.indexPrefix(model))) {
        keys.map(k -> k.substring(DeploymentFold.indexPrefix(model).length()))
            .filter(a -> Names.isValid(a))
            .forEach(a -> deployments.computeIfAbsent(a, x -> new DeploymentFold(model, x)));
      }
      for (DeploymentFold d : deployments.values()) {
        catchUp(d, events);
      }
      if (!polled && !replayHistory) {
        polled = true;
        return List.of();
      }
      polled = true;
    }
    for (RegistryEvent ev : events) {
      for (RegistryListener l : listeners) {
        try {
          l.onEvent(ev);
        } catch (RuntimeException | Error ex) {
          if (ex instanceof VirtualMachineError) {
            throw (Error) ex;
          }
          LOG.warn("registry listener {} failed on {}: {}", l, ev, ex.toString(), ex);
        }
      }
    }
    return events;
  }

  private void catchUp(DeploymentFold d, List<RegistryEvent> events) {
    HashChainedLog log = new HashChainedLog(store, DeploymentFold.logPrefix(model, d.alias));
    for (HashChainedLog.Entry e : log.readAfter(d.lastSeq, d.lastHash)) {
      events.add(new RegistryEvent.DeploymentChanged(model, d.alias, d.apply(e)));
    }
  }

  private void pollQuietly() {
    try {
      poll();
    } catch (RuntimeException e) {
      LOG.warn("polling the registry of {} failed; retrying at the next interval: {}", model, e.toString());
    }
  }

  // ------------------------------------------------------------ for Endpoint and Deployments

  /** A consistent view of one alias: where it points, version statuses, its active deployment. */
  record View(Optional<Integer> target, List<ApprovalStatus> statuses, Optional<ActiveDeployment> active,
      long deploymentSeq, String deploymentHash, Optional<DeploymentRecord> lastRecord) {
    Optional<ApprovalStatus> status(int version) {
      return version >= 1 && version <= statuses.size() ? Optional.of(statuses.get(version - 1)) : Optional.empty();
    }
  }

  /** Makes sure the alias's deployment log is tailed even before its first deployment. */
  synchronized DeploymentFold watch(String alias) {
    return deployments.computeIfAbsent(alias, a -> new DeploymentFold(model, a));
  }

  synchronized View view(String alias) {
    DeploymentFold d = watch(alias);
    return new View(fold.alias(alias), List.copyOf(fold.statuses), d.active, d.lastSeq, d.lastHash,
        d.records.isEmpty() ? Optional.empty() : Optional.of(d.records.get(d.records.size() - 1)));
  }

  synchronized List<DeploymentRecord> records(String alias) {
    return List.copyOf(watch(alias).records);
  }

  ObjectStore store() {
    return store;
  }

  /** Stops scheduled polling (and the watcher's own thread, if it made one). Idempotent. */
  @Override
  public void close() {
    localCommits.ifPresent(h -> {
      try {
        h.close();
      } catch (Exception e) {
        LOG.debug("unregistering from local commits failed: {}", e.toString());
      }
    });
    if (task != null) {
      task.cancel(false);
    }
    if (ownScheduler != null) {
      ownScheduler.shutdownNow();
    }
  }

  static ObjectStore storeOf(Workspace ws) {
    if (ws instanceof CoreWorkspace c) {
      return c.store();
    }
    throw new IllegalArgumentException("mlops-serving needs a workspace opened by mlops-core (Mlops.open), got "
        + ws.getClass().getName());
  }

  static Duration refreshInterval(Workspace ws) {
    return ws instanceof CoreWorkspace c ? c.options().refreshInterval() : Duration.ofSeconds(1);
  }

  static ScheduledExecutorService daemonScheduler(String name) {
    return Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }

  /** Builds a {@link ModelWatcher}. Not thread-safe; confine to one thread. */
  public static final class Builder {
    private final Workspace workspace;
    private final String model;
    private final List<RegistryListener> listeners = new ArrayList<>();
    private Optional<ScheduledExecutorService> scheduler = Optional.empty();
    private Optional<Duration> interval = Optional.empty();
    private boolean replayHistory;
    private boolean start;

    private Builder(Workspace workspace, String model) {
      this.workspace = Objects.requireNonNull(workspace, "workspace");
      this.model = Names.requireValid("model name", model);
      storeOf(workspace);
    }

    /** @param listener receives events @return this */
    public Builder listener(RegistryListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** @param replay whether the first poll delivers the whole existing history (default false) @return this */
    public Builder replayHistory(boolean replay) {
      this.replayHistory = replay;
      return this;
    }

    /**
     * Polls on a schedule once built: every {@code interval} (default the workspace's refresh
     * interval) on {@code scheduler} (default a daemon thread owned by the watcher).
     *
     * @param scheduler the host's scheduler, or empty for the watcher's own
     * @param interval how often, or empty for the workspace's refresh interval
     * @return this
     * @throws IllegalArgumentException if the interval is not positive
     */
    public Builder start(Optional<ScheduledExecutorService> scheduler, Optional<Duration> interval) {
      interval.ifPresent(d -> {
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("interval must be positive, got " + d);
        }
      });
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      this.interval = interval;
      this.start = true;
      return this;
    }

    /** @return the watcher; polling on a schedule if {@link #start} was called */
    public ModelWatcher build() {
      return new ModelWatcher(this);
    }
  }
}
