package dev.mlops.governance;

import dev.mlops.Digest;
import dev.mlops.Workspace;
import java.util.Set;

/**
 * Artifacts that something outside the registry and the runs references (a pipeline's step
 * outputs, a serving snapshot), so that the {@link GarbageCollector} keeps them. Register with
 * {@link GarbageCollector.Builder#roots(GcRoots)}.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface GcRoots {
  /**
   * @param workspace the workspace being collected
   * @return digests to keep, read from the store now
   */
  Set<Digest> referenced(Workspace workspace);
}
