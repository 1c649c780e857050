package dev.mlops.core.internal;

import dev.mlops.AlreadyExistsException;
import dev.mlops.Digest;
import dev.mlops.ModelVersion;
import dev.mlops.RunId;
import dev.mlops.DatasetInput;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;
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
 *   <li>{@code lineage/children/<model>/<parent>/<version>} — a version derived from a parent;
 *   <li>{@code lineage/dataset/<hex>/trained/<run>/<model>/<version>} — a version trained by a run
 *       that logged that dataset (written at register time from the run's inputs, and at
 *       {@code logInput} time for the versions the run already trained);
 *   <li>{@code lineage/dataset/<hex>/derived/<model>/<parent>/<version>} — a version whose parent
 *       used that dataset in any way (directly, through its run, or through its own parent).
 * </ul>
 * So every use of a dataset is one listing of {@code lineage/dataset/<hex>/}. Races between a
 * registration and a {@code logInput} on its training run are closed by ordering: the registration
 * writes {@code lineage/run/<run>/…} before it reads the run's inputs, and {@code logInput} commits
 * its entry before it lists {@code lineage/run/<run>/}; whichever comes second sees the other.
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
   * Marks a registered version's direct edges only (no reads): for callers that cannot look up
   * runs or parents. Prefer {@link #version(ObjectStore, ModelVersion, IntFunction, Function)}.
   *
   * @param store the store
   * @param v the version
   */
  public static void version(ObjectStore store, ModelVersion v) {
    version(store, v, p -> Optional.empty(), r -> List.of());
  }

  /**
   * Marks a registered version's edges, and a {@code trained}/{@code derived} marker for every
   * dataset it reaches through its training run's inputs and its parent chain.
   *
   * @param store the store
   * @param v the version
   * @param sameModelVersion looks up another version of the same model (its parents)
   * @param runs looks up the dataset inputs a run logged (empty if none or no such run)
   */
  public static void version(ObjectStore store, ModelVersion v, IntFunction<Optional<ModelVersion>> sameModelVersion,
      Function<RunId, List<DatasetInput>> runs) {
    String ref = v.model() + "/" + v.version();
    for (Digest d : v.lineage().datasets()) {
      mark(store, "lineage/dataset/" + d.hex() + "/model/" + ref);
    }
    // the run and children markers first: a concurrent logInput on the run lists them after its entry
    v.lineage().trainingRun().ifPresent(r -> mark(store, "lineage/run/" + r.value() + "/" + ref));
    v.lineage().parentVersion().ifPresent(p -> mark(store, "lineage/children/" + v.model() + "/" + p + "/" + v.version()));
    v.lineage().trainingRun().ifPresent(r -> {
      for (Digest d : inputs(runs, r)) {
        mark(store, "lineage/dataset/" + d.hex() + "/trained/" + r.value() + "/" + ref);
      }
    });
    if (v.lineage().parentVersion().isPresent()) {
      int parent = v.lineage().parentVersion().get();
      for (Digest d : reachable(sameModelVersion, runs, parent)) {
        mark(store, "lineage/dataset/" + d.hex() + "/derived/" + v.model() + "/" + parent + "/" + v.version());
      }
    }
  }

  /** Every dataset a version uses: its own, its training run's inputs, its parents' (transitively). */
  private static Set<Digest> reachable(IntFunction<Optional<ModelVersion>> sameModelVersion,
      Function<RunId, List<DatasetInput>> runs, int version) {
    Set<Digest> out = new LinkedHashSet<>();
    Set<Integer> seen = new java.util.HashSet<>();
    Optional<ModelVersion> at = sameModelVersion.apply(version);
    while (at.isPresent() && seen.add(at.get().version())) {
      ModelVersion mv = at.get();
      out.addAll(mv.lineage().datasets());
      mv.lineage().trainingRun().ifPresent(r -> out.addAll(inputs(runs, r)));
      at = mv.lineage().parentVersion().flatMap(sameModelVersion::apply);
    }
    return out;
  }

  private static Set<Digest> inputs(Function<RunId, List<DatasetInput>> runs, RunId run) {
    Set<Digest> out = new LinkedHashSet<>();
    try {
      runs.apply(run).stream().map(DatasetInput::digest).forEach(out::add);
    } catch (RuntimeException e) {
      LOG.warn("lineage index: inputs of run {} not read (LineageIndex.rebuild repairs it): {}", run.value(), e.toString());
    }
    return out;
  }

  /**
   * Marks a run's dataset input, and a {@code trained} marker for each version the run already
   * trained plus a {@code derived} marker for each of their descendants (one listing of
   * {@code lineage/run/<run>/}, one per version reached; nothing when the run trained none yet).
   *
   * @param store the store
   * @param run the run
   * @param dataset the dataset's digest
   */
  public static void runInput(ObjectStore store, RunId run, Digest dataset) {
    String base = "lineage/dataset/" + dataset.hex() + "/";
    mark(store, base + "run/" + run.value());
    try {
      String prefix = "lineage/run/" + run.value() + "/";
      Deque<String> todo = new ArrayDeque<>();
      for (String key : store.listAll(prefix).toList()) {
        String ref = key.substring(prefix.length());
        mark(store, base + "trained/" + run.value() + "/" + ref);
        todo.add(ref);
      }
      Set<String> seen = new java.util.HashSet<>(todo);
      while (!todo.isEmpty()) {
        String ref = todo.pop();
        String model = ref.substring(0, ref.indexOf('/'));
        String children = "lineage/children/" + ref + "/";
        for (String key : store.listAll(children).toList()) {
          String child = key.substring(children.length());
          mark(store, base + "derived/" + ref + "/" + child);
          if (seen.add(model + "/" + child)) {
            todo.add(model + "/" + child);
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("lineage index: versions trained by run {} not marked for {} (LineageIndex.rebuild repairs it): {}",
          run.value(), dataset, e.toString());
    }
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
