package dev.mlops.governance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.AlreadyExistsException;
import dev.mlops.ArtifactRef;
import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.ModelVersion;
import dev.mlops.RunInfo;
import dev.mlops.RunPage;
import dev.mlops.RunQuery;
import dev.mlops.Workspace;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.core.CoreWorkspace;
import dev.mlops.spi.ForwardingObjectStore;
import dev.mlops.spi.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Mark-and-sweep of artifact blobs that nothing references, and of the metric segments of
 * deleted runs, with a grace period.
 *
 * <p>Mark: every artifact of every model version, every tag of a version that holds a digest
 * (attachments: baselines, reports, cards), every artifact logged by a run, and the digests of
 * registered {@link GcRoots}. Versions tombstoned with {@link Tombstones} do not count.
 *
 * <p>Sweep: the store keeps no reliable creation time, so the collector measures age itself: an
 * unreferenced blob gets a candidate marker {@code gc/candidates/<hex>} holding the time it was
 * first seen unreferenced; it is deleted (blob, then descriptor, then marker) only on a later pass
 * at least the grace period after that, after the references are read again and the marker is
 * read again. A {@code put} of content that already exists removes the marker (mlops-core does
 * this), restarting the clock. So an artifact uploaded just before a sweep and registered just
 * after survives, as does any artifact whose upload and registration are less than the grace
 * period apart. A registration removes the marker of each artifact it references before it checks
 * that the artifact's descriptor and blob exist, so a writer that stalls longer than the grace
 * period between upload and registration keeps its blob or gets a {@code NotFoundException}. The
 * one window left: a registration whose check runs between a pass's last read of the marker and
 * its delete of the blob; a grace period far longer than an upload-to-register (minutes, not
 * milliseconds) makes that require a writer to hold a stale reference that long.
 *
 * <p>Metric segments ({@code runs/<id>/metrics/…}) of runs tombstoned with
 * {@link Tombstones#deleteRun} are deleted once the run has ended and a pass first saw it so more
 * than the grace period ago ({@code gc/run-candidates/<id>}); the run's log stays, so the run is
 * still listed with its parameters, inputs and latest metric values (recorded in its END entry),
 * while its metric history then fails with {@code CorruptDataException} naming the missing segment.
 *
 * <p>Superseded online feature rows: where mlops-features is on the classpath, each pass also runs
 * its {@code OnlineRowRetention} with the same clock and grace period. In views with an online
 * retention, a row superseded by a newer row of the same entity whose event time lies more than the
 * retention in the past is deleted once a pass first saw it so more than the grace period ago; the
 * newest row of an entity is never deleted, views without a retention keep every row, and offline
 * segments are never touched (see {@code docs/governance.md}).
 *
 * <p>Each pass that is not a dry run appends one entry to the hash-chained log {@code gc/log}
 * listing what it deleted. A dry run reads only.
 *
 * <p>Thread-safe; passes from several processes may run at once (markers and deletes are idempotent).
 */
public final class GarbageCollector {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String CANDIDATES = "gc/candidates/";
  /** When a tombstoned, ended run's metric segments were first seen: {@code gc/run-candidates/<run id>}. */
  static final String RUN_CANDIDATES = "gc/run-candidates/";
  private static final String BLOBS = "artifacts/sha256/";

  private final Workspace workspace;
  private final ObjectStore store;
  private final Clock clock;
  private final Duration grace;
  private final List<GcRoots> roots;
  private final String actor;

  private GarbageCollector(Builder b) {
    this.workspace = b.workspace;
    this.store = AuditExport.storeOf(b.workspace);
    this.clock = b.clock;
    this.grace = b.grace;
    this.roots = List.copyOf(b.roots);
    this.actor = b.actor;
  }

  /**
   * @param workspace an open mlops-core workspace
   * @return a builder: grace period 24 h, system clock
   */
  public static Builder builder(Workspace workspace) {
    return new Builder(workspace);
  }

  /**
   * Reads every reference from storage, not from the workspace's caches (a cached registry state
   * may be older than the grace period): through a fresh workspace over the same store.
   *
   * @return every referenced digest, read from the store now
   */
  public Set<Digest> mark() {
    ObjectStore shared = new ForwardingObjectStore(store) {
      @Override
      public void close() {
        // the caller's workspace owns the store
      }
    };
    try (Workspace fresh = CoreWorkspace.builder(shared).actor(actor).build()) {
      return mark(fresh);
    }
  }

  private Set<Digest> mark(Workspace workspace) {
    Set<Digest> refs = new HashSet<>();
    for (String m : workspace.registry().models()) {
      for (ModelVersion v : workspace.registry().versions(m)) {
        if (v.tags().containsKey(Tombstones.TAG)) {
          continue;
        }
        v.artifacts().values().forEach(r -> refs.add(r.digest()));
        v.tags().values().forEach(t -> parseDigest(t).ifPresent(refs::add));
      }
    }
    Set<String> deadRuns = new HashSet<>();
    store.listAll(Tombstones.RUN_MARKERS).forEach(k -> deadRuns.add(k.substring(Tombstones.RUN_MARKERS.length())));
    Optional<String> token = Optional.empty();
    do {
      RunQuery.Builder q = RunQuery.builder().pageSize(1000);
      token.ifPresent(q::pageToken);
      RunPage page = workspace.experiments().search(q.build());
      for (RunInfo r : page.runs()) {
        if (!r.tags().containsKey(Tombstones.TAG) && !deadRuns.contains(r.id().value())) {
          r.artifacts().values().stream().map(ArtifactRef::digest).forEach(refs::add);
        }
      }
      token = page.nextPageToken();
    } while (token.isPresent());
    for (GcRoots r : roots) {
      refs.addAll(r.referenced(workspace));
    }
    return refs;
  }

  /**
   * Runs one pass.
   *
   * @param dryRun report only: no marker is written, nothing is deleted or logged
   * @return what was found and done
   */
  public GcReport run(boolean dryRun) {
    Instant now = clock.instant();
    Set<Digest> refs = mark();
    List<Digest> unreferenced = new ArrayList<>();
    long blobs = 0;
    for (String key : store.listAll(BLOBS).toList()) {
      Optional<Digest> d = blobDigest(key);
      if (d.isEmpty()) {
        continue;
      }
      blobs++;
      if (!refs.contains(d.get())) {
        unreferenced.add(d.get());
      }
    }
    List<Digest> eligible = new ArrayList<>();
    List<Digest> waiting = new ArrayList<>();
    for (Digest d : unreferenced) {
      Optional<Instant> seen = firstSeen(CANDIDATES + d.hex());
      if (seen.isEmpty()) {
        if (!dryRun) {
          writeCandidate(CANDIDATES + d.hex(), now);
        }
        waiting.add(d);
      } else if (!seen.get().plus(grace).isAfter(now)) {
        eligible.add(d);
      } else {
        waiting.add(d);
      }
    }
    List<String> segmentsDue = new ArrayList<>();
    List<String> runsWaiting = new ArrayList<>();
    List<String> runsDue = new ArrayList<>();
    deadRunSegments(now, dryRun, segmentsDue, runsWaiting, runsDue);
    // the feature store's own sweep: it re-checks each row against the store as it goes (a row is
    // deleted only behind a newer row that stays), so it needs no re-mark here
    FeatureRowSweeps.Result rows = FeatureRowSweeps.sweep(store, now, grace, dryRun);
    if (dryRun || (eligible.isEmpty() && segmentsDue.isEmpty())) {
      if (!dryRun && !rows.deleted().isEmpty()) {
        log(now, List.of(), List.of(), rows.deleted());
      }
      return new GcReport(now, dryRun, blobs, blobs - unreferenced.size(), eligible, waiting, segmentsDue, runsWaiting,
          rows.deleted(), rows.waiting());
    }
    List<Digest> deleted = new ArrayList<>();
    if (!eligible.isEmpty()) {
      // re-mark: anything registered since the first mark is kept
      Set<Digest> again = mark();
      for (Digest d : eligible) {
        if (again.contains(d)) {
          store.delete(CANDIDATES + d.hex());
          continue;
        }
        Optional<Instant> seen = firstSeen(CANDIDATES + d.hex()); // a put of the same content since removed the marker
        if (seen.isEmpty() || seen.get().plus(grace).isAfter(now)) {
          continue;
        }
        store.delete(BLOBS + d.hex().substring(0, 2) + "/" + d.hex().substring(2));
        store.delete("artifacts/meta/sha256/" + d.hex().substring(0, 2) + "/" + d.hex().substring(2) + ".json");
        store.delete(CANDIDATES + d.hex());
        deleted.add(d);
      }
    }
    // a tombstone is never taken back and an ended run writes no more segments: nothing to re-mark
    segmentsDue.forEach(store::delete);
    log(now, deleted, segmentsDue, rows.deleted());
    return new GcReport(now, false, blobs, blobs - unreferenced.size(), deleted, waiting, segmentsDue, runsWaiting,
        rows.deleted(), rows.waiting());
  }

  /**
   * Metric segments of tombstoned runs that have ended (a running run may still write segments, so
   * it is left alone until it ends). Age is measured like a blob's: from the first pass that saw the
   * run tombstoned and ended ({@code gc/run-candidates/<id>}). Its log, with the latest metric
   * values in its END entry, stays; its metric history is gone.
   */
  private void deadRunSegments(Instant now, boolean dryRun, List<String> due, List<String> waiting, List<String> runs) {
    for (String marker : store.listAll(Tombstones.RUN_MARKERS).toList()) {
      String id = marker.substring(Tombstones.RUN_MARKERS.length());
      List<String> segments = store.listAll("runs/" + id + "/metrics/").toList();
      if (segments.isEmpty()) {
        continue;
      }
      Optional<RunInfo> info = workspace.experiments().findRun(dev.mlops.RunId.of(id));
      if (info.isEmpty() || !info.get().status().terminal()) {
        continue;
      }
      Optional<Instant> seen = firstSeen(RUN_CANDIDATES + id);
      if (seen.isEmpty()) {
        if (!dryRun) {
          writeCandidate(RUN_CANDIDATES + id, now);
        }
        waiting.add(id);
      } else if (!seen.get().plus(grace).isAfter(now)) {
        due.addAll(segments);
        runs.add(id);
      } else {
        waiting.add(id);
      }
    }
  }

  private void log(Instant now, List<Digest> deleted, List<String> segments, List<String> featureRows) {
    ObjectNode b = JSON.createObjectNode();
    b.put("type", "GC_SWEEP");
    b.put("actor", actor);
    b.put("at", now.toString());
    b.put("commit", UUID.randomUUID().toString());
    b.put("graceSeconds", grace.toSeconds());
    ArrayNode a = b.putArray("deleted");
    deleted.forEach(d -> a.add(d.toString()));
    if (!segments.isEmpty()) {
      ArrayNode seg = b.putArray("deletedSegments");
      segments.forEach(seg::add);
    }
    if (!featureRows.isEmpty()) {
      ArrayNode rows = b.putArray("deletedFeatureRows");
      featureRows.forEach(rows::add);
    }
    append(store, b);
  }

  /** Appends one entry to the hash-chained {@code gc/log}, retrying lost races. */
  static void append(ObjectStore store, ObjectNode body) {
    HashChainedLog log = new HashChainedLog(store, "gc/log");
    for (int attempt = 0; ; attempt++) {
      long seq = 0;
      String hash = HashChainedLog.GENESIS;
      List<HashChainedLog.Entry> all = log.readAfter(0, HashChainedLog.GENESIS);
      if (!all.isEmpty()) {
        seq = all.get(all.size() - 1).seq();
        hash = all.get(all.size() - 1).hash();
      }
      try {
        log.append(seq, hash, body);
        return;
      } catch (AlreadyExistsException lost) {
        if (attempt >= 1000) {
          throw new dev.mlops.ConflictException("gave up appending to gc/log after " + attempt + " lost races");
        }
      }
    }
  }

  private Optional<Instant> firstSeen(String key) {
    Optional<byte[]> b = store.get(key);
    if (b.isEmpty()) {
      return Optional.empty();
    }
    try {
      JsonNode n = JSON.readTree(b.get());
      return Optional.of(Instant.parse(n.path("firstSeen").asText()));
    } catch (IOException | RuntimeException e) {
      throw new CorruptDataException("GC candidate marker '" + key + "' is unreadable: " + e.getMessage(), e);
    }
  }

  private void writeCandidate(String key, Instant now) {
    ObjectNode n = JSON.createObjectNode();
    n.put("format", 1);
    n.put("firstSeen", now.toString());
    try {
      store.create(key, n.toString().getBytes(StandardCharsets.UTF_8));
    } catch (AlreadyExistsException another) {
      // another collector saw it first; its time counts
    }
  }

  private static Optional<Digest> blobDigest(String key) {
    String rest = key.substring(BLOBS.length());
    if (rest.length() != 65 || rest.charAt(2) != '/') {
      return Optional.empty();
    }
    return parseDigest("sha256:" + rest.substring(0, 2) + rest.substring(3));
  }

  private static Optional<Digest> parseDigest(String s) {
    if (!s.startsWith("sha256:")) {
      return Optional.empty();
    }
    try {
      return Optional.of(Digest.parse(s));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Builds a {@link GarbageCollector}. Not thread-safe; confine to one thread. */
  public static final class Builder {
    private final Workspace workspace;
    private Clock clock = Clock.systemUTC();
    private Duration grace = Duration.ofHours(24);
    private final List<GcRoots> roots = new ArrayList<>();
    private String actor = "gc";

    private Builder(Workspace workspace) {
      this.workspace = Objects.requireNonNull(workspace, "workspace");
    }

    /**
     * @param grace how long a blob must have been seen unreferenced before it is deleted;
     *     longer than any upload-to-register time, default 24 h
     * @return this
     * @throws IllegalArgumentException if negative
     */
    public Builder gracePeriod(Duration grace) {
      if (grace.isNegative()) {
        throw new IllegalArgumentException("grace period must not be negative, got " + grace);
      }
      this.grace = grace;
      return this;
    }

    /** @param clock source of the pass times and ages @return this */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** @param more digests referenced outside the registry and runs @return this */
    public Builder roots(GcRoots more) {
      roots.add(Objects.requireNonNull(more, "roots"));
      return this;
    }

    /** @param actor recorded in {@code gc/log}, default {@code gc} @return this */
    public Builder actor(String actor) {
      this.actor = Objects.requireNonNull(actor, "actor");
      return this;
    }

    /** @return the collector */
    public GarbageCollector build() {
      return new GarbageCollector(this);
    }
  }
}
