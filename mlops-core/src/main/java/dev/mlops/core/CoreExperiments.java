package dev.mlops.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.mlops.AlreadyExistsException;
import dev.mlops.ArtifactRef;
import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.Experiments;
import dev.mlops.MetricPoint;
import dev.mlops.Names;
import dev.mlops.NotFoundException;
import dev.mlops.Provenance;
import dev.mlops.Run;
import dev.mlops.RunId;
import dev.mlops.RunStatus;
import dev.mlops.RunInfo;
import dev.mlops.RunPage;
import dev.mlops.RunQuery;
import dev.mlops.StorageException;
import dev.mlops.VerifyReport;
import dev.mlops.core.MetricSegments.Latest;
import dev.mlops.core.MetricSegments.Segment;
import dev.mlops.core.MetricSegments.Summary;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.core.internal.Json;
import dev.mlops.spi.ObjectStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Experiment tracking over the {@link ObjectStore} SPI. Layout:
 * <pre>
 *   experiments/names/&lt;experiment&gt;             empty marker, lists experiments
 *   experiments/runs/&lt;experiment&gt;/&lt;runId&gt;     empty marker, lists a run of an experiment whose index is not complete
 *   runs/&lt;runId&gt;/log/&lt;seq, 20 digits&gt;.json     the run's hash-chained log ({@link RunState})
 *   runs/&lt;runId&gt;/metrics/&lt;writer&gt;-&lt;seq&gt;.seg   metric segments ({@link MetricSegments})
 *   experiments/search/&lt;experiment&gt;/...         the run search index ({@link RunIndex})
 * </pre>
 * The experiment's marker (once per process and experiment) and the run's search-index start
 * entry are created together with a run's first log entry, and {@link #startRun} returns only
 * once all are durable, so every run a caller holds is listed. In an experiment whose index is
 * complete ({@link RunIndex#complete}: every experiment this version creates) the start entries
 * list its runs and a run has no marker of its own; elsewhere (a store written before the index)
 * the run's marker is created too and search lists the markers. A crash inside {@code startRun}
 * can leave a run log without its start entry or marker, which {@link #verifyIndex()} reports.
 * Markers and index are only an index: a run's own log is the truth ({@link #search} checks the
 * experiment its START entry names; {@link #verifyIndex()} and {@link #repairIndex()} check and
 * rebuild them from the logs). Each writer's segments are numbered from 1 without gaps and a
 * run's END entry records every segment's digest, so a deleted or rewritten segment is reported, not
 * silently dropped ({@link #segments}). Run ids
 * are 13 hex digits of the start time in millis and 16 random hex digits: time-ordered, and
 * unique across processes without coordination.
 *
 * <p>One daemon writer thread per workspace (started with the first run) stores metric segments
 * and flushes partly filled chunks every flush interval. {@link #close()} flushes every live
 * handle, ends no run (runs stay RUNNING) and stops the thread.
 *
 * <p>Folded states of ended runs are cached (they never change again); a running run is brought
 * up to date by listing only the log entries after the cached one. Latest metric values of a
 * running run are computed from its segments, each summarised once and cached (segments are
 * immutable); an ended run carries them in its END entry.
 *
 * <p>A search takes the experiment's runs from the run search index ({@link RunIndex}) when that
 * index is complete, else from a listing of the markers; and each ended run's searchable facts
 * from the index, written when the run ended and read once per process. Only running runs and
 * ended runs without an index entry are read from their logs, and only the page's runs are read
 * in full. Its result is what reading every listed run would give ({@link #scan}); the index
 * changes the cost, not the answer (except that a run whose marker was deleted is still found).
 *
 * <p>Reads through this object see every metric logged through it: they flush this process's
 * handles of the run first.
 *
 * <p>Thread-safe.
 */
final class CoreExperiments implements Experiments, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CoreExperiments.class);
  private static final String NAMES = "experiments/names/";
  private static final String RUN_INDEX = "experiments/runs/";
  private static final String RUNS = "runs/";

  private final ObjectStore store;
  private final Clock clock;
  private final String actor;
  private final MetricBuffer.Settings settings;
  private final SecureRandom random = new SecureRandom();
  /** Ended runs older than this that a search finds without an index entry are backfilled. */
  static final java.time.Duration BACKFILL_AFTER = java.time.Duration.ofMinutes(5);
  private final RunIndex index;
  private final Cache<RunId, RunState> states = Caffeine.newBuilder().maximumSize(10_000).build();
  private final LoadingCache<String, Summary> segmentSummaries =
      Caffeine.newBuilder().maximumSize(100_000).build(this::readSegmentSummary);
  private final ConcurrentHashMap<RunId, List<CoreRun>> live = new ConcurrentHashMap<>();
  /**
   * Experiments whose name marker this object has created or found: it is created once per
   * process and name, not on every run start (a marker removed later is reported by
   * {@link #verifyIndex()} and re-created by {@link #repairIndex()}).
   */
  private final Set<String> knownExperiments = ConcurrentHashMap.newKeySet();
  /**
   * Whether a run start writes its index entries on the index thread while it writes the START
   * entry: on a persistent store (each write waits for a disk or a network), not on an in-memory
   * one.
   */
  private final boolean overlapIndexWrites;
  /**
   * How long the search-index entry of a run that ended here may wait for this process's next
   * run start in its experiment, which stores both in one object.
   */
  static final java.time.Duration INDEX_END_DELAY = java.time.Duration.ofSeconds(1);
  /** How long a run started deferred goes at most without its START in the store. */
  static final java.time.Duration DEFERRED_START_DELAY = java.time.Duration.ofSeconds(1);
  private final java.util.concurrent.atomic.AtomicBoolean flushScheduled = new java.util.concurrent.atomic.AtomicBoolean();
  private final Object writerLock = new Object();
  /**
   * Per experiment started here, whether this process writes run markers: decided once, at its
   * first start, by whether the experiment's search index was complete then. A process that goes
   * on writing them after another completed the index (repairIndex) only writes markers nobody
   * needs; none skips one that a search needs.
   */
  private final Map<String, Boolean> runMarkers = new ConcurrentHashMap<>();
  private ScheduledThreadPoolExecutor writer; // guarded by writerLock, started lazily
  private ExecutorService indexWriter; // guarded by writerLock, started lazily
  private volatile boolean closed;

  ObjectStore store() {
    return store;
  }

  CoreExperiments(ObjectStore store, Clock clock, String actor) {
    this(store, clock, actor, MetricBuffer.Settings.DEFAULTS);
  }

  CoreExperiments(ObjectStore store, Clock clock, String actor, MetricBuffer.Settings settings) {
    this(store, clock, actor, settings, RunIndex.BLOCK);
  }

  /** @param indexBlock entries per run search index segment (tests use small blocks) */
  CoreExperiments(ObjectStore store, Clock clock, String actor, MetricBuffer.Settings settings, int indexBlock) {
    this.index = new RunIndex(store, indexBlock, !(store instanceof ReadOnlyObjectStore));
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.actor = Objects.requireNonNull(actor, "actor");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.overlapIndexWrites = store.capabilities().persistent();
  }

  // ---------------------------------------------------------------- commands

  @Override
  public Run startRun(String experiment, String runName) {
    return startRun(experiment, runName, Map.of(), Map.of());
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here the params and tags are part of the run's START entry (fields {@code params} and
   * {@code tags}, written only when non-empty): the start is one durable create, however many
   * there are. Keys and values are checked before anything is written.
   */
  @Override
  public Run startRun(String experiment, String runName, Map<String, String> params, Map<String, String> tags) {
    checkStart(experiment, runName, params, tags);
    checkOpen();
    RunId id = RunId.of(millisHex(clock.millis()) + randomHex(8));
    Provenance p = ProvenanceCapture.capture();
    // The index writes and the START entry do not depend on each other: the search-index start
    // entry, the markers (see the class comment) and the START are created at the same time (the
    // index writes on index threads) and this returns once all are durable, so a returned run is
    // always listed. A crash before that can leave any of them without the others — a run whose
    // startRun never returned (a run log without its marker or start entry is reported by
    // verifyIndex() and repaired by repairIndex(); a marker or start entry without a run log names
    // no run and is skipped).
    Runnable startEntry = () -> index.appendStart(experiment, id);
    Runnable markerWrites = () -> {
      if (experimentWithRunMarkers(experiment)) {
        // (an experiment whose index is complete lists its runs from their start entries)
        createMarker(RUN_INDEX + experiment + "/" + id.value());
      }
    };
    if (!overlapIndexWrites) {
      // An in-memory store has no latency to overlap: a hand-off to the index thread and back
      // would cost more than the writes. Written first, in the same order, so the above holds.
      startEntry.run();
      markerWrites.run();
      return start(id, experiment, runName, params, tags, p);
    }
    Future<?> entry = indexWriter().submit(startEntry);
    // nothing to write (a known experiment whose index is complete): no hand-off to a thread and back
    Boolean withMarker = runMarkers.get(experiment);
    Future<?> markers = knownExperiments.contains(experiment) && Boolean.FALSE.equals(withMarker)
        ? java.util.concurrent.CompletableFuture.completedFuture(null) : indexWriter().submit(markerWrites);
    try {
      return start(id, experiment, runName, params, tags, p);
    } finally {
      try {
        awaitMarkers(entry, id);
      } finally {
        awaitMarkers(markers, id);
      }
    }
  }

  /** Checks what a run start is given (names, keys and values) before anything is written. */
  static void checkStart(String experiment, String runName, Map<String, String> params,
      Map<String, String> tags) {
    Names.requireValid("experiment name", experiment);
    Objects.requireNonNull(runName, "runName");
    Objects.requireNonNull(params, "params");
    Objects.requireNonNull(tags, "tags");
    params.forEach((k, v) -> {
      Names.requireValid("param key", k);
      CoreRun.requireValue("param", k, v);
    });
    tags.forEach((k, v) -> {
      Names.requireValid("tag key", k);
      CoreRun.requireValue("tag", k, v);
    });
  }

  /**
   * Creates the experiment's name marker (and declares its index complete) the first time this
   * process starts a run of it, if needed.
   *
   * @return whether its runs get run markers (its index is not complete: a store from before the index)
   */
  private boolean experimentWithRunMarkers(String experiment) {
    if (!knownExperiments.contains(experiment)) {
      if (createMarker(NAMES + experiment)) {
        // a new experiment: every run of it starts as this one did, so its index is complete
        index.markComplete(experiment);
      }
      knownExperiments.add(experiment);
    }
    Boolean withMarkers = runMarkers.get(experiment);
    if (withMarkers == null) {
      // (read outside the map's lock: it may be a store read)
      Boolean decided = runMarkers.putIfAbsent(experiment, !index.complete(experiment));
      withMarkers = decided != null ? decided : runMarkers.get(experiment);
    }
    return withMarkers;
  }

  /**
   * Reserves {@code count} run ids of the experiment (see {@link RunReservation}): draws them and
   * stores their search-index start entries as one object, on an index thread (at once on an
   * in-memory store), so that each run started with one of them costs no index write of its own.
   * An experiment whose index is not complete (its runs are listed by markers) gets no ids: its
   * runs start as {@link #startRun} starts them.
   */
  RunReservation reserve(String experiment, int count) {
    Names.requireValid("experiment name", experiment);
    if (count < 1 || count > RunReservation.MAX) {
      throw new IllegalArgumentException("count must be 1.." + RunReservation.MAX + ", got " + count);
    }
    checkOpen();
    if (experimentWithRunMarkers(experiment)) {
      return new RunReservation(this, experiment, List.of(), java.util.concurrent.CompletableFuture.completedFuture(null));
    }
    List<RunId> ids = new ArrayList<>(count);
    String millis = millisHex(clock.millis());
    for (int i = 0; i < count; i++) {
      ids.add(RunId.of(millis + randomHex(8)));
    }
    // handed out in this order: the runs of one reservation sort by id as they were started
    ids.sort(java.util.Comparator.comparing(RunId::value));
    Future<?> written;
    if (!overlapIndexWrites) {
      index.appendStarts(experiment, ids);
      written = java.util.concurrent.CompletableFuture.completedFuture(null);
    } else {
      written = indexWriter().submit(() -> index.appendStarts(experiment, ids));
    }
    return new RunReservation(this, experiment, ids, written);
  }

  /**
   * Starts a run with a reserved id: one durable create (its START), and returns once the
   * reservation's start entries are durable too (they are written at the same time as the first
   * such run's START), so a returned run is always listed, as with {@link #startRun}.
   */
  Run startReserved(RunReservation r, RunId id, String runName, Map<String, String> params, Map<String, String> tags) {
    checkOpen(); // (the reservation checked the names, keys and values before it took the id)
    Provenance p = ProvenanceCapture.capture();
    try {
      return start(id, r.experiment(), runName, params, tags, p);
    } finally {
      awaitMarkers(r.written(), id);
    }
  }

  /**
   * Reserved ids that will not be started: their {@code released} index entries are stored with
   * this process's next index write in the experiment, or within {@link #INDEX_END_DELAY}, or at
   * close (at once on an in-memory store).
   */
  void release(String experiment, List<RunId> ids) {
    if (ids.isEmpty()) {
      return;
    }
    index.deferReleased(experiment, ids);
    if (!overlapIndexWrites) {
      index.flushDeferred();
    } else {
      scheduleDeferredFlush();
    }
  }

  /**
   * Starts a run with a reserved id deferred: nothing is written now; its START is written with its
   * first entry, or as one {@code START_END} entry with its end, or {@link #DEFERRED_START_DELAY}
   * after now, whichever comes first (see {@link RunReservation#startRunDeferred}). Returns once the
   * reservation's start entries are durable.
   */
  Run startReservedDeferred(RunReservation r, RunId id, String runName, Map<String, String> params,
      Map<String, String> tags) {
    checkOpen();
    Provenance p = ProvenanceCapture.capture();
    awaitMarkers(r.written(), id);
    ObjectNode start = startEntry(id, r.experiment(), runName, params, tags, p);
    CoreRun run = attach(RunState.empty(id), log(id), start);
    if (overlapIndexWrites) {
      run.startTimer(writer().schedule(run::startNowQuietly, DEFERRED_START_DELAY.toMillis(), TimeUnit.MILLISECONDS));
    }
    return run;
  }

  /** The END entry of a run ending now as {@code status}: the latest metric values and segments stored. */
  ObjectNode endEntry(RunId id, RunStatus status, String reason) {
    ObjectNode b = entry(RunState.END);
    b.put("status", status.name());
    if (!reason.isEmpty()) {
      b.put("reason", reason);
    }
    StoredSegments stored = storedSegments(id);
    b.set("metrics", RunState.metricsNode(stored.latest()));
    b.set("segments", RunState.segmentsNode(stored.manifest()));
    return b;
  }

  /**
   * Writes, as one {@code START_END} entry ending FINISHED, a run with a reserved id whose process
   * died after recording elsewhere that the run had succeeded and before the run's own entry was
   * stored (see {@link CoreWorkspace#restoreRun}).
   *
   * @return whether it was written: false if the run has a log already
   */
  boolean restore(RunId id, String experiment, String runName, Map<String, String> params, Map<String, String> tags,
      String reason) {
    checkOpen();
    checkStart(experiment, runName, params, tags);
    if (state(id).started()) {
      return false;
    }
    ObjectNode b = RunState.startAndEnd(startEntry(id, experiment, runName, params, tags, ProvenanceCapture.capture()),
        endEntry(id, RunStatus.FINISHED, reason));
    HashChainedLog.Entry e;
    try {
      e = log(id).append(0, HashChainedLog.GENESIS, b);
    } catch (AlreadyExistsException raced) {
      return false;
    }
    RunState s = RunState.empty(id).apply(e);
    publish(s);
    indexEnded(s);
    return true;
  }

  private ObjectNode startEntry(RunId id, String experiment, String runName, Map<String, String> params,
      Map<String, String> tags, Provenance p) {
    ObjectNode b = entry(RunState.START);
    b.put("run", id.value());
    b.put("experiment", experiment);
    b.put("name", runName);
    if (!params.isEmpty()) {
      ObjectNode pn = b.putObject("params");
      new TreeMap<>(params).forEach(pn::put);
    }
    if (!tags.isEmpty()) {
      ObjectNode tn = b.putObject("tags");
      new TreeMap<>(tags).forEach(tn::put);
    }
    ObjectNode prov = b.putObject("provenance");
    prov.put("libraryVersion", p.libraryVersion());
    prov.put("jvm", p.jvm());
    prov.put("os", p.os());
    prov.put("host", p.host());
    prov.put("user", p.user());
    p.gitCommit().ifPresent(c -> prov.put("gitCommit", c));
    return b;
  }

  private CoreRun start(RunId id, String experiment, String runName, Map<String, String> params,
      Map<String, String> tags, Provenance p) {
    ObjectNode b = startEntry(id, experiment, runName, params, tags, p);
    HashChainedLog log = log(id);
    HashChainedLog.Entry e;
    try {
      e = log.append(0, HashChainedLog.GENESIS, b);
    } catch (AlreadyExistsException impossible) {
      throw new CorruptDataException("run " + id + " already has a log although its id was just drawn: " + impossible.getMessage());
    }
    RunState s = RunState.empty(id).apply(e);
    publish(s);
    return attach(s, log);
  }

  @Override
  public Run run(RunId id) {
    Objects.requireNonNull(id, "id");
    checkOpen();
    RunState s = state(id);
    if (!s.started()) {
      throw new NotFoundException("no run " + id);
    }
    return attach(s, log(id));
  }

  private CoreRun attach(RunState s, HashChainedLog log) {
    return attach(s, log, null);
  }

  private CoreRun attach(RunState s, HashChainedLog log, ObjectNode pendingStart) {
    MetricBuffer buffer = new MetricBuffer(store, s.id(), randomHex(8), clock, writer(), settings,
        segmentSummaries::put);
    CoreRun r = new CoreRun(this, s, log, buffer, pendingStart);
    if (!s.status().terminal()) {
      live.computeIfAbsent(s.id(), k -> new CopyOnWriteArrayList<>()).add(r);
    }
    return r;
  }

  // ---------------------------------------------------------------- reads

  @Override
  public List<String> experimentNames() {
    return store.listAll(NAMES).map(k -> k.substring(NAMES.length())).toList();
  }

  @Override
  public Optional<RunInfo> findRun(RunId id) {
    Objects.requireNonNull(id, "id");
    flushLive(id);
    RunState s = state(id);
    return s.started() ? Optional.of(info(s)) : Optional.empty();
  }

  @Override
  public List<MetricPoint> metricHistory(RunId id, String key) {
    Objects.requireNonNull(id, "id");
    Names.requireValid("metric key", key);
    flushLive(id);
    RunState s = state(id);
    if (!s.started()) {
      throw new NotFoundException("no run " + id);
    }
    List<MetricPoint> out = new ArrayList<>();
    for (Expected e : segments(id, s.endSegments())) {
      String segKey = e.requirePresent().key();
      Segment seg = MetricSegments.decode(segKey, readChecked(e));
      int k = seg.keys().indexOf(key);
      if (k < 0) {
        continue;
      }
      for (int i = 0; i < seg.size(); i++) {
        if (seg.keyIndex()[i] == k) {
          out.add(new MetricPoint(key, Double.longBitsToDouble(seg.valueBits()[i]), seg.steps()[i], seg.timestamps()[i]));
        }
      }
    }
    out.sort(Comparator.comparingLong(MetricPoint::step).thenComparingLong(MetricPoint::timestampMillis));
    return List.copyOf(out);
  }

  @Override
  public RunPage search(RunQuery query) {
    Objects.requireNonNull(query, "query");
    int offset = RunSearch.offsetOf(query);
    Map<String, String> markers = listed(query);
    if (query.filters().isEmpty() && query.orderBy().isEmpty()) {
      return newestFirst(query, markers.keySet(), offset);
    }
    return indexed(query, markers, offset);
  }

  /**
   * The runs of the query's experiments, with the experiment that lists each: from the run search
   * index for an experiment whose index is complete ({@link RunIndex#complete}; its runs have no
   * markers), else from the experiment's markers. When every experiment searched is complete no
   * marker is listed. Runs listed whose log was never written (their writer stopped inside
   * {@code startRun}) are skipped when read.
   *
   * @return run id → experiment (the first experiment listing it wins)
   */
  private Map<String, String> listed(RunQuery query) {
    List<String> experiments = query.experiments().isEmpty() ? experimentNames() : query.experiments();
    Map<String, String> ids = new LinkedHashMap<>();
    List<String> incomplete = new ArrayList<>();
    for (String e : experiments) {
      if (index.complete(e)) {
        index.refresh(e);
        for (RunId id : index.members(e)) {
          ids.putIfAbsent(id.value(), e);
        }
      } else {
        incomplete.add(e);
      }
    }
    if (!incomplete.isEmpty()) {
      // all markers when every experiment is searched: a run whose experiment lost its name marker is still listed
      List<String> prefixes = query.experiments().isEmpty() ? List.of(RUN_INDEX)
          : incomplete.stream().map(e -> RUN_INDEX + e + "/").toList();
      for (String prefix : prefixes) {
        store.listAll(prefix).forEach(k -> {
          int slash = k.lastIndexOf('/');
          ids.putIfAbsent(k.substring(slash + 1), k.substring(RUN_INDEX.length(), Math.max(RUN_INDEX.length(), slash)));
        });
      }
    }
    return ids;
  }

  /**
   * The full scan: reads every listed run. What {@link #search} returns for a filtered or ordered
   * query is defined as this (the run search index only makes it cheaper); kept for tests.
   */
  RunPage scan(RunQuery query) {
    int offset = RunSearch.offsetOf(query);
    List<RunInfo> runs = new ArrayList<>();
    for (String id : listed(query).keySet()) {
      if (Names.isValid(id)) {
        // the run's own log is the truth; a marker or start entry only points at it
        findRun(RunId.of(id)).filter(r -> query.experiments().isEmpty() || query.experiments().contains(r.experiment()))
            .ifPresent(runs::add);
      }
    }
    return RunSearch.page(query, runs, offset);
  }

  /**
   * A filtered or ordered query: the listed runs that have ended are looked up in the run search
   * index ({@link RunIndex}), refreshed only when some listed run is not known yet; the others
   * (running, or ended without an entry) are read from their logs. Ended runs read from their
   * logs are remembered, and those that ended more than {@link #BACKFILL_AFTER} ago are
   * backfilled into the index when the store is writable. Only the page's runs are read in full.
   */
  private RunPage indexed(RunQuery query, Map<String, String> markers, int offset) {
    Map<String, RunId> ids = new LinkedHashMap<>(markers.size() * 2);
    Set<String> stale = new LinkedHashSet<>();
    markers.forEach((id, exp) -> {
      RunId rid = index.runId(id).orElseGet(() -> Names.isValid(id) ? RunId.of(id) : null);
      if (rid != null) {
        ids.put(id, rid);
        if (index.known(rid).isEmpty() && Names.isValid(exp)) {
          stale.add(exp);
        }
      }
    });
    stale.forEach(index::refresh);
    List<RunFacts> candidates = new ArrayList<>(markers.size());
    Map<RunId, RunInfo> read = new HashMap<>();
    Map<String, List<RunFacts>> backfill = new TreeMap<>();
    java.time.Instant backfillBefore = clock.instant().minus(BACKFILL_AFTER);
    for (RunId rid : ids.values()) {
      Optional<RunIndex.Known> known = index.known(rid);
      if (known.isPresent()) {
        RunFacts f = known.get().facts();
        if (query.experiments().isEmpty() || query.experiments().contains(f.experiment())) {
          candidates.add(f);
        }
        continue;
      }
      Optional<RunInfo> info = findRun(rid);
      if (info.isEmpty()) {
        continue;
      }
      RunInfo r = info.get();
      RunFacts f = RunFacts.of(r);
      if (r.status().terminal()) {
        index.remember(f);
        if (index.writable() && r.endedAt().map(t -> t.isBefore(backfillBefore)).orElse(false)) {
          backfill.computeIfAbsent(r.experiment(), e -> new ArrayList<>()).add(f);
        }
      }
      if (query.experiments().isEmpty() || query.experiments().contains(r.experiment())) {
        candidates.add(f);
        read.put(rid, r);
      }
    }
    backfill.forEach((exp, facts) -> {
      try {
        index.backfill(exp, facts);
      } catch (RuntimeException e) {
        LOG.warn("could not backfill the run search index of experiment {}: {}", exp, e.toString());
      }
    });
    return RunSearch.cut(query, RunSearch.select(query, candidates, f -> f), offset, page -> {
      List<RunInfo> out = new ArrayList<>(page.size());
      for (RunFacts f : page) {
        RunInfo r = read.get(f.id());
        if (r == null) {
          r = findRun(f.id()).orElseThrow(() -> new CorruptDataException("run search index object '"
              + index.known(f.id()).map(RunIndex.Known::source).orElse("?") + "' holds run " + f.id()
              + ", which has no log"));
          if (!RunFacts.of(r).equals(f)) {
            throw new CorruptDataException("run search index object '"
                + index.known(f.id()).map(RunIndex.Known::source).orElse("?") + "' disagrees with the log of run "
                + f.id() + ": " + f + " against " + RunFacts.of(r));
          }
        }
        out.add(r);
      }
      return out;
    });
  }

  /**
   * A query with no filter and no order pages through the runs newest first by id (ids begin
   * with their creation time), reading only the runs on the page: the cost of a page is one
   * listing of the index plus page-size reads, whatever the number of runs. The page token's
   * offset counts index entries, so entries whose run is missing are skipped without shifting
   * later pages.
   */
  private RunPage newestFirst(RunQuery query, Set<String> ids, int offset) {
    List<String> sorted = new ArrayList<>(ids);
    sorted.sort(Comparator.reverseOrder());
    List<RunInfo> page = new ArrayList<>(Math.min(query.pageSize(), sorted.size()));
    int i = offset;
    for (; i < sorted.size() && page.size() < query.pageSize(); i++) {
      String id = sorted.get(i);
      if (Names.isValid(id)) {
        findRun(RunId.of(id)).filter(r -> query.experiments().isEmpty() || query.experiments().contains(r.experiment()))
            .ifPresent(page::add);
      }
    }
    return new RunPage(page, i < sorted.size() ? Optional.of(RunSearch.token(query, i)) : Optional.empty());
  }

  // ---------------------------------------------------------------- integrity

  @Override
  public VerifyReport verify(RunId id) {
    Objects.requireNonNull(id, "id");
    flushLive(id);
    HashChainedLog log = log(id);
    VerifyReport chain = log.verify();
    if (!chain.ok()) {
      return chain;
    }
    if (chain.entriesChecked() == 0) {
      throw new NotFoundException("no run " + id);
    }
    long checked = chain.entriesChecked();
    RunState s;
    try {
      s = catchUp(RunState.empty(id));
    } catch (CorruptDataException e) {
      return broken(checked, log.prefix(), e.getMessage());
    }
    Optional<VerifyReport> unlisted = unlisted(s, checked, null);
    if (unlisted.isPresent()) {
      return unlisted.get();
    }
    checked += 2;
    for (Expected e : segments(id, s.endSegments())) {
      if (e.missing().isPresent()) {
        return broken(checked, e.key(), e.missing().get());
      }
      try {
        MetricSegments.decode(e.key(), readChecked(e));
      } catch (CorruptDataException ex) {
        return broken(checked, e.key(), ex.getMessage());
      }
      checked++;
    }
    for (Map.Entry<String, ArtifactRef> a : new TreeMap<>(s.artifacts()).entrySet()) {
      Digest d = a.getValue().digest();
      String blob = CoreArtifacts.blobKey(d);
      // opening (not reading) the blob: its content is verified whenever it is read
      if (store.openStream(blob).map(CoreExperiments::closeQuietly).isEmpty()) {
        return broken(checked, blob, "artifact '" + a.getKey() + "' of run " + id + " (" + d + ") is not stored");
      }
      String meta = CoreArtifacts.metaKey(d);
      Optional<byte[]> descriptor = store.get(meta);
      if (descriptor.isPresent()) {
        try {
          CoreArtifacts.describe(meta, d, descriptor.get());
        } catch (CorruptDataException ex) {
          return broken(checked, meta, ex.getMessage());
        }
      }
      checked++;
    }
    return VerifyReport.clean(checked);
  }

  @Override
  public VerifyReport verifyIndex() {
    long checked = 0;
    Map<String, Set<RunId>> completeMembers = new HashMap<>();
    for (RunId id : storedRunIds()) {
      RunState s = state(id);
      if (!s.started()) {
        continue; // a run directory without a log (e.g. only stray files)
      }
      Optional<VerifyReport> unlisted = unlisted(s, checked, completeMembers);
      if (unlisted.isPresent()) {
        return unlisted.get();
      }
      checked++;
    }
    return VerifyReport.clean(checked);
  }

  /**
   * Whether search and {@link #experimentNames()} list the run: its experiment's name marker, and
   * in an experiment whose search index is complete a start entry for it (such runs have no run
   * marker), else its run marker.
   *
   * @param members per experiment, the members of its complete index (null: not complete), filled
   *     as experiments are met; null to read them for this run alone
   * @return the report naming what is missing, if something is
   */
  private Optional<VerifyReport> unlisted(RunState s, long checked, Map<String, Set<RunId>> members) {
    RunId id = s.id();
    if (store.get(NAMES + s.experiment()).isEmpty()) {
      return Optional.of(broken(checked, NAMES + s.experiment(), "index marker is missing, so experimentNames() or"
          + " search() do not list run " + id + "; repairIndex() re-creates it"));
    }
    Map<String, Set<RunId>> cache = members == null ? new HashMap<>() : members;
    Set<RunId> complete = cache.computeIfAbsent(s.experiment(), e -> {
      index.refresh(e);
      return index.complete(e) ? new HashSet<>(index.members(e)) : null;
    });
    if (complete != null) {
      if (!complete.contains(id)) {
        return Optional.of(broken(checked, RunIndex.PREFIX + s.experiment() + "/entries/",
            "the run search index of experiment '" + s.experiment() + "' has no start entry for run " + id
                + ", so search() does not list it; repairIndex() backfills it"));
      }
      return Optional.empty();
    }
    String marker = RUN_INDEX + s.experiment() + "/" + id.value();
    if (store.get(marker).isEmpty()) {
      return Optional.of(broken(checked, marker, "index marker is missing, so search() does not list run " + id
          + "; repairIndex() re-creates it"));
    }
    return Optional.empty();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here it also backfills the run search index ({@link RunIndex}): every ended run without
   * an index entry gets one (in content-addressed bulk objects), so that later searches need not
   * read its log. A store written before the index existed is indexed this way in one pass (or
   * lazily, by the first searches that find its runs).
   */
  @Override
  public int repairIndex() {
    int created = 0;
    Map<String, List<RunFacts>> unindexed = new TreeMap<>();
    Map<String, List<RunId>> started = new TreeMap<>();
    for (RunId id : storedRunIds()) {
      RunState s = state(id);
      if (s.started()) {
        started.computeIfAbsent(s.experiment(), e -> new ArrayList<>()).add(id);
      }
      if (s.started() && s.status().terminal()) {
        unindexed.computeIfAbsent(s.experiment(), e -> new ArrayList<>()).add(RunFacts.of(info(s)));
      }
      if (s.started() && store.get(NAMES + s.experiment()).isEmpty()) {
        // (a run marker is not needed: the experiment's index is made complete below)
        try {
          store.create(NAMES + s.experiment(), new byte[0]);
          created++;
        } catch (AlreadyExistsException raced) {
          // re-created concurrently: fine
        }
      }
    }
    started.forEach((exp, ids) -> {
      index.refresh(exp);
      Set<RunId> members = new java.util.HashSet<>(index.members(exp));
      List<RunId> missingStarts = ids.stream().filter(id -> !members.contains(id)).toList();
      if (!missingStarts.isEmpty()) {
        index.backfillStarts(exp, missingStarts);
      }
      List<RunFacts> missing = unindexed.getOrDefault(exp, List.of()).stream().filter(f -> !index.stored(f.id()))
          .toList();
      if (!missing.isEmpty()) {
        index.backfill(exp, missing);
      }
      index.markComplete(exp);
    });
    return created;
  }

  /** Every run id with objects under {@code runs/}, one list request per run (skipping its objects). */
  private List<RunId> storedRunIds() {
    List<RunId> ids = new ArrayList<>();
    String after = "";
    while (true) {
      List<String> page = store.list(RUNS, after, 1).keys();
      if (page.isEmpty()) {
        return ids;
      }
      String key = page.get(0);
      int slash = key.indexOf('/', RUNS.length());
      String id = slash < 0 ? key.substring(RUNS.length()) : key.substring(RUNS.length(), slash);
      if (Names.isValid(id)) {
        ids.add(RunId.of(id));
      }
      after = RUNS + id + "0"; // '0' sorts right after '/': skips every key of this run
    }
  }

  private static VerifyReport broken(long good, String key, String problem) {
    return new VerifyReport(good, Optional.of(key), Optional.of(problem));
  }

  private static boolean closeQuietly(java.io.InputStream in) {
    try {
      in.close();
    } catch (java.io.IOException ignored) {
      // only probing for existence
    }
    return true;
  }

  private RunInfo info(RunState s) {
    Map<String, Latest> latest = s.endMetrics().orElseGet(() -> latestFromSegments(s.id()));
    Map<String, Double> values = new HashMap<>();
    latest.forEach((k, l) -> values.put(k, l.value()));
    return s.toInfo(values);
  }

  // ---------------------------------------------------------------- for CoreRun

  /** @return the latest point of every metric in the run's stored segments */
  Map<String, Latest> latestFromSegments(RunId id) {
    return storedSegments(id).latest();
  }

  /**
   * What a run's stored segments hold, for its END entry.
   *
   * @param latest the latest point of every metric
   * @param manifest per writer, the digest of each of its segments in order
   */
  record StoredSegments(Map<String, Latest> latest, Map<String, List<String>> manifest) {}

  /**
   * @return the latest points and the manifest of the run's stored segments
   * @throws CorruptDataException naming the key of a missing or unreadable segment
   */
  StoredSegments storedSegments(RunId id) {
    Map<String, Latest> latest = new HashMap<>();
    Map<String, List<String>> manifest = new TreeMap<>();
    for (Expected e : segments(id, Optional.empty())) {
      e.requirePresent();
      Summary sum = segmentSummaries.get(e.key());
      sum.latest().forEach((m, l) -> latest.merge(m, l, (old, neu) -> neu.supersedes(old) ? neu : old));
      manifest.computeIfAbsent(e.writer(), w -> new ArrayList<>()).add(sum.digest());
    }
    return new StoredSegments(latest, manifest);
  }

  /**
   * A segment a run consists of.
   *
   * @param key storage key
   * @param writer the writer that stored it
   * @param digest what the run's END entry records for it (empty while the run is running)
   * @param missing why it should exist, if it does not
   */
  record Expected(String key, String writer, Optional<String> digest, Optional<String> missing) {
    /** @throws CorruptDataException naming the key if the segment is missing */
    Expected requirePresent() {
      if (missing.isPresent()) {
        throw new CorruptDataException(missing.get());
      }
      return this;
    }
  }

  /**
   * The segments a run consists of. An ended run whose END entry records its segments consists of
   * exactly those (segments stored after the end, by handles that raced with it, are not part of
   * it). Otherwise: every segment listed, where each writer's segments must be numbered from 1
   * without gaps. Names that are not segment names (a README) are ignored. A segment that
   * should exist and does not is returned with {@link Expected#missing()} set.
   */
  List<Expected> segments(RunId id, Optional<Map<String, List<String>>> manifest) {
    String prefix = MetricBuffer.segmentPrefix(id);
    Map<String, TreeSet<Long>> listed = new TreeMap<>();
    store.listAll(prefix).forEach(k -> MetricSegments.Place.parse(prefix, k).ifPresent(p ->
        listed.computeIfAbsent(p.writer(), w -> new TreeSet<>()).add(p.seq())));
    List<Expected> out = new ArrayList<>();
    if (manifest.isPresent()) {
      for (Map.Entry<String, List<String>> w : new TreeMap<>(manifest.get()).entrySet()) {
        Set<Long> have = listed.getOrDefault(w.getKey(), new TreeSet<>());
        List<String> digests = w.getValue();
        for (int i = 0; i < digests.size(); i++) {
          String key = MetricSegments.Place.key(prefix, w.getKey(), i + 1);
          out.add(new Expected(key, w.getKey(), Optional.of(digests.get(i)), missing(key, have.contains(i + 1L),
              "the run's END entry records " + digests.size() + " segment(s) of writer " + w.getKey())));
        }
      }
      return out;
    }
    for (Map.Entry<String, TreeSet<Long>> w : listed.entrySet()) {
      long last = w.getValue().last();
      for (long seq = 1; seq <= last; seq++) {
        String key = MetricSegments.Place.key(prefix, w.getKey(), seq);
        out.add(new Expected(key, w.getKey(), Optional.empty(), missing(key, w.getValue().contains(seq),
            "writer " + w.getKey() + " stored segment " + last
            + " and numbers its segments from 1 without gaps, storing each only after the one before")));
      }
    }
    return out;
  }

  private Optional<String> missing(String key, boolean listed, String why) {
    // A listing taken while objects are being created may miss one that exists: look at it
    // directly before calling it missing.
    if (!listed && store.get(key).isEmpty()) {
      return Optional.of("metric segment '" + key + "' is missing: " + why);
    }
    return Optional.empty();
  }

  private Summary readSegmentSummary(String key) {
    byte[] bytes = read(key);
    return new Summary(MetricSegments.decode(key, bytes).latest(), MetricSegments.digestOf(bytes));
  }

  /** Reads a segment and checks it against the digest its run's END entry records. */
  private byte[] readChecked(Expected e) {
    byte[] bytes = read(e.key());
    if (e.digest().isPresent()) {
      String actual = MetricSegments.digestOf(bytes);
      if (!actual.equals(e.digest().get())) {
        throw new CorruptDataException("metric segment '" + e.key() + "' is altered: its content hashes to "
            + actual + "... but the run's END entry records " + e.digest().get() + "...");
      }
    }
    return bytes;
  }

  private byte[] read(String key) {
    return store.get(key).orElseThrow(() -> new CorruptDataException("metric segment '" + key + "' was listed but is gone"));
  }

  RunState state(RunId id) {
    RunState cached = states.getIfPresent(id);
    if (cached != null && cached.status().terminal()) {
      return cached;
    }
    RunState fresh = catchUp(cached != null ? cached : RunState.empty(id));
    publish(fresh);
    return fresh;
  }

  /** @return {@code s} or the newer state of its run that this process has published; reads nothing */
  RunState newest(RunState s) {
    RunState cached = states.getIfPresent(s.id());
    return cached != null && cached.lastSeq() > s.lastSeq() ? cached : s;
  }

  RunState catchUp(RunState s) {
    RunState out = s;
    for (HashChainedLog.Entry e : log(s.id()).readAfter(s.lastSeq(), s.lastHash())) {
      out = out.apply(e);
    }
    return out;
  }

  void publish(RunState s) {
    if (s.started()) {
      states.asMap().merge(s.id(), s, (old, neu) -> neu.lastSeq() >= old.lastSeq() ? neu : old);
    }
  }

  RunInfo requireRun(RunId id) {
    RunState s = state(id);
    if (!s.started()) {
      throw new NotFoundException("no run " + id);
    }
    return info(s);
  }

  /** Stores what this process's handles of the run have buffered. */
  void flushLive(RunId id) {
    List<CoreRun> handles = live.get(id);
    if (handles != null) {
      for (CoreRun r : handles) {
        r.flushMetrics();
      }
    }
  }

  /**
   * This process has just appended the run's END entry: its facts go into the run search index.
   * A failure is logged, not thrown (the run has ended; a search reads a run without an entry from
   * its log and backfills it).
   */
  void indexEnded(RunState ended) {
    try {
      RunFacts facts = RunFacts.of(info(ended));
      if (!overlapIndexWrites) {
        index.append(facts); // an in-memory store has no latency to save
        return;
      }
      // Stored with this process's next run start in the experiment (one write for both), or
      // by the flush below, or by close(): a run that ends is not held up by its index entry.
      index.defer(facts);
      scheduleDeferredFlush();
    } catch (RuntimeException e) {
      LOG.warn("run {} ended, but its run search index entry was not stored: {}", ended.id(), e.toString());
    }
  }

  /** Stores the deferred index entries within {@link #INDEX_END_DELAY}, unless a flush is scheduled already. */
  private void scheduleDeferredFlush() {
    if (flushScheduled.compareAndSet(false, true)) {
      writer().schedule(this::flushDeferredIndex, INDEX_END_DELAY.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Stores the deferred index entries of ended runs (the writer thread's delayed task). */
  private void flushDeferredIndex() {
    flushScheduled.set(false);
    try {
      index.flushDeferred();
    } catch (RuntimeException e) {
      LOG.warn("run search index entries of ended runs were not stored yet (tried again at close or with the next"
          + " run start): {}", e.toString());
    }
  }

  RunIndex index() {
    return index;
  }

  /** The run has ended: its handles here refuse further points and store what they still hold. */
  void ended(RunId id, String why) {
    List<CoreRun> handles = live.remove(id);
    if (handles == null) {
      return;
    }
    for (CoreRun r : handles) {
      r.metrics().refuseFurtherPoints(why);
      try {
        r.flushMetrics(); // points logged concurrently with the end
      } catch (RuntimeException e) {
        LOG.warn("metrics logged while run {} ended were not stored: {}", id, e.toString());
      }
    }
  }

  ObjectNode entry(String type) {
    ObjectNode b = Json.MAPPER.createObjectNode();
    b.put("type", type);
    b.put("actor", actor);
    b.put("at", clock.instant().toString());
    b.put("commit", UUID.randomUUID().toString());
    return b;
  }

  // ---------------------------------------------------------------- plumbing

  private HashChainedLog log(RunId id) {
    return new HashChainedLog(store, RUNS + id.value() + "/log");
  }

  /** @return whether this call created the marker */
  private boolean createMarker(String key) {
    try {
      store.create(key, new byte[0]);
      return true;
    } catch (AlreadyExistsException alreadyThere) {
      return false; // fine: markers are idempotent
    }
  }

  /** The low 52 bits of {@code millis} as 13 lower-case hex digits: {@code String.format("%013x", ...)} without the formatter. */
  static String millisHex(long millis) {
    String hex = Long.toHexString(millis & 0xFFFFFFFFFFFFFL);
    return "0000000000000".substring(hex.length()) + hex;
  }

  private String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** Waits for a run's index markers; rethrows their failure (the run's own log may exist). */
  private static void awaitMarkers(Future<?> markers, RunId id) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          markers.get();
          return;
        } catch (InterruptedException e) {
          interrupted = true; // the markers are being written: wait for them, then re-flag
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException re) {
            throw re;
          }
          throw new StorageException("creating the index markers of run " + id + " failed", e.getCause(), true);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The threads that create index markers beside a run's START entry (daemon, idle ones end). */
  private ExecutorService indexWriter() {
    synchronized (writerLock) {
      checkOpen();
      if (indexWriter == null) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
              Thread t = new Thread(r, "mlops-run-index");
              t.setDaemon(true);
              return t;
            });
        indexWriter = pool;
      }
      return indexWriter;
    }
  }

  private ScheduledThreadPoolExecutor writer() {
    synchronized (writerLock) {
      checkOpen();
      if (writer == null) {
        writer = new ScheduledThreadPoolExecutor(1, r -> {
          Thread t = new Thread(r, "mlops-metric-writer");
          t.setDaemon(true);
          return t;
        });
        writer.setRemoveOnCancelPolicy(true);
        writer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // close() stores deferred index entries itself
        long every = settings.flushInterval().toMillis();
        writer.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
      }
      return writer;
    }
  }

  private void tick() {
    for (List<CoreRun> handles : live.values()) {
      for (CoreRun r : handles) {
        try {
          r.metrics().tick();
        } catch (RuntimeException e) {
          LOG.debug("metric flush tick failed for {}: {}", r.id(), e.toString());
        }
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the workspace is closed");
    }
  }

  /**
   * Flushes every live handle, ends no run, and stops the writer thread.
   *
   * @throws dev.mlops.StorageException if some handle's metrics could not be stored (the first
   *     such failure; the others are logged)
   */
  @Override
  public void close() {
    RuntimeException first = null;
    for (List<CoreRun> handles : live.values()) {
      for (CoreRun r : handles) {
        try {
          r.flushMetrics();
          r.startNow(); // a run started deferred that is still running is left RUNNING in the store, as any other
        } catch (RuntimeException e) {
          if (first == null) {
            first = e;
          } else {
            LOG.warn("metrics of run {} were not stored before close: {}", r.id(), e.toString());
          }
        }
      }
    }
    try {
      index.flushDeferred(); // entries of runs that ended here and wait for a run start
    } catch (RuntimeException e) {
      LOG.warn("run search index entries of {} ended runs were not stored before close (a search reads those runs"
          + " from their logs): {}", index.deferred(), e.toString());
    }
    synchronized (writerLock) {
      closed = true;
      if (indexWriter != null) {
        indexWriter.shutdown(); // every task is awaited by the startRun that submitted it
      }
      if (writer != null) {
        writer.shutdown();
        try {
          if (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
            writer.shutdownNow();
          }
        } catch (InterruptedException e) {
          writer.shutdownNow();
          Thread.currentThread().interrupt();
        }
      }
    }
    live.clear();
    if (first != null) {
      throw first;
    }
  }
}
