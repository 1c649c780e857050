package dev.mlops.fs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.Mlops;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunPage;
import dev.mlops.RunQuery;
import dev.mlops.RunStatus;
import dev.mlops.VerifyReport;
import dev.mlops.Workspace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run search index under real {@code kill -9}: 8 {@link RunIndexWorker} JVMs start, log and
 * end runs in one shared experiment on one {@code file:} store while the test kills random ones
 * at random moments and restarts them. Afterwards, in fresh workspaces:
 * <ul>
 *   <li>every run whose {@code end} a worker reported is found by an ordered and a filtered search
 *       with its status and metric; every run whose {@code startRun} returned is found (RUNNING if
 *       it was killed before its END entry);
 *   <li>the index-backed search returns exactly the runs and facts that the oracle gives: every run
 *       log on the store (listed through the backend, read by id with {@code findRun}), minus only
 *       runs whose {@code startRun} never returned and that have no index marker (what the docs say
 *       a kill may leave, and what {@code verifyIndex()} reports); precisely, the logged runs that
 *       have an index start entry (so a run whose marker a kill prevented is still found: the
 *       membership comes from the index); after {@code repairIndex()} the search returns exactly
 *       the oracle;
 *   <li>{@code verify} is clean for every run a worker started and did not report ended, and for a
 *       sample of the ended ones, and the raw index holds gapless
 *       entry numbers, at most one start and one end entry per run, and segments equal to their
 *       entries.
 * </ul>
 * Runs 20 s (about 450 index entries, so no block of 1,000 is compacted: the block size is not a
 * setting); {@code -Dmlops.it.indexSeconds=120} or more also crosses segment compaction under kills.
 */
class FsRunIndexProcessesIT {
  private static final int WORKERS = 8;
  private static final String EXP = RunIndexWorker.EXPERIMENT;
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Ended(RunStatus status, double score) {}

