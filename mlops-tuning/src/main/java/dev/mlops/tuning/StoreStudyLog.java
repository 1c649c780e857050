package dev.mlops.tuning;

import dev.mlops.AlreadyExistsException;
import dev.mlops.CorruptDataException;
import dev.mlops.Names;
import dev.mlops.NotFoundException;
import dev.mlops.RunId;
import dev.mlops.spi.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StudyLog} in an object store, so several {@link Study} objects — in several threads,
 * and through a shared store in several processes — work one study. Keys, under
 * {@code tuning/studies/<study>/}:
 * <ul>
 *   <li>{@code trials/<n>}: the trial's {@code Started} event. A trial number is taken by creating
 *       this key with the store's create-if-absent: the one writer that succeeds owns the number,
 *       the others try the next, so numbers have no duplicates and no gaps, and a number is never
 *       taken without a trial.
 *   <li>{@code events/<n>/<seq>}: each later event of a running trial, an immutable object
 *       written only by the trial's owner.
 *   <li>{@code events/<n>/end}: how the trial ended — the owner's {@code Ended} or another
 *       worker's {@code Expired} when the lease ran out — created with create-if-absent, so the
 *       first of the two decides and the loser agrees ({@link #finish}).
 *   <li>{@code segments/<from>-<to>}: compaction. Once trials {@code from..to-1} (a block of
 *       {@value #SEGMENT_SIZE}) have all ended, any worker that read them writes their events as
 *       one object (create-if-absent; with a SHA-256 of its content), and readers take the block
 *       from it instead of listing and reading every event of those trials.
 * </ul>
 * Stored objects are immutable, so each process reads each one once: {@link #events()} lists
 * only the trials after the compacted blocks and reads only keys it has not read before.
 * Stored bytes are checked on read (format, trial number against the key, the segment's
 * digest): a bad object is a {@link CorruptDataException} naming its key. Keys that do not have
 * one of the shapes above are ignored.
 *
 * <p>Events a trial's owner appends after another worker expired the trial (it kept running past
 * its lease) are not part of the study once the trial's block is compacted.
 *
 * <p>Tested on {@code mem:}, {@code file:} and {@code s3:} ({@code StudyLogContract}).
 *
 * <p>Thread-safe.
 */
public final class StoreStudyLog implements StudyLog {
  /** Trials per compacted segment. */
  static final int SEGMENT_SIZE = 50;
  private static final Logger LOG = LoggerFactory.getLogger(StoreStudyLog.class);
  private static final byte[] SEGMENT_MAGIC = {'M', 'L', 'T', 'S'};
  private static final int SEGMENT_VERSION = 1;
  private static final int MAX_SEGMENT_EVENT_BYTES = 1 << 20;
  private static final Pattern TRIAL_KEY = Pattern.compile("trials/(\\d{10})");
  private static final Pattern EVENT_KEY = Pattern.compile("events/(\\d{10})/(\\d{8}|end|expired)");
  private static final Pattern SEGMENT_KEY = Pattern.compile("segments/(\\d{10})-(\\d{10})");

  private final ObjectStore store;
  private final String prefix;
  private final int segmentSize;
  private final Map<Integer, Integer> nextSeq = new HashMap<>();
  private int hint = -1;
  /** Events of the compacted blocks {@code 0..covered-1}, in order. */
  private final List<TrialEvent> compacted = new ArrayList<>();
  private int covered;
  private String lastSegmentKey = "";
  /** Events read from individual keys of trials {@code >= covered}, by key; objects never change. */
  private final Map<String, TrialEvent> read = new HashMap<>();
  private long objectReads;

  private StoreStudyLog(ObjectStore store, String study, int segmentSize) {
    this.store = Objects.requireNonNull(store, "store");
    this.prefix = "tuning/studies/" + Names.requireValid("study name", study) + "/";
    if (segmentSize < 1) {
      throw new IllegalArgumentException("segmentSize must be >= 1, got " + segmentSize);
    }
    this.segmentSize = segmentSize;
  }

  /**
   * @param store the store shared by every process working the study
   * @param study the study name
   * @return the log; reads what is already stored
   * @throws IllegalArgumentException if the study name is invalid
   */
  public static StoreStudyLog open(ObjectStore store, String study) {
    return new StoreStudyLog(store, study, SEGMENT_SIZE);
  }

  /** For tests: compacts blocks of {@code segmentSize} trials; every process of a study must agree on it. */
  static StoreStudyLog open(ObjectStore store, String study, int segmentSize) {
    return new StoreStudyLog(store, study, segmentSize);
  }

  /** @return whether the store holds at least one trial of this study */
  boolean exists() {
    try (java.util.stream.Stream<String> keys = store.listAll(prefix + "trials/")) {
      return keys.findAny().isPresent();
    }
  }

  /** @return how many stored objects this log has read so far (for tests of the read cost) */
  synchronized long objectReads() {
    return objectReads;
  }

  @Override
  public int start(RunId run, Instant at) {
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(at, "at");
    synchronized (this) {
      if (hint < 0) {
        refreshSegments();
        hint = covered;
        for (String k : (Iterable<String>) store.listAll(prefix + "trials/", after(covered, "trials/"))::iterator) {
          Matcher m = TRIAL_KEY.matcher(k.substring(prefix.length()));
          if (m.matches()) {
            hint = Math.max(hint, Integer.parseInt(m.group(1)) + 1);
          }
        }
      }
      for (int n = hint; ; n++) {
        try {
          store.create(trialKey(n), TrialEventCodec.encode(new TrialEvent.Started(n, run, at)));
          hint = n + 1;
          return n;
        } catch (AlreadyExistsException taken) {
          // another writer owns n; try the next number
        }
      }
    }
  }

  private String trialKey(int n) {
    return prefix + "trials/" + pad(n);
  }

  private static String pad(int n) {
    return String.format("%010d", n);
  }

  /** The listing bound that skips every key of trials below {@code n} in {@code dir}. */
  private String after(int n, String dir) {
    return n == 0 ? "" : prefix + dir + pad(n - 1) + "/~";
  }

  @Override
  public void append(TrialEvent event) {
    requireRunningEvent(event);
    int seq;
    synchronized (this) {
      seq = nextSeq.merge(event.number(), 1, Integer::sum) - 1;
    }
    store.create(prefix + "events/" + pad(event.number()) + "/" + String.format("%08d", seq),
        TrialEventCodec.encode(event));
  }

  static void requireRunningEvent(TrialEvent event) {
    Objects.requireNonNull(event, "event");
    if (event instanceof TrialEvent.Started) {
      throw new IllegalArgumentException("a trial is started with start(run, at), not append: " + event);
    }
    if (StudyLog.isTerminal(event)) {
      throw new IllegalArgumentException("a trial's end is recorded with finish(event), not append: " + event);
    }
  }

  static void requireTerminal(TrialEvent event) {
    Objects.requireNonNull(event, "terminal");
    if (!StudyLog.isTerminal(event)) {
      throw new IllegalArgumentException("finish takes an Ended or Expired event, got " + event);
    }
  }

  /** The one key per trial that the owner's Ended and an expiring worker's Expired compete for. */
  @Override
  public boolean finish(TrialEvent terminal) {
    requireTerminal(terminal);
    try {
      store.create(prefix + "events/" + pad(terminal.number()) + "/end", TrialEventCodec.encode(terminal));
      return true;
    } catch (AlreadyExistsException decided) {
      return false;
    }
  }

  /**
   * @return every stored event: trials by number, each trial's events in the order its owner
   *     appended them, its end last
   * @throws CorruptDataException if a stored event or segment cannot be read
   */
  @Override
  public synchronized List<TrialEvent> events() {
    refreshSegments();
    Map<Integer, List<String>> eventKeys = new TreeMap<>();
    store.listAll(prefix + "events/", after(covered, "events/")).forEach(k -> {
      Matcher m = EVENT_KEY.matcher(k.substring(prefix.length()));
      if (m.matches()) {
        eventKeys.computeIfAbsent(Integer.parseInt(m.group(1)), n -> new ArrayList<>()).add(k);
      } else {
        LOG.debug("ignoring {}: not a trial event key", k);
      }
    });
    List<TrialEvent> tail = new ArrayList<>();
    Map<Integer, Boolean> ended = new TreeMap<>();
    store.listAll(prefix + "trials/", after(covered, "trials/")).forEach(k -> {
      Matcher m = TRIAL_KEY.matcher(k.substring(prefix.length()));
      if (!m.matches()) {
        LOG.debug("ignoring {}: not a trial key", k);
        return;
      }
      int n = Integer.parseInt(m.group(1));
      tail.add(readOnce(k, n));
      boolean end = false;
      for (String e : eventKeys.getOrDefault(n, List.of())) {
        TrialEvent event = readOnce(e, n);
        tail.add(event);
        end |= StudyLog.isTerminal(event);
      }
      ended.put(n, end);
    });
    compact(tail, ended);
    List<TrialEvent> out = new ArrayList<>(compacted.size() + tail.size());
    out.addAll(compacted);
    out.addAll(tail);
    return out;
  }

  private TrialEvent readOnce(String key, int number) {
    TrialEvent cached = read.get(key);
    if (cached != null) {
      return cached;
    }
    byte[] bytes = store.get(key).orElseThrow(() -> new NotFoundException("trial event " + key
        + " was listed but is gone"));
    objectReads++;
    TrialEvent event = TrialEventCodec.decode(key, bytes);
    boolean startKey = key.startsWith(prefix + "trials/");
    if (event.number() != number || startKey != (event instanceof TrialEvent.Started)
        || key.endsWith("/end") && !StudyLog.isTerminal(event)) {
      throw new CorruptDataException("trial event " + key + " holds " + event + ", which does not belong under that key");
    }
    read.put(key, event);
    return event;
  }

  /** Reads segments written since the last call, as long as they continue the covered blocks. */
  private void refreshSegments() {
    for (String k : (Iterable<String>) store.listAll(prefix + "segments/", lastSegmentKey)::iterator) {
      lastSegmentKey = k;
      Matcher m = SEGMENT_KEY.matcher(k.substring(prefix.length()));
      if (!m.matches()) {
        LOG.debug("ignoring {}: not a segment key", k);
        continue;
      }
      int from = Integer.parseInt(m.group(1));
      int to = Integer.parseInt(m.group(2));
      if (from != covered || to != from + segmentSize) {
        LOG.debug("ignoring segment {}: the log is compacted up to trial {}", k, covered);
        continue;
      }
      byte[] bytes = store.get(k).orElseThrow(() -> new NotFoundException("segment " + k + " was listed but is gone"));
      objectReads++;
      compacted.addAll(decodeSegment(k, bytes, from, to));
      covered = to;
      read.keySet().removeIf(key -> trialOf(key) < to);
    }
  }

  private int trialOf(String key) {
    String rest = key.substring(prefix.length());
    int slash = rest.indexOf('/');
    return Integer.parseInt(rest.substring(slash + 1, slash + 11));
  }

  /** Writes the next block as a segment when every trial in it has ended. */
  private void compact(List<TrialEvent> tail, Map<Integer, Boolean> ended) {
    int to = covered + segmentSize;
    for (int n = covered; n < to; n++) {
      if (!Boolean.TRUE.equals(ended.get(n))) {
        return;
      }
    }
    List<TrialEvent> block = tail.stream().filter(e -> e.number() < to).toList();
    String key = prefix + "segments/" + pad(covered) + "-" + pad(to);
    try {
      store.create(key, encodeSegment(block));
      LOG.debug("compacted trials {}..{} of {} into {}", covered, to - 1, prefix, key);
    } catch (AlreadyExistsException another) {
      // another worker compacted the block first; the next read takes its segment
    }
  }

  static byte[] encodeSegment(List<TrialEvent> events) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(SEGMENT_MAGIC);
      out.writeInt(SEGMENT_VERSION);
      out.writeInt(events.size());
      for (TrialEvent e : events) {
        byte[] one = TrialEventCodec.encode(e);
        out.writeInt(one.length);
        out.write(one);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] body = bytes.toByteArray();
    byte[] sum = sha256(body);
    byte[] all = Arrays.copyOf(body, body.length + sum.length);
    System.arraycopy(sum, 0, all, body.length, sum.length);
    return all;
  }

  static List<TrialEvent> decodeSegment(String key, byte[] bytes, int from, int to) {
    if (bytes.length < 32 + 12) {
      throw new CorruptDataException("segment " + key + " is truncated (" + bytes.length + " bytes)");
    }
    byte[] body = Arrays.copyOf(bytes, bytes.length - 32);
    if (!MessageDigest.isEqual(sha256(body), Arrays.copyOfRange(bytes, body.length, bytes.length))) {
      throw new CorruptDataException("segment " + key + " does not match its SHA-256: it was altered or truncated");
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
      byte[] magic = in.readNBytes(4);
      int version = in.readInt();
      if (!Arrays.equals(magic, SEGMENT_MAGIC) || version != SEGMENT_VERSION) {
        throw new CorruptDataException("segment " + key + " is not a study segment of format " + SEGMENT_VERSION);
      }
      int count = in.readInt();
      if (count < to - from || count > body.length) {
        throw new CorruptDataException("segment " + key + " claims " + count + " events for " + (to - from) + " trials");
      }
      List<TrialEvent> events = new ArrayList<>(count);
      boolean[] started = new boolean[to - from];
      boolean[] ended = new boolean[to - from];
      for (int i = 0; i < count; i++) {
        int len = in.readInt();
        if (len <= 0 || len > MAX_SEGMENT_EVENT_BYTES || len > in.available()) {
          throw new CorruptDataException("segment " + key + ": event " + i + " has length " + len);
        }
        TrialEvent e = TrialEventCodec.decode(key + "#" + i, in.readNBytes(len));
        if (e.number() < from || e.number() >= to) {
          throw new CorruptDataException("segment " + key + " holds an event of trial " + e.number());
        }
        started[e.number() - from] |= e instanceof TrialEvent.Started;
        ended[e.number() - from] |= StudyLog.isTerminal(e);
        events.add(e);
      }
      if (in.available() != 0) {
        throw new CorruptDataException("segment " + key + " has " + in.available() + " bytes after its last event");
      }
      for (int i = 0; i < started.length; i++) {
        if (!started[i] || !ended[i]) {
          throw new CorruptDataException("segment " + key + " lacks the start or end of trial " + (from + i));
        }
      }
      return events;
    } catch (IOException e) {
      throw new CorruptDataException("segment " + key + " cannot be read: " + e.getMessage());
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
