package dev.mlops.core.internal;

import dev.mlops.AlreadyExistsException;
import dev.mlops.Digest;
import dev.mlops.ModelVersion;
import dev.mlops.RunId;
import dev.mlops.spi.ObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the lineage index as things are recorded: empty, create-if-absent marker objects whose
 * keys are the edges of the lineage graph, so a query lists a few short prefixes instead of
 * scanning every log:
 * <ul>
 *   <li>{@code lineage/dataset/<hex>/model/<model>/<version>} — a version registered with that dataset;
 *   <li>{@code lineage/dataset/<hex>/run/<run>} — a run that logged that dataset as an input;
 *   <li>{@code lineage/run/<run>/<model>/<version>} — a version trained by that run;
 *   <li>{@code lineage/children/<model>/<parent>/<version>} — a version derived from a parent.
 * </ul>
 * Markers are written after the log entry they mirror; a writer that dies in between leaves the
 * index short, which {@code LineageIndex.rebuild} in mlops-governance repairs. Best effort: a
 * failed marker is logged, never fails the command.
 *
 * <p>Not API: used by mlops-core on write and by mlops-governance to query and rebuild.
 *
 * <p>Thread-safe (stateless).
 */
public final class LineageMarks {
  private static final Logger LOG = LoggerFactory.getLogger(LineageMarks.class);

  private LineageMarks() {}

  /** Prefix of the index. */
  public static final String PREFIX = "lineage/";

  /**
   * Marks a registered version's edges.
   *
   * @param store the store
   * @param v the version
   */
  public static void version(ObjectStore store, ModelVersion v) {
    String ref = v.model() + "/" + v.version();
    for (Digest d : v.lineage().datasets()) {
      mark(store, "lineage/dataset/" + d.hex() + "/model/" + ref);
    }
    v.lineage().trainingRun().ifPresent(r -> mark(store, "lineage/run/" + r.value() + "/" + ref));
    v.lineage().parentVersion().ifPresent(p -> mark(store, "lineage/children/" + v.model() + "/" + p + "/" + v.version()));
  }

  /**
   * Marks a run's dataset input.
   *
   * @param store the store
   * @param run the run
   * @param dataset the dataset's digest
   */
  public static void runInput(ObjectStore store, RunId run, Digest dataset) {
    mark(store, "lineage/dataset/" + dataset.hex() + "/run/" + run.value());
  }

  private static void mark(ObjectStore store, String key) {
    try {
      store.create(key, new byte[0]);
    } catch (AlreadyExistsException already) {
      // fine: create-if-absent
    } catch (RuntimeException e) {
      LOG.warn("lineage index marker {} not written (LineageIndex.rebuild repairs it): {}", key, e.toString());
    }
  }
}
