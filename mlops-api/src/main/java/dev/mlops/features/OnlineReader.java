package dev.mlops.features;

import java.util.List;

/**
 * Online lookups of a fixed list of features for a serving loop: the request is resolved once, and
 * a read served from the cache fills a caller-owned {@link OnlineVector} without allocating.
 * Statuses, ages and the TTL rule are those of {@link FeatureStore#online}; definitions changed
 * later are picked up within the store's refresh interval.
 *
 * <p>Thread-safe (share one reader; give each thread its own {@link OnlineVector}).
 */
public interface OnlineReader {

  /** @return the features, in the positions they are written to */
  List<FeatureRef> features();

  /**
   * Reads one entity's features at the clock's now.
   *
   * @param entityKey the entity's key
   * @param into a vector of {@code features().size()} positions, overwritten
   * @return how many features are PRESENT
   * @throws IllegalArgumentException if the vector has the wrong size
   */
  int read(String entityKey, OnlineVector into);
}
