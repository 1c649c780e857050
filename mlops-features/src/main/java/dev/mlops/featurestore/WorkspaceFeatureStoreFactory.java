package dev.mlops.featurestore;

import dev.mlops.WorkspaceOptions;
import dev.mlops.features.FeatureStore;
import dev.mlops.spi.FeatureStoreFactory;
import dev.mlops.spi.ObjectStore;
import java.util.Objects;

/**
 * The {@link FeatureStoreFactory} a workspace finds through {@link java.util.ServiceLoader}: an
 * {@link ObjectStoreFeatureStore} with the workspace's clock, refresh interval and online cache
 * size.
 *
 * <p>Immutable and thread-safe.
 */
public final class WorkspaceFeatureStoreFactory implements FeatureStoreFactory {
  /** For {@link java.util.ServiceLoader}. */
  public WorkspaceFeatureStoreFactory() {}

  @Override
  public FeatureStore open(ObjectStore store, WorkspaceOptions options) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(options, "options");
    return ObjectStoreFeatureStore.builder(store).clock(options.clock()).refreshInterval(options.refreshInterval())
        .cacheMaximumSize(options.featureCacheSize()).build();
  }
}
