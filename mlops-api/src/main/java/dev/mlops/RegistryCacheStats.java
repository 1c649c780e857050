package dev.mlops;

import java.time.Duration;
import java.util.Objects;

/**
 * Counters of one process's model-registry cache, for monitoring (the Micrometer binder in
 * {@code mlops-micrometer} exports them).
 *
 * <p>Immutable and thread-safe.
 *
 * @param hits lookups answered from memory
 * @param misses lookups that had to read a model from the store (cold loads)
 * @param loads reads of a model's state from the store: cold loads and background refreshes
 * @param loadFailures reads that failed (the previous state, if any, stayed in use)
 * @param cachedModels models held in memory
 * @param maxStaleness how long ago the least recently synchronised cached model was read from
 *     (or written to) the store; changes by other processes show up within about the refresh
 *     interval after a lookup, so a value far above it means nothing asked for that model lately
 */
public record RegistryCacheStats(long hits, long misses, long loads, long loadFailures, long cachedModels,
    Duration maxStaleness) {
  /** Stats of a registry that keeps no cache. */
  public static final RegistryCacheStats NONE = new RegistryCacheStats(0, 0, 0, 0, 0, Duration.ZERO);

  /** @throws IllegalArgumentException if a count is negative */
  public RegistryCacheStats {
    if (hits < 0 || misses < 0 || loads < 0 || loadFailures < 0 || cachedModels < 0) {
      throw new IllegalArgumentException("counts must be >= 0: hits " + hits + ", misses " + misses + ", loads " + loads
          + ", loadFailures " + loadFailures + ", cachedModels " + cachedModels);
    }
    Objects.requireNonNull(maxStaleness, "maxStaleness");
  }
}
