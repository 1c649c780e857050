package dev.mlops.tuning;

import dev.mlops.AlreadyExistsException;
import dev.mlops.Names;
import dev.mlops.RunId;
import dev.mlops.spi.ObjectStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A {@link StudyLog} in an object store, so several {@link Study} objects — in several threads,
 * and through a shared store in several processes — work one study. A trial number is taken by
 * creating the key {@code tuning/studies/<study>/trials/<n>} with the store's create-if-absent: the
 * one writer that succeeds owns the number, the others try the next, so numbers have no
 * duplicates and no gaps; the key's content is the trial's {@code Started} event, so a number is
 * never taken without a trial. Each later event is its own immutable object under
 * {@code tuning/studies/<study>/events/<n>/<seq>}, written only by the trial's owner.
 *
 * A worker that finds a RUNNING trial whose lease expired records that once, under
 * {@code tuning/studies/<study>/events/<n>/expired} (create-if-absent: one worker wins).
 *
 * <p>Tested on {@code mem:}, {@code file:} and {@code s3:} ({@code StudyLogContract}). Not yet
 * compacted: every read lists and reads every event object. See {@code docs/tuning.md}.
 *
 * <p>Thread-safe.
 */
public final class StoreStudyLog implements StudyLog {
  private final ObjectStore store;
  private final String prefix;
  private final Map<Integer, Integer> nextSeq = new HashMap<>();
  private int hint = -1;

  private StoreStudyLog(ObjectStore store, String study) {
    this.store = Objects.requireNonNull(store, "store");
    this.prefix = "tuning/studies/" + Names.requireValid("study name", study) + "/";
  }

  /**
   * @param store the store shared by every process working the study
   * @param study the study name
   * @return the log; reads what is already stored
   * @throws IllegalArgumentException if the study name is invalid
   */
  public static StoreStudyLog open(ObjectStore store, String study) {
    return new StoreStudyLog(store, study);
  }

  /** @return whether the store holds at least one trial of this study */
  boolean exists() {
    try (java.util.stream.Stream<String> keys = store.listAll(prefix + "trials/")) {
      return keys.findAny().isPresent();
    }
  }

  @Override
  public int start(RunId run, Instant at) {
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(at, "at");
    synchronized (this) {
      if (hint < 0) {
        hint = store.listAll(prefix + "trials/")
            .mapToInt(k -> Integer.parseInt(k.substring(k.lastIndexOf('/') + 1)) + 1)
            .max().orElse(0);
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
    return prefix + "trials/" + String.format("%010d", n);
  }

  @Override
  public void append(TrialEvent event) {
    if (Objects.requireNonNull(event, "event") instanceof TrialEvent.Started) {
      throw new IllegalArgumentException("a trial is started with start(run, at), not append: " + event);
    }
    int seq;
    synchronized (this) {
      seq = nextSeq.merge(event.number(), 1, Integer::sum) - 1;
    }
    store.create(prefix + "events/" + String.format("%010d/%08d", event.number(), seq), TrialEventCodec.encode(event));
  }

  /** The one key an expiry may take per trial; it lists after the owner's numbered events. */
  @Override
  public boolean expire(TrialEvent.Expired expired) {
    try {
      store.create(prefix + "events/" + String.format("%010d", expired.number()) + "/expired",
          TrialEventCodec.encode(expired));
      return true;
    } catch (AlreadyExistsException another) {
      return false;
    }
  }

  /**
   * @return every stored event: trials by number, each trial's events in the order its owner
   *     appended them
   * @throws dev.mlops.CorruptDataException if an event cannot be read
   */
  @Override
  public List<TrialEvent> events() {
    // trial keys hold the Started events; each trial's other events follow it
    Map<Integer, List<String>> eventKeys = new TreeMap<>();
    store.listAll(prefix + "events/").forEach(k -> {
      String rest = k.substring((prefix + "events/").length());
      eventKeys.computeIfAbsent(Integer.parseInt(rest.substring(0, rest.indexOf('/'))), n -> new ArrayList<>()).add(k);
    });
    List<TrialEvent> out = new ArrayList<>();
    store.listAll(prefix + "trials/").forEach(k -> {
      TrialEvent started = read(k);
      out.add(started);
      eventKeys.getOrDefault(started.number(), List.of()).forEach(e -> out.add(read(e)));
    });
    return out;
  }

  private TrialEvent read(String key) {
    return TrialEventCodec.decode(key, store.get(key).orElseThrow(() -> new dev.mlops.NotFoundException(
        "trial event " + key + " was listed but is gone")));
  }
}
