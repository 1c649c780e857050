package dev.mlops.spi;

import dev.mlops.WorkspaceOptions;
import dev.mlops.features.FeatureStore;

/**
 * Builds the {@link FeatureStore} of a workspace over its {@link ObjectStore}; implemented once,
 * by {@code mlops-features}, and found with {@link java.util.ServiceLoader} the first time
 * {@link dev.mlops.Workspace#features()} is called. Without {@code dev.mlops:mlops-features} on the
 * class path a workspace has no feature store and {@code features()} says which artifact to add.
 *
 * <p>Implementations are thread-safe and cheap to construct (all work happens in {@link #open}).
 */
public interface FeatureStoreFactory {

  /**
   * Opens a feature store. The workspace closes it (if it is {@link AutoCloseable}) before it
   * closes the store; the feature store itself must not close the store.
   *
   * @param store the workspace's store (already wrapped read-only if the workspace is)
   * @param options the workspace's options: {@link WorkspaceOptions#clock() clock},
   *     {@link WorkspaceOptions#refreshInterval() refresh interval} and
   *     {@link WorkspaceOptions#featureCacheSize() online cache size} apply to the feature store
   * @return an open feature store
   */
  FeatureStore open(ObjectStore store, WorkspaceOptions options);
}
