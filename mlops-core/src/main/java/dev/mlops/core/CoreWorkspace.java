package dev.mlops.core;

import dev.mlops.ArtifactRef;
import dev.mlops.Artifacts;
import dev.mlops.Digest;
import dev.mlops.RunId;
import dev.mlops.Experiments;
import dev.mlops.ModelRegistry;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;
import dev.mlops.ProviderNotFoundException;
import dev.mlops.features.FeatureStore;
import dev.mlops.spi.FeatureStoreFactory;
import dev.mlops.spi.ObjectStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The workspace: every mlops service written once over an {@link ObjectStore}. Usually obtained
 * through {@code Mlops.open(uri)}; build one explicitly with {@link #builder(ObjectStore)} to
 * inject a clock, an actor name or a refresh interval.
 *
 * <p>Thread-safe.
 */
public final class CoreWorkspace implements Workspace {
  private final URI uri;
  private final WorkspaceOptions options;
  private final ObjectStore store;
  private final CoreArtifacts artifacts;
  private final CoreModelRegistry registry;
  private final CoreExperiments experiments;
  /** Opened on the first {@link #features()} call, from {@code mlops-features}; guarded by {@code this}. */
  private volatile FeatureStore features;
  private final AtomicBoolean closed = new AtomicBoolean();

  private CoreWorkspace(Builder b) {
    WorkspaceOptions o = b.options.build();
    this.uri = b.uri;
    this.options = o;
    this.store = o.readOnly() ? new ReadOnlyObjectStore(b.store, b.uri) : b.store;
    String actor = o.actorOrDefault();
    this.artifacts = new CoreArtifacts(store);
    this.experiments = new CoreExperiments(store, o.clock(), actor);
    this.registry = new CoreModelRegistry(store, o.clock(), actor, o.refreshInterval(), b.checkpointInterval,
        o.aliasesRequireApproval(), new CoreModelRegistry.References() {
          @Override
          public boolean runExists(RunId run) {
            return experiments.findRun(run).isPresent();
          }

          @Override
          public Optional<ArtifactRef> artifact(Digest digest) {
            return artifacts.findForReference(digest);
          }

          @Override
          public Optional<dev.mlops.RunInfo> run(RunId run) {
            return experiments.findRun(run);
          }

          @Override
          public java.util.List<dev.mlops.DatasetInput> runInputs(RunId run) {
            return experiments.state(run).inputs(); // the run's log only, not its metric segments
          }
        }, o.principal());
  }

  /** @return the options this workspace was opened with */
  public WorkspaceOptions options() {
    return options;
  }

  /**
   * @param store the store; the workspace owns it and closes it
   * @return a builder
   */
  public static Builder builder(ObjectStore store) {
    return new Builder(store);
  }

  @Override
  public URI uri() {
    return uri;
  }

  @Override
  public Artifacts artifacts() {
    return artifacts;
  }

  @Override
  public ModelRegistry registry() {
    return registry;
  }

  @Override
  public Experiments experiments() {
    return experiments;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The feature store is found with {@link ServiceLoader} ({@link FeatureStoreFactory}) and
   * opened with this workspace's clock, refresh interval and feature cache size the first time
   * this is called; later calls return the same one.
   *
   * @throws ProviderNotFoundException if {@code dev.mlops:mlops-features} is not on the class path
   * @throws IllegalStateException if the workspace is closed
   */
  @Override
  public FeatureStore features() {
    FeatureStore f = features;
    if (f != null) {
      return f;
    }
    synchronized (this) {
      if (closed.get()) {
        throw new IllegalStateException("workspace " + uri + " is closed");
      }
      if (features == null) {
        features = loadFeatureStoreFactory().open(store, options);
      }
      return features;
    }
  }

  private static FeatureStoreFactory loadFeatureStoreFactory() {
    Iterator<FeatureStoreFactory> found = ServiceLoader.load(FeatureStoreFactory.class,
        CoreWorkspace.class.getClassLoader()).iterator();
    if (!found.hasNext()) {
      throw new ProviderNotFoundException("no feature store is installed: Workspace.features() needs the artifact "
          + "dev.mlops:mlops-features on the class path (no " + FeatureStoreFactory.class.getName()
          + " service found); add it next to mlops-core, its version managed by dev.mlops:mlops-bom");
    }
    FeatureStoreFactory factory = found.next();
    if (found.hasNext()) {
      throw new IllegalStateException("two feature stores are installed: " + factory.getClass().getName() + " and "
          + found.next().getClass().getName() + "; keep one mlops-features on the class path");
    }
    return factory;
  }

  /**
   * Registers a callback told the model name after every registry change this workspace commits
   * (on the committing thread, after the change is stored). For watchers that should see this
   * process's own changes at once rather than at their next poll. A callback must be quick; one
   * that throws is logged and the change stands.
   *
   * @param listener receives the model name
   * @return a handle that unregisters it
   */
  public AutoCloseable onRegistryCommit(java.util.function.Consumer<String> listener) {
    Objects.requireNonNull(listener, "listener");
    registry.commitListeners.add(listener);
    return () -> registry.commitListeners.remove(listener);
  }

  /**
   * Reserves run ids in an experiment for runs this process starts later with
   * {@link RunReservation#startRun}: their search index entries are stored together now (at the
   * same time as the first such run's START), so each of those runs costs one durable create
   * instead of two. For a caller that starts many runs in a row, as {@code mlops-pipeline} does for
   * the steps of an execution; close the reservation when done so that ids never started stop
   * being listed.
   *
   * @param experiment the experiment (created if needed, as by {@code startRun})
   * @param count how many ids, 1 to {@value RunReservation#MAX}
   * @return the reservation (with no ids, so that every run starts as {@code startRun} starts it,
   *     for an experiment whose index is not complete: a store written before the index)
   * @throws IllegalArgumentException naming a bad experiment name or count
   * @throws IllegalStateException if the workspace is closed
   */
  public RunReservation reserveRuns(String experiment, int count) {
    return experiments.reserve(experiment, count);
  }

  /**
   * Stores, ended FINISHED, a run started with {@link RunReservation#startRunDeferred} whose
   * process died after the caller had recorded elsewhere that the run succeeded and before the
   * run's own entry was stored ({@code mlops-pipeline} calls this when it resumes an execution).
   * Nothing is written if the run is in the store. The run's metric segments stored before the
   * process died are part of it.
   *
   * @param experiment the experiment the id was reserved in
   * @param id the run's id
   * @param runName its name
   * @param params its params
   * @param tags its tags
   * @param reason its status reason (may be empty)
   * @return whether the run was written (false: it was in the store)
   * @throws IllegalArgumentException naming a bad name, key or value
   */
  public boolean restoreRun(String experiment, RunId id, String runName, Map<String, String> params,
      Map<String, String> tags, String reason) {
    return experiments.restore(Objects.requireNonNull(id, "id"), experiment, runName, params, tags,
        Objects.requireNonNull(reason, "reason"));
  }

  /** @return the underlying store (for backends' own tests and tools; not for application code) */
  public ObjectStore store() {
    return store;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        FeatureStore f;
        synchronized (this) {
          f = features;
        }
        if (f instanceof AutoCloseable c) {
          closeFeatureStore(c);
        }
        experiments.close();
      } finally {
        registry.close();
        store.close();
      }
    }
  }

  private static void closeFeatureStore(AutoCloseable c) {
    try {
      c.close();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("closing the feature store failed: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "Workspace[" + uri + "]";
  }

  /** Builds a {@link CoreWorkspace}. Not thread-safe; confine to one thread. */
  public static final class Builder {
    private final ObjectStore store;
    private URI uri = URI.create("mem:/");
    private final WorkspaceOptions.Builder options = WorkspaceOptions.builder();
    private int checkpointInterval = 100;

    private Builder(ObjectStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /** @param uri reported by {@link Workspace#uri()} @return this */
    public Builder uri(URI uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
      return this;
    }

    /**
     * Replaces every option set so far with these.
     *
     * @param options the workspace options
     * @return this
     */
    public Builder options(WorkspaceOptions options) {
      WorkspaceOptions o = Objects.requireNonNull(options, "options");
      o.actor().ifPresent(this.options::actor);
      o.principal().ifPresent(this.options::principal);
      this.options.clock(o.clock()).refreshInterval(o.refreshInterval()).readOnly(o.readOnly())
          .aliasesRequireApproval(o.aliasesRequireApproval()).featureCacheSize(o.featureCacheSize());
      return this;
    }

    /** @param clock source of all timestamps @return this @see WorkspaceOptions.Builder#clock */
    public Builder clock(Clock clock) {
      options.clock(clock);
      return this;
    }

    /**
     * @param actor who is recorded as performing registry and run changes (default: the OS user)
     * @return this
     * @throws IllegalArgumentException if blank
     */
    public Builder actor(String actor) {
      options.actor(actor);
      return this;
    }

    /**
     * @param interval positive, default 1 s
     * @return this
     * @throws IllegalArgumentException if not positive
     * @see WorkspaceOptions.Builder#refreshInterval
     */
    public Builder refreshInterval(Duration interval) {
      options.refreshInterval(interval);
      return this;
    }

    /**
     * @param require whether aliases may only point at Approved versions (default true)
     * @return this
     * @see WorkspaceOptions.Builder#aliasesRequireApproval
     */
    public Builder aliasesRequireApproval(boolean require) {
      options.aliasesRequireApproval(require);
      return this;
    }

    /**
     * Every how many log entries a checkpoint of the folded state is stored, bounding how much
     * a cold reader replays.
     *
     * @param entries 10..100000, default 100
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder checkpointInterval(int entries) {
      if (entries < 10 || entries > 100_000) {
        throw new IllegalArgumentException("checkpointInterval must be in 10..100000, got " + entries);
      }
      this.checkpointInterval = entries;
      return this;
    }

    /**
     * @param entries {@code >= 0}, default 100,000
     * @return this
     * @throws IllegalArgumentException if negative
     * @see WorkspaceOptions.Builder#featureCacheSize
     */
    public Builder featureCacheSize(long entries) {
      options.featureCacheSize(entries);
      return this;
    }

    /** @return the open workspace */
    public CoreWorkspace build() {
      return new CoreWorkspace(this);
    }
  }
}