  @Test
  void searchIndexKeepsEveryReportedRunAndAgreesWithTheLogsAfterKills(@TempDir Path dir) throws Exception {
    Path root = dir.resolve("store");
    String uri = "file:" + root;
    try (Workspace init = Mlops.open(uri)) {
      init.experiments().experimentNames(); // creates the store
    }
    long seconds = Long.getLong("mlops.it.indexSeconds", 20);
    Random rnd = new Random(Long.getLong("mlops.it.seed", 2026));
    ChildJvm[] workers = new ChildJvm[WORKERS];
    List<String> lines = new ArrayList<>();
    int spawned = 0;
    int kills = 0;
    try {
      for (int i = 0; i < WORKERS; i++) {
        workers[i] = ChildJvm.start(RunIndexWorker.class, "96m", dir.resolve("worker-" + i + ".err"),
            root.toString(), Integer.toString(i), Long.toString(spawned++));
      }
      long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
      while (System.nanoTime() < end) {
        Thread.sleep(300 + rnd.nextInt(1200));
        int victim = rnd.nextInt(WORKERS);
        workers[victim].kill(); // SIGKILL
        kills++;
        lines.addAll(workers[victim].drain());
        workers[victim] = ChildJvm.start(RunIndexWorker.class, "96m", dir.resolve("worker-" + victim + ".err"),
            root.toString(), Integer.toString(victim), Long.toString(spawned++));
      }
    } finally {
      for (ChildJvm w : workers) {
        if (w != null) {
          w.kill();
          lines.addAll(w.drain());
        }
      }
    }
    Set<String> started = new HashSet<>();
    Map<String, Ended> ended = new HashMap<>();
    for (String l : lines) {
      String[] f = l.split(" ");
      if (f[0].equals("STARTED")) {
        started.add(f[1]);
      } else if (f[0].equals("ENDED")) {
        ended.put(f[1], new Ended(RunStatus.valueOf(f[2]), Double.parseDouble(f[3])));
      }
    }
    assertThat(kills).isGreaterThanOrEqualTo(10);
    assertThat(ended).as("runs ended by the workers; stderr in %s", dir).hasSizeGreaterThan(20);
    assertThat(started).containsAll(ended.keySet());

    // the oracle: every run log on the store, read by id (the log is the truth)
    Map<String, RunInfo> logs = new TreeMap<>();
    try (Workspace ws = Mlops.open(uri); FsObjectStore store = FsObjectStore.builder().root(root).build()) {
      Set<String> ids = store.listAll("runs/").map(k -> k.split("/")[1]).collect(Collectors.toCollection(TreeSet::new));
      for (String id : ids) {
        ws.experiments().findRun(RunId.of(id)).filter(r -> r.experiment().equals(EXP)).ifPresent(r -> logs.put(id, r));
      }
    }
    Set<String> orphans = new TreeSet<>(logs.keySet());
    orphans.removeAll(started);
    // (4) first, so that (2) can use the raw index: which runs have a start entry
    Set<String> indexed = checkRawIndex(root);
    Set<String> markers;
    try (FsObjectStore store = FsObjectStore.builder().root(root).build()) {
      String p = "experiments/runs/" + EXP + "/";
      markers = store.listAll(p).map(k -> k.substring(p.length())).collect(Collectors.toSet());
    }

    try (Workspace ws = Mlops.open(uri)) {
      // (1) ordered search: every reported end, in metric order
      List<RunInfo> ordered = searchAll(ws, RunQuery.builder().experiment(EXP).orderByMetric("score", true));
      Map<String, RunInfo> found = byId(ordered);
      assertThat(found).as("ordered search has no duplicates").hasSize(ordered.size());
      for (Map.Entry<String, Ended> e : ended.entrySet()) {
        RunInfo r = found.get(e.getKey());
        assertThat(r).as("reported ended run %s in the ordered search", e.getKey()).isNotNull();
        assertThat(r.status()).as("status of %s", e.getKey()).isEqualTo(e.getValue().status());
        assertThat(r.latestMetrics()).as("metric of %s", e.getKey()).containsEntry("score", e.getValue().score());
      }
      List<Double> scores = ordered.stream().filter(r -> r.latestMetrics().containsKey("score"))
          .map(r -> r.latestMetrics().get("score")).toList();
      assertThat(scores).as("descending by score").isSortedAccordingTo((a, b) -> Double.compare(b, a));
      int firstWithout = (int) ordered.stream().takeWhile(r -> r.latestMetrics().containsKey("score")).count();
      assertThat(ordered.subList(firstWithout, ordered.size())).as("runs without the metric sort last")
          .allMatch(r -> !r.latestMetrics().containsKey("score"));
      // every run whose startRun returned is found; RUNNING if no END entry was written
      assertThat(found.keySet()).as("runs whose startRun returned").containsAll(started);

      // (1) filtered searches
      for (RunStatus s : List.of(RunStatus.FINISHED, RunStatus.FAILED)) {
        Map<String, RunInfo> filtered = byId(searchAll(ws, RunQuery.builder().experiment(EXP).status(s)
            .metric("score", RunQuery.Op.GE, 0.0)));
        Set<String> expected = ended.entrySet().stream().filter(e -> e.getValue().status() == s).map(Map.Entry::getKey)
            .collect(Collectors.toSet());
        assertThat(filtered.keySet()).as("filtered search for %s", s).containsAll(expected);
        assertThat(filtered.values()).allMatch(r -> r.status() == s && r.latestMetrics().get("score") >= 0.0);
      }

      // (2) index-backed search == the logs, minus orphans without a marker (startRun never returned)
      Set<String> missing = new TreeSet<>(logs.keySet());
      missing.removeAll(found.keySet());
      assertThat(orphans).as("runs not found must be orphans (startRun never returned)").containsAll(missing);
      assertThat(logs.keySet()).as("search finds nothing without a log").containsAll(found.keySet());
      // membership comes from the index, not the markers: exactly the logged runs with a start entry
      Set<String> expectedMembers = new TreeSet<>(logs.keySet());
      expectedMembers.retainAll(indexed);
      assertThat(new TreeSet<>(found.keySet())).as("search == logged runs with an index start entry")
          .isEqualTo(expectedMembers);
      long withoutMarker = found.keySet().stream().filter(id -> !markers.contains(id)).count();
      for (RunInfo r : ordered) {
        RunInfo log = logs.get(r.id().value());
        assertThat(r.status()).as("status of %s", r.id()).isEqualTo(log.status());
        assertThat(r.latestMetrics()).as("metrics of %s", r.id()).isEqualTo(log.latestMetrics());
        assertThat(r.params()).as("params of %s", r.id()).isEqualTo(log.params());
        assertThat(r.endedAt()).as("end of %s", r.id()).isEqualTo(log.endedAt());
      }

      // (3) verify: clean for every run killed while running and a sample of the ended ones (verify
      // reads a run's whole log and segments; -Dmlops.it.verifySample=N checks more); verifyIndex
      // names only an orphan (its marker or its start entry missing)
      List<String> toVerify = new ArrayList<>(new TreeSet<>(ended.keySet()));
      java.util.Collections.shuffle(toVerify, rnd);
      toVerify = new ArrayList<>(toVerify.subList(0, Math.min(toVerify.size(), Integer.getInteger("mlops.it.verifySample", 100))));
      started.stream().filter(id -> !ended.containsKey(id)).forEach(toVerify::add);
      for (String id : toVerify) {
        VerifyReport v = ws.experiments().verify(RunId.of(id));
        assertThat(v.ok()).as("verify(%s): %s", id, v).isTrue();
      }
      VerifyReport vi = ws.experiments().verifyIndex();
      if (!vi.ok()) {
        // a missing marker (named by its key) or a missing start entry (named in the problem)
        String where = vi.brokenKey().orElseThrow() + " " + vi.problem().orElse("");
        assertThat(orphans).as("verifyIndex broken at %s", where).anyMatch(where::contains);
      }
      System.out.printf("RunIndex IT: %d kills, %d spawned, %d started, %d ended, %d logs, %d orphans (%d not found),"
          + " %d found without a marker, verifyIndex %s%n", kills, spawned, started.size(), ended.size(), logs.size(),
          orphans.size(), missing.size(), withoutMarker, vi);
    }

    // after repairIndex, a fresh workspace's search returns exactly the logs
    try (Workspace ws = Mlops.open(uri)) {
      ws.experiments().repairIndex();
    }
    try (Workspace ws = Mlops.open(uri)) {
      assertThat(ws.experiments().verifyIndex().ok()).isTrue();
      Map<String, RunInfo> all = byId(searchAll(ws, RunQuery.builder().experiment(EXP)));
      assertThat(all.keySet()).as("search after repairIndex == the logs").isEqualTo(logs.keySet());
      all.forEach((id, r) -> assertThat(r.status()).as("status of %s", id).isEqualTo(logs.get(id).status()));
    }
  }

