package dev.mlops.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Run;
import dev.mlops.RunPage;
import dev.mlops.RunQuery;
import dev.mlops.RunQuery.Field;
import dev.mlops.RunQuery.Op;
import dev.mlops.RunStatus;
import dev.mlops.StorageException;
import dev.mlops.spi.ForwardingObjectStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * A search answered through the run search index returns exactly what the full scan
 * ({@link CoreExperiments#scan}) returns: the same runs, in the same order, on the same pages,
 * with the same tokens. Random stores (from the try's seed): runs in three experiments with
 * params that compare as numbers or as text, NaN and signed-zero metrics, changed tags, every
 * status, runs left RUNNING, index entries lost (as when the writer is killed between a run's END
 * and its entry), stores written with no index at all, small segment blocks; read by the writing
 * process, by a fresh process (writable or read-only) and by that process again after more runs
 * have ended and time has passed (so it backfills).
 */
class RunIndexPropertiesTest {
  private static final String[] EXPERIMENTS = {"a", "b", "c"};
  private static final String[] PARAMS = {"0.1", "0.10", "1", "1.0", "abc", "-0", "1e2", "B", "10"};
  private static final double[] METRICS = {0.5, 0.7, Double.NaN, -0.0, 0.0, 1.0, -3.0};
  private static final String[] TAGS = {"x", "y", "xy", ""};

  /** A clock that ticks a millisecond per read and can jump forward. */
  static final class JumpingClock extends Clock {
    final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

    @Override public ZoneId getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(ZoneId zone) { return this; }
    @Override public long millis() { return millis.incrementAndGet(); }
    @Override public Instant instant() { return Instant.ofEpochMilli(millis()); }
    void jump(Duration d) { millis.addAndGet(d.toMillis()); }
  }

  /**
   * The real mem: store, whose run search index creates fail while {@code dropEntries} is set (a
   * writer killed before it stored them) and are discarded while {@code oldWriter} is set (a
   * writer of a version without the index).
   */
  static final class EntryDroppingStore extends ForwardingObjectStore {
    volatile boolean dropEntries;
    volatile boolean oldWriter;

    EntryDroppingStore() {
      this(new MemObjectStore());
    }

    final MemObjectStore mem;

    EntryDroppingStore(MemObjectStore mem) {
      super(mem);
      this.mem = mem;
    }

    @Override public void create(String key, byte[] bytes) {
      if (oldWriter && key.startsWith(RunIndex.PREFIX)) {
        return;
      }
      if (dropEntries && key.startsWith(RunIndex.PREFIX)) {
        throw new StorageException("injected: the writer died before storing " + key);
      }
      super.create(key, bytes);
    }
  }

  @Property(tries = 60)
  void indexedSearchIsTheScan(@ForAll long seed) {
    Random rnd = new Random(seed);
    JumpingClock clock = new JumpingClock();
    EntryDroppingStore store = new EntryDroppingStore();
    int block = 1 + rnd.nextInt(4);
    boolean noIndex = rnd.nextInt(5) == 0;
    CoreExperiments writer = new CoreExperiments(store, clock, "w", MetricBuffer.Settings.DEFAULTS, block);
    EntryDroppingStore oldStore = new EntryDroppingStore(store.mem);
    oldStore.oldWriter = true;
    // a process of a version without the index writes an old store
    CoreExperiments old = new CoreExperiments(oldStore, clock, "old", MetricBuffer.Settings.DEFAULTS, block);
    CoreExperiments fresh = null;
    try {
      List<Run> running = new ArrayList<>();
      populate(rnd, noIndex ? old : writer, store, running, 1 + rnd.nextInt(25));
      checkQueries(rnd, writer, clock);
      fresh = new CoreExperiments(rnd.nextBoolean() ? store : new ReadOnlyObjectStore(store, URI.create("mem:test")),
          clock, "r", MetricBuffer.Settings.DEFAULTS, block);
      checkQueries(rnd, fresh, clock);
      // more runs, some of the running ones end, time passes
      for (Run r : running) {
        if (rnd.nextBoolean()) {
          store.dropEntries = rnd.nextInt(4) == 0;
          r.end(RunStatus.FINISHED);
          store.dropEntries = false;
        }
      }
      populate(rnd, noIndex && rnd.nextBoolean() ? old : writer, store, new ArrayList<>(), rnd.nextInt(10));
      if (rnd.nextInt(3) == 0) {
        writer.repairIndex(); // indexes an old store: from now on its members come from the index
      }
      if (rnd.nextBoolean()) {
        clock.jump(CoreExperiments.BACKFILL_AFTER.plusMinutes(1));
      }
      checkQueries(rnd, fresh, clock);
      checkQueries(rnd, writer, clock);
      CoreExperiments third = new CoreExperiments(store, clock, "r3", MetricBuffer.Settings.DEFAULTS, block);
      try {
        checkQueries(rnd, third, clock);
      } finally {
        third.close();
      }
    } finally {
      writer.close();
      old.close();
      if (fresh != null) {
        fresh.close();
      }
    }
  }

  private static void populate(Random rnd, CoreExperiments ex, EntryDroppingStore store, List<Run> running,
      int runs) {
    for (int i = 0; i < runs; i++) {
      Run r = ex.startRun(EXPERIMENTS[rnd.nextInt(EXPERIMENTS.length)], "r" + i);
      if (rnd.nextInt(4) > 0) {
        r.logParam("lr", PARAMS[rnd.nextInt(PARAMS.length)]);
      }
      if (rnd.nextBoolean()) {
        r.logParam("depth", Integer.toString(rnd.nextInt(3)));
      }
      if (rnd.nextInt(3) > 0) {
        r.setTag("team", TAGS[rnd.nextInt(TAGS.length)]);
        if (rnd.nextInt(3) == 0) {
          r.setTag("team", TAGS[rnd.nextInt(TAGS.length)]);
        }
      }
      for (String m : List.of("acc", "loss")) {
        int points = rnd.nextInt(3);
        for (int p = 0; p < points; p++) {
          r.logMetric(m, METRICS[rnd.nextInt(METRICS.length)], rnd.nextInt(3));
        }
      }
      int fate = rnd.nextInt(5);
      if (fate == 0) {
        r.flush();
        running.add(r);
        continue;
      }
      store.dropEntries = rnd.nextInt(6) == 0;
      try {
        r.end(fate == 1 ? RunStatus.FAILED : fate == 2 ? RunStatus.KILLED : RunStatus.FINISHED);
      } finally {
        store.dropEntries = false;
      }
    }
  }

  private static void checkQueries(Random rnd, CoreExperiments ex, JumpingClock clock) {
    for (int q = 0; q < 8; q++) {
      RunQuery query = randomQuery(rnd, clock);
      Optional<String> token = Optional.empty();
      int pages = 0;
      do {
        RunQuery page = new RunQuery(query.experiments(), query.filters(), query.orderBy(), query.pageSize(), token);
        RunPage expected = ex.scan(page);
        RunPage actual = ex.search(page);
        assertThat(actual.runs()).as("page %s of %s", pages, query).isEqualTo(expected.runs());
        assertThat(actual.nextPageToken()).as("token after page %s of %s", pages, query)
            .isEqualTo(expected.nextPageToken());
        token = actual.nextPageToken();
        pages++;
      } while (token.isPresent() && pages < 60);
    }
  }

  private static RunQuery randomQuery(Random rnd, JumpingClock clock) {
    List<String> experiments = new ArrayList<>();
    for (String e : List.of("a", "b", "c", "d")) {
      if (rnd.nextInt(3) == 0) {
        experiments.add(e);
      }
    }
    List<RunQuery.Filter> filters = new ArrayList<>();
    int nf = rnd.nextInt(3);
    for (int i = 0; i < nf; i++) {
      Op op = Op.values()[rnd.nextInt(Op.values().length)];
      switch (rnd.nextInt(5)) {
        case 0 -> filters.add(new RunQuery.Filter(Field.PARAM, rnd.nextBoolean() ? "lr" : "depth", op,
            rnd.nextBoolean() ? PARAMS[rnd.nextInt(PARAMS.length)] : Integer.toString(rnd.nextInt(3))));
        case 1 -> filters.add(new RunQuery.Filter(Field.METRIC, rnd.nextBoolean() ? "acc" : "loss", op,
            Double.toString(METRICS[rnd.nextInt(METRICS.length)])));
        case 2 -> filters.add(new RunQuery.Filter(Field.TAG, "team", op, TAGS[rnd.nextInt(TAGS.length)]));
        case 3 -> filters.add(new RunQuery.Filter(Field.STATUS, "", rnd.nextBoolean() ? Op.EQ : Op.NE,
            RunStatus.values()[rnd.nextInt(RunStatus.values().length)].name()));
        default -> filters.add(new RunQuery.Filter(Field.START_TIME, "", op,
            Long.toString(1_700_000_000_000L + rnd.nextInt(400))));
      }
    }
    List<RunQuery.Order> orders = new ArrayList<>();
    int no = rnd.nextInt(3);
    for (int i = 0; i < no; i++) {
      Field f = Field.values()[rnd.nextInt(Field.values().length)];
      String key = switch (f) {
        case PARAM -> rnd.nextBoolean() ? "lr" : "depth";
        case METRIC -> rnd.nextBoolean() ? "acc" : "loss";
        case TAG -> "team";
        default -> "";
      };
      orders.add(new RunQuery.Order(f, key, rnd.nextBoolean()));
    }
    return new RunQuery(experiments, filters, orders, 1 + rnd.nextInt(7), Optional.empty());
  }
}
