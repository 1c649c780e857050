package dev.mlops.governance;

import dev.mlops.Digest;
import dev.mlops.DatasetInput;
import dev.mlops.ModelVersion;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunPage;
import dev.mlops.RunQuery;
import dev.mlops.Workspace;
import dev.mlops.core.internal.LineageMarks;
import dev.mlops.spi.ObjectStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Lineage queries answered from the index the registry and runs write as they record
 * ({@code lineage/…} markers, see {@code LineageMarks} in mlops-core), not by scanning logs.
 *
 * <p>Cost of {@link #usesOf(Digest)}: one listing of {@code lineage/dataset/<hex>/} (its keys name
 * the runs, the versions registered with the dataset, the versions trained by those runs and the
 * versions derived from any of them), plus an alias lookup per version found (the registry's
 * cached model state); it does not grow with the number of models, versions or runs that did not
 * use the dataset, nor with the number of runs that did (only with the length of the listing).
 * {@link #upstream(String, int)} reads the version, each ancestor and each training run once.
 * {@link #rebuild()} scans every version and run once, for stores written before the index existed.
 *
 * <p>Thread-safe.
 */
public final class LineageIndex {
  private final Workspace workspace;
  private final ObjectStore store;

  private LineageIndex(Workspace workspace) {
    this.workspace = workspace;
    this.store = AuditExport.storeOf(workspace);
  }

  /**
   * @param workspace an open mlops-core workspace
   * @return the index over its store
   */
  public static LineageIndex of(Workspace workspace) {
    return new LineageIndex(workspace);
  }

  /**
   * A model version that used a dataset.
   *
   * <p>Immutable and thread-safe.
   *
   * @param model model name
   * @param version version
   * @param via how: {@code registered with it}, {@code trained by run <id>} or {@code derived from <model>/<v>}
   * @param aliases the aliases pointing at it now
   */
  public record VersionUse(String model, int version, String via, Set<String> aliases) {
    /** Validates and copies. */
    public VersionUse {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(via, "via");
      aliases = Set.copyOf(aliases);
    }
  }

  /**
   * Everything that used a dataset.
   *
   * <p>Immutable and thread-safe.
   *
   * @param dataset the dataset's digest
   * @param runs runs that logged it as an input
   * @param versions versions that used it directly, through their training run, or through a parent
   */
  public record DatasetUsage(Digest dataset, List<RunId> runs, List<VersionUse> versions) {
    /** Validates and copies. */
    public DatasetUsage {
      Objects.requireNonNull(dataset, "dataset");
      runs = List.copyOf(runs);
      versions = List.copyOf(versions);
    }
  }

  /**
   * One edge of an upstream graph: {@code from} was used to make {@code to}. Nodes are named
   * {@code model:<name>/<v>}, {@code run:<id>} and {@code dataset:sha256:<hex>}.
   *
   * <p>Immutable and thread-safe.
   *
   * @param from the upstream node
   * @param to the downstream node
   * @param kind {@code parent}, {@code trained-by}, {@code dataset} or {@code run-input}
   */
  public record Edge(String from, String to, String kind) {
    /** Validates. */
    public Edge {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(kind, "kind");
    }
  }

  /**
   * @param dataset a dataset digest
   * @return every run that logged it and every version that used it, with their current aliases
   */
  public DatasetUsage usesOf(Digest dataset) {
    Objects.requireNonNull(dataset, "dataset");
    String base = LineageMarks.PREFIX + "dataset/" + dataset.hex() + "/";
    List<RunId> runs = new ArrayList<>();
    Map<String, String> found = new LinkedHashMap<>(); // "model/version" -> via
    Map<String, List<String>> trained = new LinkedHashMap<>(); // run -> "model/version"
    Map<String, List<String>> children = new LinkedHashMap<>(); // "model/parent" -> "model/version"
    for (String key : store.listAll(base).toList()) {
      String rest = key.substring(base.length());
      if (rest.startsWith("run/")) {
        runs.add(RunId.of(rest.substring(4)));
      } else if (rest.startsWith("model/")) {
        found.putIfAbsent(rest.substring(6), "registered with it");
      } else if (rest.startsWith("trained/")) {
        String[] p = rest.substring(8).split("/", 3); // run, model, version
        if (p.length == 3) {
          trained.computeIfAbsent(p[0], r -> new ArrayList<>()).add(p[1] + "/" + p[2]);
        }
      } else if (rest.startsWith("derived/")) {
        String[] p = rest.substring(8).split("/", 3); // model, parent, version
        if (p.length == 3) {
          children.computeIfAbsent(p[0] + "/" + p[1], r -> new ArrayList<>()).add(p[0] + "/" + p[2]);
        }
      }
    }
    // runs in listing order, as they were found; a trained marker whose run marker is missing last
    for (RunId r : runs) {
      for (String ref : trained.getOrDefault(r.value(), List.of())) {
        found.putIfAbsent(ref, "trained by run " + r.value());
      }
    }
    trained.forEach((run, refs) -> refs.forEach(ref -> found.putIfAbsent(ref, "trained by run " + run)));
    Deque<String> todo = new ArrayDeque<>(found.keySet());
    while (!todo.isEmpty()) {
      String ref = todo.pop();
      for (String child : children.getOrDefault(ref, List.of())) {
        if (found.putIfAbsent(child, "derived from " + ref) == null) {
          todo.add(child);
        }
      }
    }
    List<VersionUse> uses = new ArrayList<>();
    found.forEach((ref, via) -> {
      int slash = ref.indexOf('/');
      String model = ref.substring(0, slash);
      int version = Integer.parseInt(ref.substring(slash + 1));
      Set<String> aliases = workspace.registry().find(ref).map(ModelVersion::aliases).orElse(Set.of());
      uses.add(new VersionUse(model, version, via, new TreeSet<>(aliases)));
    });
    return new DatasetUsage(dataset, runs, uses);
  }

  /**
   * @param model model name
   * @param version version
   * @return the edges upstream of the version: parents (transitively), training runs, datasets
   *     registered with each version, and the inputs each training run logged
   * @throws dev.mlops.NotFoundException if the version does not exist
   */
  public List<Edge> upstream(String model, int version) {
    Set<Edge> edges = new LinkedHashSet<>();
    ModelVersion v = workspace.registry().get(model, version);
    while (v != null) {
      String node = "model:" + v.ref();
      for (Digest d : v.lineage().datasets()) {
        edges.add(new Edge("dataset:" + d, node, "dataset"));
      }
      Optional<RunId> run = v.lineage().trainingRun();
      if (run.isPresent()) {
        edges.add(new Edge("run:" + run.get().value(), node, "trained-by"));
        Optional<RunInfo> info = workspace.experiments().findRun(run.get());
        for (DatasetInput in : info.map(RunInfo::inputs).orElse(List.of())) {
          edges.add(new Edge("dataset:" + in.digest(), "run:" + run.get().value(), "run-input"));
        }
      }
      if (v.lineage().parentVersion().isPresent()) {
        ModelVersion parent = workspace.registry().get(model, v.lineage().parentVersion().get());
        edges.add(new Edge("model:" + parent.ref(), node, "parent"));
        v = parent;
      } else {
        v = null;
      }
    }
    return List.copyOf(edges);
  }

  /**
   * Writes every missing index marker, from every version of every model and every run's inputs:
   * for a store written before the index existed, or after a writer died between a log entry and
   * its marker. Safe to run while others write (markers are create-if-absent).
   *
   * @return how many versions and runs were visited
   */
  public long rebuild() {
    long n = 0;
    for (String m : workspace.registry().models()) {
      for (ModelVersion v : workspace.registry().versions(m)) {
        LineageMarks.version(store, v, p -> workspace.registry().find(m + "/" + p),
            r -> workspace.experiments().findRun(r).map(RunInfo::inputs).orElse(List.of()));
        n++;
      }
    }
    Optional<String> token = Optional.empty();
    do {
      RunQuery.Builder q = RunQuery.builder().pageSize(1000);
      token.ifPresent(q::pageToken);
      RunPage page = workspace.experiments().search(q.build());
      for (RunInfo r : page.runs()) {
        r.inputs().forEach(in -> LineageMarks.runInput(store, r.id(), in.digest()));
        n++;
      }
      token = page.nextPageToken();
    } while (token.isPresent());
    return n;
  }
}