  /**
   * Gapless entry numbers, one start and at most one end entry per run, segments equal to the
   * entries they replace. @return the runs with a start entry
   */
  private static Set<String> checkRawIndex(Path root) throws Exception {
    String prefix = "experiments/search/" + EXP + "/";
    Map<Long, JsonNode> entries = new TreeMap<>();
    int segments = 0;
    try (FsObjectStore store = FsObjectStore.builder().root(root).build()) {
      for (String k : store.listAll(prefix + "entries/").toList()) {
        long n = Long.parseLong(k.substring(k.lastIndexOf('/') + 1));
        assertThat(entries.put(n, read(store, k))).as("entry %d twice", n).isNull();
      }
      for (String k : store.listAll(prefix + "segments/").toList()) {
        String[] range = k.substring(k.lastIndexOf('/') + 1).split("-");
        long from = Long.parseLong(range[0]);
        segments++;
        String text = new String(store.get(k).orElseThrow(), StandardCharsets.UTF_8);
        JsonNode seg = JSON.readTree(text.substring(0, text.lastIndexOf('\n', text.length() - 2)));
        JsonNode list = seg.get("entries");
        assertThat((long) list.size()).as("segment %s size", k).isEqualTo(Long.parseLong(range[1]) - from);
        for (int i = 0; i < list.size(); i++) {
          JsonNode before = entries.putIfAbsent(from + i, list.get(i));
          if (before != null) {
            assertThat(list.get(i)).as("segment %s entry %d == its loose entry", k, from + i).isEqualTo(before);
          }
        }
      }
    }
    assertThat(entries.keySet()).as("entry numbers gapless from 0").isEqualTo(
        java.util.stream.LongStream.range(0, entries.size()).boxed().collect(Collectors.toCollection(TreeSet::new)));
    Map<String, Integer> starts = new HashMap<>();
    Map<String, Integer> ends = new HashMap<>();
    int lists = 0;
    for (JsonNode object : entries.values()) {
      // an object is one entry, or a list of entries written together (a start and the end
      // entries of runs its writer had ended since its last write)
      List<JsonNode> inIt = new ArrayList<>();
      if (object.has("entries")) {
        object.get("entries").forEach(inIt::add);
        lists++;
      } else {
        inIt.add(object);
      }
      for (JsonNode e : inIt) {
        String run = e.path("run").asText();
        assertThat(run).as("entry %s names a run", e).isNotEmpty();
        (e.path("kind").asText().equals("start") ? starts : ends).merge(run, 1, Integer::sum);
      }
    }
    assertThat(starts.values()).as("one start entry per run").allMatch(c -> c == 1);
    assertThat(ends.values()).as("at most one end entry per run").allMatch(c -> c == 1);
    assertThat(starts.keySet()).as("every ended run in the index was started in it").containsAll(ends.keySet());
    System.out.printf("RunIndex IT: %d index objects (%d of them lists; %d starts, %d ends), %d segments%n",
        entries.size(), lists, starts.size(), ends.size(), segments);
    return starts.keySet();
  }

  private static JsonNode read(FsObjectStore store, String key) throws Exception {
    return JSON.readTree(store.get(key).orElseThrow());
  }

  private static List<RunInfo> searchAll(Workspace ws, RunQuery.Builder query) {
    List<RunInfo> out = new ArrayList<>();
    Optional<String> token = Optional.empty();
    do {
      RunQuery.Builder q = query.pageSize(500);
      if (token.isPresent()) {
        q.pageToken(token.get());
      }
      RunPage page = ws.experiments().search(q.build());
      out.addAll(page.runs());
      token = page.nextPageToken();
    } while (token.isPresent());
    return out;
  }

  private static Map<String, RunInfo> byId(List<RunInfo> runs) {
    return runs.stream().collect(Collectors.toMap(r -> r.id().value(), Function.identity(), (a, b) -> a,
        LinkedHashMap::new));
  }
}
