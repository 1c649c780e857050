package dev.mlops;

import dev.mlops.features.FeatureStore;
import java.net.URI;

/**
 * An open mlops workspace: one store ({@code mem:}, {@code file:}, {@code s3:}) and the services
 * over it. Open with {@link Mlops#open(URI)}; close to flush buffered metrics and release the
 * store. Any number of workspaces, in any number of processes, may open the same store at once.
 *
 * <p>Thread-safe.
 */
public interface Workspace extends AutoCloseable {

  /** @return the URI this workspace was opened with */
  URI uri();

  /** @return content-addressed artifact storage */
  Artifacts artifacts();

  /** @return the model registry */
  ModelRegistry registry();

  /** @return experiment tracking */
  Experiments experiments();

  /**
   * The feature store, opened on first use; it lives in the separate artifact
   * {@code dev.mlops:mlops-features}.
   *
   * @return the feature store
   * @throws ProviderNotFoundException if {@code dev.mlops:mlops-features} is not on the class path
   */
  FeatureStore features();

  /** Flushes buffered writes and releases the store. Idempotent. */
  @Override
  void close();
}
