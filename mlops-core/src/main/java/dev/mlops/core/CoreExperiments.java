package dev.mlops.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.mlops.AlreadyExistsException;
import dev.mlops.CorruptDataException;
import dev.mlops.Experiments;
import dev.mlops.MetricPoint;
import dev.mlops.Names;
import dev.mlops.NotFoundException;
import dev.mlops.Provenance;
import dev.mlops.Run;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunPage;
import dev.mlops.RunQuery;
import dev.mlops.core.MetricSegments.Latest;
import dev.mlops.core.MetricSegments.Segment;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.core.internal.Json;
import dev.mlops.spi.ObjectStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Experiment tracking over the {@link ObjectStore} SPI. Layout:
 * <pre>
 *   experiments/names/&lt;experiment&gt;             empty marker, lists experiments
 *   experiments/runs/&lt;experiment&gt;/&lt;runId&gt;     empty marker, lists an experiment's runs
 *   runs/&lt;runId&gt;/log/&lt;seq, 20 digits&gt;.json     the run's hash-chained log ({@link RunState})
 *   runs/&lt;runId&gt;/metrics/&lt;writer&gt;-&lt;seq&gt;.seg   metric segments ({@link MetricSegments})
 * </pre>
 * Markers are created before a run's first log entry, so every run with a log is listed. Run ids
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
 * <p>Reads through this object see every metric logged through it: they flush this process's
 * handles of the run first.
 *
 * <p>Thread-safe.
 */
final class CoreExperiments implements Experiments, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CoreExperiments.class);
  private static final String NAMES = "experiments/names/";
  private static final String RUN_INDEX = "experiments/runs/";

  private final ObjectStore store;
  private final Clock clock;
  private final String actor;
  private final MetricBuffer.Settings settings;
  private final SecureRandom random = new SecureRandom();
  private final Cache<RunId, RunState> states = Caffeine.newBuilder().maximumSize(10_000).build();
  private final LoadingCache<String, Map<String, Latest>> segmentLatest =
      Caffeine.newBuilder().maximumSize(100_000).build(this::readSegmentLatest);
  private final ConcurrentHashMap<RunId, List<CoreRun>> live = new ConcurrentHashMap<>();
  private final Object writerLock = new Object();
  private ScheduledThreadPoolExecutor writer; // guarded by writerLock, started lazily
  private volatile boolean closed;

  CoreExperiments(ObjectStore store, Clock clock, String actor) {
    this(store, clock, actor, MetricBuffer.Settings.DEFAULTS);
  }

  CoreExperiments(ObjectStore store, Clock clock, String actor, MetricBuffer.Settings settings) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.actor = Objects.requireNonNull(actor, "actor");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  // ---------------------------------------------------------------- commands

  @Override
  public Run startRun(String experiment, String runName) {
    Names.requireValid("experiment name", experiment);
    Objects.requireNonNull(runName, "runName");
    checkOpen();
    RunId id = RunId.of(String.format("%013x", clock.millis() & 0xFFFFFFFFFFFFFL) + randomHex(8));
    Provenance p = ProvenanceCapture.capture();
    createMarker(NAMES + experiment);
    createMarker(RUN_INDEX + experiment + "/" + id.value());
    ObjectNode b = entry(RunState.START);
    b.put("run", id.value());
    b.put("experiment", experiment);
    b.put("name", runName);
    ObjectNode prov = b.putObject("provenance");
    prov.put("libraryVersion", p.libraryVersion());
    prov.put("jvm", p.jvm());
    prov.put("os", p.os());
    prov.put("host", p.host());
    prov.put("user", p.user());
    p.gitCommit().ifPresent(c -> prov.put("gitCommit", c));
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
    MetricBuffer buffer = new MetricBuffer(store, s.id(), randomHex(8), clock, writer(), settings,
        segmentLatest::put);
    CoreRun r = new CoreRun(this, s, log, buffer);
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
    if (!state(id).started()) {
      throw new NotFoundException("no run " + id);
    }
    List<MetricPoint> out = new ArrayList<>();
    for (String segKey : store.listAll(MetricBuffer.segmentPrefix(id)).toList()) {
      if (!segKey.endsWith(MetricSegments.SUFFIX)) {
        continue;
      }
      Segment seg = MetricSegments.decode(segKey, read(segKey));
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
    Set<String> ids = new LinkedHashSet<>();
    List<String> prefixes = query.experiments().isEmpty() ? List.of(RUN_INDEX)
        : query.experiments().stream().map(e -> RUN_INDEX + e + "/").toList();
    for (String prefix : prefixes) {
      store.listAll(prefix).forEach(k -> ids.add(k.substring(k.lastIndexOf('/') + 1)));
    }
    List<RunInfo> runs = new ArrayList<>(ids.size());
    for (String id : ids) {
      if (Names.isValid(id)) {
        findRun(RunId.of(id)).ifPresent(runs::add);
      }
    }
    return RunSearch.page(query, runs, offset);
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
    Map<String, Latest> out = new HashMap<>();
    store.listAll(MetricBuffer.segmentPrefix(id)).filter(k -> k.endsWith(MetricSegments.SUFFIX)).forEach(k ->
        segmentLatest.get(k).forEach((m, l) -> out.merge(m, l, (old, neu) -> neu.supersedes(old) ? neu : old)));
    return out;
  }

  private Map<String, Latest> readSegmentLatest(String key) {
    return MetricSegments.decode(key, read(key)).latest();
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
    return new HashChainedLog(store, "runs/" + id.value() + "/log");
  }

  private void createMarker(String key) {
    try {
      store.create(key, new byte[0]);
    } catch (AlreadyExistsException alreadyThere) {
      // fine: markers are idempotent
    }
  }

  private String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
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
        } catch (RuntimeException e) {
          if (first == null) {
            first = e;
          } else {
            LOG.warn("metrics of run {} were not stored before close: {}", r.id(), e.toString());
          }
        }
      }
    }
    synchronized (writerLock) {
      closed = true;
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
