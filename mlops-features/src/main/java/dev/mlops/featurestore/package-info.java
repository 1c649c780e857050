/**
 * The feature store ({@link dev.mlops.features.FeatureStore}) written once over the storage SPI:
 * {@link dev.mlops.featurestore.ObjectStoreFeatureStore}, which a workspace opens through
 * {@link dev.mlops.featurestore.WorkspaceFeatureStoreFactory} (a {@link dev.mlops.spi.FeatureStoreFactory}
 * found with {@link java.util.ServiceLoader}). Everything else here is package-private. Storage
 * layout and integrity checks: {@code docs/feature-store.md}.
 */
package dev.mlops.featurestore;
