package dev.mlops.spi;

/**
 * What a store guarantees beyond the {@link ObjectStore} contract, declared by the backend. The
 * contract kit reads these instead of disabling tests per backend.
 *
 * <p>Immutable and thread-safe.
 *
 * @param persistent data outlives the store object (a new store on the same location sees it)
 * @param multiProcess several processes may open the same location at once, with create-if-absent
 *     still atomic across them
 */
public record StoreCapabilities(boolean persistent, boolean multiProcess) {}
