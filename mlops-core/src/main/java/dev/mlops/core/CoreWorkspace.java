package dev.mlops.core;

import dev.mlops.Artifacts;
import dev.mlops.Experiments;
import dev.mlops.ModelRegistry;
import dev.mlops.Workspace;
import dev.mlops.core.features.CoreFeatureStore;
import dev.mlops.features.FeatureStore;
import dev.mlops.spi.ObjectStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
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
  private final ObjectStore store;
  private final CoreArtifacts artifacts;
  private final CoreModelRegistry registry;
  private final CoreExperiments experiments;
  private final CoreFeatureStore features;
  private final AtomicBoolean closed = new AtomicBoolean();

  private CoreWorkspace(Builder b) {
    this.uri = b.uri;
    this.store = b.store;
    this.artifacts = new CoreArtifacts(store);
    this.registry = new CoreModelRegistry(store, b.clock, b.actor, b.refreshInterval, b.checkpointInterval);
    this.experiments = new CoreExperiments(store, b.clock, b.actor);
    this.features = CoreFeatureStore.builder(store).clock(b.clock).refreshInterval(b.refreshInterval)
        .cacheMaximumSize(b.featureCacheSize).build();
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

  @Override
  public FeatureStore features() {
    return features;
  }

  /** @return the underlying store (for backends' own tests and tools; not for application code) */
  public ObjectStore store() {
    return store;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        features.close();
        experiments.close();
      } finally {
        store.close();
      }
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
    private Clock clock = Clock.systemUTC();
    private String actor = defaultActor();
    private Duration refreshInterval = Duration.ofSeconds(1);
    private int checkpointInterval = 100;
    private long featureCacheSize = 100_000;

    private Builder(ObjectStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /** @param uri reported by {@link Workspace#uri()} @return this */
    public Builder uri(URI uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
      return this;
    }

    /** @param clock source of all timestamps @return this */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * @param actor who is recorded as performing registry and run changes (default: the OS user)
     * @return this
     * @throws IllegalArgumentException if blank
     */
    public Builder actor(String actor) {
      Objects.requireNonNull(actor, "actor");
      if (actor.isBlank()) {
        throw new IllegalArgumentException("actor must not be blank");
      }
      this.actor = actor;
      return this;
    }

    /**
     * How stale a cached registry read may be before it is refreshed from storage in the
     * background. Writes through this workspace are visible at once.
     *
     * @param interval positive, default 1 s
     * @return this
     * @throws IllegalArgumentException if not positive
     */
    public Builder refreshInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("refreshInterval must be positive, got " + interval);
      }
      this.refreshInterval = interval;
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
     * How many (feature view, entity) rows the feature store's online cache holds at most; set it
     * to the number of entities served hot. With 0 every row is evicted right after it is loaded, so
     * every lookup reads storage.
     *
     * @param entries {@code >= 0}, default 100,000
     * @return this
     * @throws IllegalArgumentException if negative
     */
    public Builder featureCacheSize(long entries) {
      if (entries < 0) {
        throw new IllegalArgumentException("featureCacheSize must be >= 0, got " + entries);
      }
      this.featureCacheSize = entries;
      return this;
    }

    /** @return the open workspace */
    public CoreWorkspace build() {
      return new CoreWorkspace(this);
    }

    private static String defaultActor() {
      String user = System.getProperty("user.name");
      return user == null || user.isBlank() ? "unknown" : user;
    }
  }
}
