/**
 * The storage SPI that backends implement: {@link dev.mlops.spi.ObjectStore} with atomic
 * create-if-absent as its one correctness primitive, and {@link dev.mlops.spi.ObjectStoreProvider}
 * found by URI scheme; and the factories through which {@code mlops-core} finds the workspace
 * ({@link dev.mlops.spi.WorkspaceFactory}) and a workspace finds its feature store
 * ({@link dev.mlops.spi.FeatureStoreFactory}, from {@code mlops-features}). Users never import this package.
 */
package dev.mlops.spi;
