package dev.mlops.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.AlreadyExistsException;
import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.RunId;
import dev.mlops.core.internal.Json;
import dev.mlops.spi.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run search index: per experiment, which runs it has and the {@link RunFacts} of every ended
 * one, so that a search that filters or orders runs reads neither the experiment's markers nor any
 * run's log except the page's. An ended run never changes again (nothing can follow its END
 * entry), so its facts are final and are written once. Keys, under
 * {@code experiments/search/<experiment>/}:
 * <ul>
 *   <li>{@code entries/<n / block, 12 digits>/<n, 12 digits>}: one entry, either a run's start ({@code "kind": "start"},
 *       written by {@code startRun} at the same time as the run's markers and log) or an ended run's facts
 *       ({@code "kind": "end"}, written by the process that ended it after the END entry), or a list
 *       of such entries written together, {@code {"format":1,"entries":[...]}}: on a store with
 *       latency the facts of a run that ended wait (at most {@link CoreExperiments#INDEX_END_DELAY},
 *       or until {@code close()}) for the process's next start entry in the experiment and go into
 *       the same object, so a chain of runs costs one index write per run, not two.
 *       A number is taken with create-if-absent: the one writer that succeeds owns it, the others
 *       try the next, so numbers have no gaps and a reader lists only the numbers after the last
 *       one it read (the scheme of mlops-tuning's {@code StoreStudyLog}).
 *       A start entry can also be written ahead, for a run id reserved by
 *       {@link CoreExperiments#reserve} (several in one object); a reserved id never started gets
 *       a {@code "kind": "released"} entry when its reservation is closed (deferred like the
 *       facts above), after which it is not a member.
 *   <li>{@code segments/<from>-<to>}: entries {@code from..to-1} (a block of {@value #BLOCK}) as
 *       one object, followed by a line with the SHA-256 of the rest. The writer that takes the last
 *       number of a block writes it; a reader that has read a whole block writes it when that
 *       writer did not (it was killed). Readers take a block from its segment instead of reading
 *       its entries one by one.
 *   <li>{@code bulk/<sha-256 of the content>}: entries of runs that have none (a store written
 *       before the index existed, or a writer killed between the END entry and its entry),
 *       written by {@link CoreExperiments#repairIndex()} or by a search that had to read those
 *       runs' logs. Content-addressed, so two processes backfilling the same runs write one
 *       object or two harmless duplicates.
 *   <li>{@code complete}: empty; the experiment's index lists every run of it. Created by the
 *       writer that creates the experiment (every later run writes its start entry before its
 *       {@code startRun} returns), or by {@code repairIndex()} once it has backfilled every run.
 *       Runs started once it exists get no run marker ({@code experiments/runs/...}): the start
 *       entries list them. Without it a search lists the experiment's markers as before and uses
 *       the index only for facts.
 * </ul>
 * Why this shape: the store has no compare-and-set and no rename, only create-if-absent and
 * listings, and a writer may die at any instant. Numbered immutable entries need only
 * create-if-absent, and a reader learns what is new with one listing from where it stopped;
 * {@code startRun} returns only once the start entry, the markers it writes and the run's START
 * are all durable (they are written at the same time), so every run a caller holds is a member;
 * a writer that dies inside {@code startRun} may leave any of them without the others — a start entry or
 * marker without a log names no run and is skipped, a log without a start entry (a run no caller
 * ever held) is reported by {@code verifyIndex()} and backfilled by {@code repairIndex()}; a lost
 * end entry (a writer killed before it stored it, which the deferral above makes up to a second
 * long) costs one log read, never a wrong answer, because a member without facts is read from
 * its log.
 *
 * <p>The run's log stays the truth: a run found here is read from its log when it is on the page
 * returned, and the two must agree. Each stored object is immutable, so a process reads each
 * once and keeps what it read (about 0.5 KB per ended run, plus the member ids). Stored bytes are
 * checked on read (format, the experiment against the key, segment and bulk digests); a bad
 * object is a {@link CorruptDataException} naming its key, and two objects that disagree about
 * one run are reported too. Keys of other shapes are ignored.
 *
 * <p>Writers of a version without the index do not write start entries: a store they write to
 * after its index is complete has runs that only a listing of markers finds. Run
 * {@code repairIndex()} after such a writer has run.
 *
 * <p>Thread-safe.
 */
final class RunIndex {
  static final String PREFIX = "experiments/search/";
  /** Entries per segment. */
  static final int BLOCK = 1000;
  private static final Logger LOG = LoggerFactory.getLogger(RunIndex.class);
  private static final Pattern ENTRY = Pattern.compile("entries/\\d{12}/(\\d{12})");
  private static final Pattern SEGMENT = Pattern.compile("segments/(\\d{12})-(\\d{12})");
  private static final Pattern BULK = Pattern.compile("bulk/([0-9a-f]{64})");
  private static final int BULK_SIZE = 1000;
  private static final String START = "start";
  private static final String RELEASED = "released";
  private static final String COMPLETE = "complete";

  /** Facts of an ended run and the key they came from (or "run log"). */
  record Known(RunFacts facts, String source) {}

  private final ObjectStore store;
  private final int block;
  private final boolean writable;
  private final ConcurrentHashMap<RunId, Known> known = new ConcurrentHashMap<>();
  /** The same, by the id's text. */
  private final ConcurrentHashMap<String, Known> knownByText = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Experiment> experiments = new ConcurrentHashMap<>();

  /**
   * @param block entries per segment; every process sharing a store must use the same (tests use
   *     small ones)
   * @param writable whether this process may write segments and bulk objects
   */
  RunIndex(ObjectStore store, int block, boolean writable) {
    if (block < 1) {
      throw new IllegalArgumentException("block must be >= 1, got " + block);
    }
    this.store = store;
    this.block = block;
    this.writable = writable;
  }

  /** @return whether the run's facts were read from (or written to) the stored index */
  boolean stored(RunId id) {
    Known k = known.get(id);
    return k != null && !k.source().equals("run log");
  }

  /** @return the id object of a run whose facts this process holds, without validating the text again */
  Optional<RunId> runId(String id) {
    Known k = knownByText.get(id);
    return k == null ? Optional.empty() : Optional.of(k.facts().id());
  }

  /** @return the facts of the run if it is known to have ended (from the index or its log) */
  Optional<Known> known(RunId id) {
    return Optional.ofNullable(known.get(id));
  }

  /**
   * Records facts read from an ended run's own log, in this process only.
   *
   * @throws CorruptDataException if an index object read earlier says otherwise
   */
  void remember(RunFacts ended) {
    add(ended, "run log");
  }

  /** @return how many ended runs this process knows the facts of */
  int size() {
    return known.size();
  }

  /**
   * Reads what has been added to the experiment's index since this process last looked.
   *
   * @throws CorruptDataException naming the key of an index object that cannot be read
   */
  void refresh(String experiment) {
    experiment(experiment).refresh();
  }

  /**
   * Appends the facts of a run that has just ended (once, by the process that ended it), and
   * writes the block's segment if this entry completes one.
   */
  void append(RunFacts ended) {
    experiment(ended.experiment()).append(ended.toJson(), ended.id(), ended);
  }

  /**
   * Takes the facts of a run that has just ended into this process's view at once and stores
   * them later: in one object with this process's next start entry of the experiment (so a chain
   * of runs makes one index write per run, not two), or at the next {@link #flushDeferred()}.
   * Until then a reader in another process reads the run from its log (one read, same answer).
   */
  void defer(RunFacts ended) {
    remember(ended);
    experiment(ended.experiment()).defer(ended);
  }

  /**
   * Stores every experiment's deferred facts now, one object per experiment.
   *
   * @throws RuntimeException the first store failure (the facts it held stay deferred)
   */
  void flushDeferred() {
    RuntimeException first = null;
    for (Experiment e : experiments.values()) {
      try {
        e.flushDeferred();
      } catch (RuntimeException ex) {
        if (first == null) {
          first = ex;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** @return how many ended runs' facts wait to be stored */
  int deferred() {
    return experiments.values().stream().mapToInt(Experiment::deferredCount).sum();
  }

  /**
   * Records that a run is starting: written at the same time as the run's markers and log, and
   * durable before {@code startRun} returns, so that every run a caller holds has a start entry
   * (in an experiment whose index is {@link #complete}).
   */
  void appendStart(String experiment, RunId id) {
    experiment(experiment).append(startEntry(experiment, id), id, null);
  }

  /**
   * Records that runs are reserved (see {@link CoreExperiments#reserve}): their start entries as
   * one object, durable on return, before any of them is started.
   */
  void appendStarts(String experiment, List<RunId> ids) {
    List<JsonNode> entries = new ArrayList<>(ids.size());
    ids.forEach(id -> entries.add(startEntry(experiment, id)));
    experiment(experiment).append(entries, ids, null);
  }

  /**
   * Reserved runs that will never be started: their {@code released} entries are stored with this
   * process's next write in the experiment or at the next {@link #flushDeferred()}, and from then
   * on the index no longer lists them (a search would otherwise look for their logs every time).
   */
  void deferReleased(String experiment, List<RunId> ids) {
    experiment(experiment).deferReleased(ids);
  }

  static ObjectNode releasedEntry(String experiment, RunId id) {
    return runEntry(RELEASED, experiment, id);
  }

  static ObjectNode startEntry(String experiment, RunId id) {
    return runEntry(START, experiment, id);
  }

  private static ObjectNode runEntry(String kind, String experiment, RunId id) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("format", RunFacts.FORMAT);
    n.put("kind", kind);
    n.put("run", id.value());
    n.put("experiment", experiment);
    return n;
  }

  /**
   * @return whether every run of the experiment has a start entry (the experiment was created by
   *     a writer that writes them, or {@link CoreExperiments#repairIndex()} backfilled it), so its
   *     members are its runs and its markers need not be listed
   */
  boolean complete(String experiment) {
    return experiment(experiment).complete();
  }

  /** Declares the experiment's index complete (see {@link #complete}). */
  void markComplete(String experiment) {
    try {
      store.create(PREFIX + experiment + "/" + COMPLETE, new byte[0]);
    } catch (AlreadyExistsException already) {
      // fine
    }
  }

  /** @return the runs with a start entry or facts in the experiment's index, as of the last refresh */
  List<RunId> members(String experiment) {
    return experiment(experiment).members();
  }

  /**
   * Stores start entries for runs that have none (backfill of an old store).
   *
   * @return how many bulk objects were written
   */
  int backfillStarts(String experiment, List<RunId> runs) {
    List<JsonNode> entries = new ArrayList<>();
    runs.forEach(id -> entries.add(startEntry(experiment, id)));
    return writeBulk(experiment, entries);
  }

  /**
   * Stores facts of ended runs that have no entry, as content-addressed bulk objects.
   *
   * @param ended facts, all of runs of {@code experiment}
   * @return how many bulk objects were written
   */
  int backfill(String experiment, List<RunFacts> ended) {
    List<JsonNode> entries = new ArrayList<>();
    ended.forEach(f -> {
      if (!f.experiment().equals(experiment) || !f.status().terminal()) {
        throw new IllegalArgumentException("backfill of " + experiment + " got " + f);
      }
      entries.add(f.toJson());
    });
    return writeBulk(experiment, entries);
  }

  private int writeBulk(String experiment, List<JsonNode> entries) {
    Experiment e = experiment(experiment);
    int written = 0;
    for (int from = 0; from < entries.size(); from += BULK_SIZE) {
      List<JsonNode> part = entries.subList(from, Math.min(entries.size(), from + BULK_SIZE));
      ObjectNode n = Json.MAPPER.createObjectNode();
      n.put("format", RunFacts.FORMAT);
      n.putArray("entries").addAll(part);
      byte[] body = Json.write(n);
      String key = e.prefix + "bulk/" + Digest.of(body).hex();
      try {
        store.create(key, body);
        written++;
      } catch (AlreadyExistsException same) {
        // the same runs were backfilled by someone else: same content, same key
      }
      synchronized (e) {
        if (e.bulkRead.add(key)) {
          part.forEach(x -> e.apply(key, key, x));
        }
      }
    }
    return written;
  }

  boolean writable() {
    return writable;
  }

  private Experiment experiment(String name) {
    return experiments.computeIfAbsent(name, Experiment::new);
  }

  private void add(RunFacts f, String source) {
    Known k = new Known(f, source);
    Known before = known.putIfAbsent(f.id(), k);
    if (before == null) {
      knownByText.put(f.id().value(), k);
    } else if (before.facts().equals(f) && before.source().equals("run log")) {
      known.replace(f.id(), before, k); // now also known to be stored
    } else if (before != null && !before.facts().equals(f)) {
      throw new CorruptDataException("run search index object '" + source + "' disagrees with '" + before.source()
          + "' about run " + f.id() + ": " + f + " against " + before.facts()
          + "; the run's log is the truth (remove the wrong object)");
    }
  }

  /** {@code n} (at least 0) as 12 decimal digits, zero-padded: {@code String.format("%012d", n)} without the formatter. */
  static String pad(long n) {
    String digits = Long.toString(n);
    if (digits.length() >= 12) {
      return digits;
    }
    return "000000000000".substring(digits.length()) + digits;
  }

  /**
   * The key of entry {@code n}: entries are grouped by block, so that listing the entries after
   * a number touches one group (on {@code file:} a listing reads a whole directory).
   */
  private String entryKey(String prefix, long n) {
    return prefix + "entries/" + pad(n / block) + "/" + pad(n);
  }

  /** One experiment's part of the index. Guarded by its own monitor. */
  private final class Experiment {
    final String name;
    final String prefix;
    /** Entries below this number have been read from segments (or compacted here). */
    long covered;
    String lastSegmentKey = "";
    String lastEntryKey = "";
    /** Entries at or above {@link #covered} read one by one, by number. */
    final Map<Long, JsonNode> loose = new TreeMap<>();
    final Set<String> bulkRead = new HashSet<>();
    /** Every run with a start entry (or facts) here. */
    final Set<RunId> members = new HashSet<>();
    boolean complete;
    /** The next entry number to try, or -1 before this process has looked. */
    long next = -1;
    /**
     * Entries of the current block that this process wrote, as stored, by number (cleared when
     * the block's segment is written): the writer of the block's last entry reads only the
     * others' entries from the store. At most one block's worth.
     */
    final Map<Long, byte[]> written = new HashMap<>();
    /** The first entry number of the block {@link #written} holds entries of. */
    long writtenBlock;
    /** Facts of runs this process ended and has not stored yet (see {@link RunIndex#defer}). */
    final List<RunFacts> deferred = new ArrayList<>();
    /** Reserved runs this process released and has not stored the entries of yet (see {@link RunIndex#deferReleased}). */
    final List<RunId> releasedDeferred = new ArrayList<>();
    /** Runs with a {@code released} entry: reserved, never started, never listed. */
    final Set<RunId> released = new HashSet<>();

    Experiment(String name) {
      this.name = name;
      this.prefix = PREFIX + name + "/";
    }

    synchronized void refresh() {
      for (String k : (Iterable<String>) store.listAll(prefix + "segments/", lastSegmentKey)::iterator) {
        Matcher m = SEGMENT.matcher(k.substring(prefix.length()));
        if (!m.matches()) {
          lastSegmentKey = k;
          continue;
        }
        long from = Long.parseLong(m.group(1));
        long to = Long.parseLong(m.group(2));
        if (from < covered) {
          lastSegmentKey = k; // one this process wrote, or a stray: its entries are read
          continue;
        }
        if (from != covered || to != from + block) {
          break; // a block before it is not compacted yet: its entries are read one by one
        }
        byte[] bytes = store.get(k).orElseThrow(() -> new CorruptDataException("run search index segment '" + k
            + "' was listed but is gone"));
        List<JsonNode> entries = decodeSegment(k, bytes, from, to);
        for (int i = 0; i < entries.size(); i++) {
          apply(k + "#" + i, k, entries.get(i));
        }
        covered = to;
        lastSegmentKey = k;
        loose.keySet().removeIf(n -> n < to);
      }
      String after = covered == 0 ? "" : entryKey(prefix, covered - 1);
      if (lastEntryKey.compareTo(after) > 0) {
        after = lastEntryKey;
      }
      for (String k : (Iterable<String>) store.listAll(prefix + "entries/", after)::iterator) {
        lastEntryKey = k;
        Matcher m = ENTRY.matcher(k.substring(prefix.length()));
        if (!m.matches()) {
          continue;
        }
        long n = Long.parseLong(m.group(1));
        byte[] bytes = store.get(k).orElseThrow(() -> new CorruptDataException("run search index entry '" + k
            + "' was listed but is gone"));
        loose.put(n, parse(k, bytes));
        apply(k, k, loose.get(n));
      }
      for (String k : (Iterable<String>) store.listAll(prefix + "bulk/")::iterator) {
        Matcher m = BULK.matcher(k.substring(prefix.length()));
        if (!m.matches() || bulkRead.contains(k)) {
          continue;
        }
        byte[] bytes = store.get(k).orElseThrow(() -> new CorruptDataException("run search index object '" + k
            + "' was listed but is gone"));
        if (!Digest.of(bytes).hex().equals(m.group(1))) {
          throw new CorruptDataException("run search index object '" + k + "' does not hash to its name: it was altered");
        }
        for (JsonNode e : entriesOf(k, parse(k, bytes))) {
          apply(k, k, e);
        }
        bulkRead.add(k);
      }
      compactLoose();
    }

    /** Writes the segments of whole blocks read one by one (their writer did not). */
    private void compactLoose() {
      while (loose.size() >= block) {
        List<JsonNode> blockFacts = new ArrayList<>(block);
        for (long n = covered; n < covered + block; n++) {
          JsonNode f = loose.get(n);
          if (f == null) {
            return;
          }
          blockFacts.add(f);
        }
        if (writable) {
          List<byte[]> encoded = new ArrayList<>(blockFacts.size());
          blockFacts.forEach(f -> encoded.add(Json.write(f)));
          writeSegment(covered, encoded);
        }
        long to = covered + block;
        loose.keySet().removeIf(n -> n < to);
        covered = to;
      }
    }

    /** @param facts the block's entries, each as {@link Json#write} encodes it */
    private void writeSegment(long from, List<byte[]> facts) {
      String key = prefix + "segments/" + pad(from) + "-" + pad(from + facts.size());
      try {
        store.create(key, encodeSegment(from, facts));
        LOG.debug("compacted run search index entries {}..{} into {}", from, from + facts.size() - 1, key);
      } catch (AlreadyExistsException another) {
        // another process compacted the block first
      } catch (RuntimeException e) {
        LOG.warn("could not write run search index segment {}: {}", key, e.toString());
      }
    }

    /**
     * Stores {@code entry} (null: none) and the facts deferred here as one numbered object: the
     * one entry alone, or a list {@code {"format":1,"entries":[entry, facts...]}}. A failed
     * create leaves the deferred facts deferred.
     *
     * @param id the run {@code entry} is of (null with no entry)
     * @param facts the facts {@code entry} holds, or null for a start entry or none
     */
    void append(JsonNode entry, RunId id, RunFacts facts) {
      append(entry == null ? List.of() : List.of(entry), id == null ? List.of() : List.of(id), facts);
    }

    /** {@link #append(JsonNode, RunId, RunFacts)} of several entries ({@code ids}: the runs they start). */
    void append(List<JsonNode> entries, List<RunId> ids, RunFacts facts) {
      long n;
      Map<Long, byte[]> mine;
      synchronized (this) {
        List<RunFacts> along = List.copyOf(deferred);
        List<RunId> releasing = List.copyOf(releasedDeferred);
        List<JsonNode> nodes = new ArrayList<>(entries.size() + along.size() + releasing.size());
        nodes.addAll(entries);
        along.forEach(f -> nodes.add(f.toJson()));
        releasing.forEach(r -> nodes.add(releasedEntry(name, r)));
        if (nodes.isEmpty()) {
          return;
        }
        JsonNode stored = nodes.get(0);
        if (nodes.size() > 1) {
          ObjectNode list = Json.MAPPER.createObjectNode();
          list.put("format", RunFacts.FORMAT);
          list.putArray("entries").addAll(nodes);
          stored = list;
        }
        byte[] bytes = Json.write(stored);
        String key = createNext(bytes);
        n = next - 1;
        deferred.removeAll(along);
        releasedDeferred.removeAll(releasing);
        // what apply() would take from the object, without parsing back what was just built
        if (facts != null) {
          requireHere(key, facts);
          add(facts, key);
        }
        for (RunId id : ids) {
          if (!released.contains(id)) {
            members.add(id);
          }
        }
        for (RunFacts f : along) {
          add(f, key);
          members.add(f.id());
        }
        for (RunId r : releasing) {
          released.add(r);
          members.remove(r);
        }
        mine = wrote(n, bytes);
      }
      if (mine != null) {
        compactBlock(n + 1 - block, mine);
      }
    }

    /**
     * Keeps what this process stored as entry {@code n}; caller holds this monitor.
     *
     * @return the block's entries this process wrote when {@code n} completes the block (it then
     *     writes the block's segment), else null
     */
    private Map<Long, byte[]> wrote(long n, byte[] bytes) {
      long blockStart = n - n % block;
      if (blockStart != writtenBlock) {
        written.clear(); // a block whose last entry another process took (and compacts)
        writtenBlock = blockStart;
      }
      written.put(n, bytes);
      if ((n + 1) % block == 0) {
        Map<Long, byte[]> mine = new HashMap<>(written);
        written.clear();
        return mine;
      }
      return null;
    }

    /**
     * Creates {@code bytes} as the first free entry number (create-if-absent: on a number another
     * writer took, the next), leaving {@link #next} after it. Caller holds this monitor.
     *
     * @return the key created
     */
    private String createNext(byte[] bytes) {
      if (next < 0) {
        next = position();
      }
      while (true) {
        String key = entryKey(prefix, next);
        try {
          store.create(key, bytes);
          next++;
          return key;
        } catch (AlreadyExistsException taken) {
          next++;
        }
      }
    }

    synchronized void defer(RunFacts f) {
      requireHere("the run that ended here", f);
      deferred.add(f);
    }

    synchronized int deferredCount() {
      return deferred.size() + releasedDeferred.size();
    }

    synchronized void deferReleased(List<RunId> ids) {
      releasedDeferred.addAll(ids);
    }

    /** Stores the deferred facts as one object (a plain entry when there is one). */
    void flushDeferred() {
      append(List.of(), List.of(), null);
    }

    /**
     * Takes one stored object into this process's view: an entry (a start, or an ended run's
     * facts) or a list of entries written together ({@code {"format":1,"entries":[...]}}).
     */
    private void apply(String where, String source, JsonNode entry) {
      if (entry.has("entries")) {
        for (JsonNode e : entriesOf(where, entry)) {
          if (e.has("entries")) {
            throw new CorruptDataException("run search index object '" + where + "' nests a list of entries in a list");
          }
          applyOne(where, source, e);
        }
        return;
      }
      applyOne(where, source, entry);
    }

    /** Takes one entry (a start, or an ended run's facts) into this process's view. */
    private void applyOne(String where, String source, JsonNode entry) {
      if (!entry.isObject()) {
        throw new CorruptDataException("run search index object '" + where + "' holds an entry that is not a JSON object: "
            + entry);
      }
      String kind = entry.path("kind").asText();
      if (START.equals(kind) || RELEASED.equals(kind)) {
        String run = entry.path("run").asText("");
        if (!dev.mlops.Names.isValid(run) || !name.equals(entry.path("experiment").asText())) {
          throw new CorruptDataException("run search index object '" + where + "' is not a " + kind
              + " entry of a run of '" + name + "': " + entry);
        }
        RunId id = RunId.of(run);
        if (RELEASED.equals(kind)) {
          released.add(id);
          members.remove(id);
        } else if (!released.contains(id)) {
          members.add(id);
        }
        return;
      }
      RunFacts f = RunFacts.fromJson(where, entry);
      requireHere(where, f);
      add(f, source);
      members.add(f.id());
    }

    synchronized List<RunId> members() {
      return List.copyOf(members);
    }

    synchronized boolean complete() {
      if (!complete) {
        complete = store.get(prefix + COMPLETE).isPresent();
      }
      return complete;
    }

    /** The first free entry number, found from key names only (segments, then entries after them). */
    private long position() {
      long to = covered;
      for (String k : (Iterable<String>) store.listAll(prefix + "segments/")::iterator) {
        Matcher m = SEGMENT.matcher(k.substring(prefix.length()));
        if (m.matches()) {
          to = Math.max(to, Long.parseLong(m.group(2)));
        }
      }
      long free = to;
      String after = to == 0 ? "" : entryKey(prefix, to - 1);
      for (String k : (Iterable<String>) store.listAll(prefix + "entries/", after)::iterator) {
        Matcher m = ENTRY.matcher(k.substring(prefix.length()));
        if (m.matches()) {
          free = Math.max(free, Long.parseLong(m.group(1)) + 1);
        }
      }
      return free;
    }

    /**
     * Writes the segment of entries {@code from..from+block-1}, reading the ones not in
     * {@code mine} (this process's, as written) one by one.
     */
    private void compactBlock(long from, Map<Long, byte[]> mine) {
      List<byte[]> entries = new ArrayList<>(block);
      for (long n = from; n < from + block; n++) {
        byte[] own = mine.get(n);
        if (own != null) {
          entries.add(own);
          continue;
        }
        String k = entryKey(prefix, n);
        Optional<byte[]> bytes = store.get(k);
        if (bytes.isEmpty()) {
          return; // cannot happen with gapless numbering; a reader compacts it later
        }
        entries.add(Json.write(parse(k, bytes.get()))); // checked, and encoded as this process encodes
      }
      writeSegment(from, entries);
    }

    private void requireHere(String key, RunFacts f) {
      if (!f.experiment().equals(name) || !f.status().terminal()) {
        throw new CorruptDataException("run search index object '" + key + "' holds run " + f.id() + " of experiment '"
            + f.experiment() + "' as " + f.status() + ", but the index of '" + name + "' holds only its ended runs");
      }
    }
  }

  /**
   * The stored form of a segment: {@code {"format":1,"from":<from>,"entries":[...]}} as
   * {@link Json#write} writes that object, then the SHA-256 line. Built from the entries' own
   * encodings (the compact form of an array is its elements' compact forms joined by commas), so
   * entries this process has just written are not encoded twice.
   *
   * @param facts the entries, each as {@link Json#write} encodes it
   */
  static byte[] encodeSegment(long from, List<byte[]> facts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(facts.size() * 256 + 128);
    out.writeBytes(("{\"format\":" + RunFacts.FORMAT + ",\"from\":" + from + ",\"entries\":[")
        .getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < facts.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.writeBytes(facts.get(i));
    }
    out.write(']');
    out.write('}');
    byte[] body = out.toByteArray();
    byte[] tail = ("\nsha256:" + Digest.of(body).hex() + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[body.length + tail.length];
    System.arraycopy(body, 0, all, 0, body.length);
    System.arraycopy(tail, 0, all, body.length, tail.length);
    return all;
  }

  static List<JsonNode> decodeSegment(String key, byte[] bytes, long from, long to) {
    int tail = 8 + 64 + 1; // "\nsha256:" + hex + "\n"
    if (bytes.length < tail) {
      throw new CorruptDataException("run search index segment '" + key + "' is truncated (" + bytes.length + " bytes)");
    }
    int bodyLength = bytes.length - tail;
    String trailer = new String(bytes, bodyLength, tail, StandardCharsets.US_ASCII);
    byte[] body = java.util.Arrays.copyOf(bytes, bodyLength);
    if (!trailer.equals("\nsha256:" + Digest.of(body).hex() + "\n")) {
      throw new CorruptDataException("run search index segment '" + key
          + "' does not match the SHA-256 on its last line: it was altered or truncated");
    }
    JsonNode n = parse(key, body);
    if (n.path("from").asLong(-1) != from) {
      throw new CorruptDataException("run search index segment '" + key + "' says it starts at entry "
          + n.path("from") + ", not " + from);
    }
    List<JsonNode> entries = entriesOf(key, n);
    if (entries.size() != to - from) {
      throw new CorruptDataException("run search index segment '" + key + "' holds " + entries.size()
          + " entries, not " + (to - from));
    }
    return entries;
  }

  private static List<JsonNode> entriesOf(String key, JsonNode n) {
    if (n.path("format").asInt(-1) != RunFacts.FORMAT || !n.path("entries").isArray()) {
      throw new CorruptDataException("run search index object '" + key + "' is not a list of run facts of format "
          + RunFacts.FORMAT);
    }
    List<JsonNode> out = new ArrayList<>();
    n.get("entries").forEach(out::add);
    return out;
  }

  private static JsonNode parse(String key, byte[] bytes) {
    try {
      JsonNode n = Json.MAPPER.readTree(bytes);
      if (n == null || !n.isObject()) {
        throw new CorruptDataException("run search index object '" + key + "' is not a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new CorruptDataException("run search index object '" + key + "' is not valid JSON: "
          + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }
}
