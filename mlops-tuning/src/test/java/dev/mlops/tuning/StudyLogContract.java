package dev.mlops.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Mlops;
import dev.mlops.ModelVersion;
import dev.mlops.NotFoundException;
import dev.mlops.Workspace;
import dev.mlops.spi.ObjectStore;
import java.net.URI;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every storage backend runs for studies kept in the store ({@link StoreStudyLog}):
 * workers with their own logs on one store share trial numbers without gaps or duplicates and see
 * the same trials and best; a new log resumes the study; a dead worker's trial fails after its
 * lease; reports renew the lease. A backend's test extends this class and implements
 * {@link #newStore()}; it is shipped in mlops-tuning's test jar ({@code <type>test-jar</type>}),
 * run on {@code mem:} here, on {@code file:} in mlops-registry-fs and on {@code s3:} in
 * mlops-registry-s3. Instances are not thread-safe (one per test, as JUnit makes them).
 */
public abstract class StudyLogContract {
  /** The store under test, fresh for each test. */
  protected ObjectStore store;
  /** A workspace over {@link #store}. */
  protected Workspace ws;

  /** For subclasses. */
  protected StudyLogContract() {}

  /**
   * Returns an empty store of the backend under test.
   *
   * @return a fresh store, not shared with another test
   */
  protected abstract ObjectStore newStore();

  /**
   * Opens a workspace over a store; the default is {@link Mlops#open(URI, ObjectStore)}.
   *
   * @param store a store from {@link #newStore()}
   * @return a workspace over it
   */
  protected Workspace openWorkspace(ObjectStore store) {
    return Mlops.open(URI.create("kit:study"), store);
  }

  @BeforeEach
  final void openStore() {
    store = newStore();
    ws = openWorkspace(store);
  }

  @AfterEach
  final void closeWorkspace() {
    ws.close();
  }

  private Study study(long seed) {
    return Study.builder(ws, "shared").log(StoreStudyLog.open(store, "shared"))
        .sampler(new TpeSampler(TpeSampler.options(seed).withStartupTrials(5))).build();
  }

  private static double objective(Trial t) {
    double x = t.suggestFloat("x", -5, 5);
    String kind = t.suggestCategorical("kind", "a", "b");
    return x * x + (kind.equals("a") ? 0 : 1);
  }

  @Test
  void workersWithTheirOwnLogsOnOneStoreShareNumbersWithoutGapsOrDuplicates() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<List<TrialRecord>>> parts = IntStream.range(0, 3)
          .mapToObj(w -> pool.submit(() -> study(w).optimize(StudyLogContract::objective, 8)))
          .toList();
      Set<Integer> numbers = new HashSet<>();
      for (Future<List<TrialRecord>> part : parts) {
        part.get().forEach(t -> assertThat(numbers.add(t.number())).as("trial %d twice", t.number()).isTrue());
      }
      assertThat(numbers).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 24).boxed().toList());
    } finally {
      pool.shutdown();
    }
    Study a = study(0);
    Study b = study(1);
    assertThat(a.trials()).hasSize(24).extracting(TrialRecord::state).containsOnly(TrialState.COMPLETE);
    assertThat(b.trials()).isEqualTo(a.trials());
    assertThat(b.bestTrial()).isEqualTo(a.bestTrial());
  }

  @Test
  void aNewLogOnTheStoreResumesTheStudy() {
    study(3).optimize(StudyLogContract::objective, 6);
    Study resumed = study(3);
    List<TrialRecord> more = resumed.optimize(StudyLogContract::objective, 4);
    assertThat(more).extracting(TrialRecord::number).containsExactly(6, 7, 8, 9);
    assertThat(resumed.trials()).hasSize(10);
  }

  /** A clock the test moves. */
  private static final class TestClock extends java.time.Clock {
    private Instant now = Instant.parse("2026-12-03T09:00:00Z");

    void advance(java.time.Duration d) {
      now = now.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void aDeadWorkersTrialFailsAfterItsLeaseAndTheStudyGoesOn() {
    TestClock clock = new TestClock();
    java.time.Duration lease = java.time.Duration.ofMinutes(5);
    // a worker that took trial 0, started its run, suggested a value and died
    StoreStudyLog dead = StoreStudyLog.open(store, "leased");
    dev.mlops.Run orphan = ws.experiments().startRun("leased", "trial");
    int n = dead.start(orphan.id(), clock.instant());
    dead.append(new TrialEvent.Suggested(n, new FloatParam("x", 0, 1, false), 0.5));

    Study live = Study.builder(ws, "leased").log(StoreStudyLog.open(store, "leased")).clock(clock).lease(lease)
        .sampler(new RandomSampler(1)).build();
    clock.advance(java.time.Duration.ofMinutes(4));
    assertThat(live.expireStaleTrials()).isZero();
    assertThat(live.trials().get(0).state()).isEqualTo(TrialState.RUNNING);

    clock.advance(java.time.Duration.ofMinutes(2));
    live.optimize(t -> t.suggestFloat("x", 0, 1), 2);
    List<TrialRecord> trials = live.trials();
    assertThat(trials).extracting(TrialRecord::state)
        .containsExactly(TrialState.FAILED, TrialState.COMPLETE, TrialState.COMPLETE);
    assertThat(trials.get(0).reason().orElseThrow()).contains("lease expired").contains("2026-12-03T09:00:00Z");
    dev.mlops.RunInfo run = ws.experiments().getRun(orphan.id());
    assertThat(run.status()).isEqualTo(dev.mlops.RunStatus.FAILED);
    assertThat(run.statusReason().orElseThrow()).contains("lease expired");

    // a second worker finds nothing left to expire; the expiry is final even if the owner reappears
    Study other = Study.builder(ws, "leased").log(StoreStudyLog.open(store, "leased")).clock(clock).lease(lease).build();
    assertThat(other.expireStaleTrials()).isZero();
    assertThat(dead.finish(new TrialEvent.Ended(n, TrialState.COMPLETE, Optional.of(0.1), Optional.empty(),
        clock.instant()))).isFalse();
    assertThat(other.trials().get(0).state()).isEqualTo(TrialState.FAILED);
  }

  @Test
  void reportingRenewsTheLease() {
    TestClock clock = new TestClock();
    Study study = Study.builder(ws, "beating").log(StoreStudyLog.open(store, "beating")).clock(clock)
        .lease(java.time.Duration.ofMinutes(3)).sampler(new RandomSampler(1)).build();
    Study watcher = Study.builder(ws, "beating").log(StoreStudyLog.open(store, "beating")).clock(clock)
        .lease(java.time.Duration.ofMinutes(3)).build();
    int[] expiredSeen = new int[1];
    study.optimize(t -> {
      for (int step = 0; step < 10; step++) {
        clock.advance(java.time.Duration.ofMinutes(1));
        t.report(step, step);
        expiredSeen[0] += watcher.expireStaleTrials();
      }
      return 1.0;
    }, 1);
    // ten minutes in total, never more than one without a heartbeat
    assertThat(expiredSeen[0]).isZero();
    assertThat(study.trials().get(0).state()).isEqualTo(TrialState.COMPLETE);
  }

  @Test
  void aStudyIsReadFromTheStoreByNameToResumeOrWarmStart() {
    study(4).optimize(StudyLogContract::objective, 6);
    assertThatThrownBy(() -> Study.load(ws, store, "missing")).isInstanceOf(NotFoundException.class)
        .hasMessageContaining("missing");

    Study loaded = Study.load(ws, store, "shared").sampler(new RandomSampler(4)).build();
    assertThat(loaded.trials()).hasSize(6).isEqualTo(study(4).trials());
    assertThat(loaded.optimize(StudyLogContract::objective, 2)).extracting(TrialRecord::number).containsExactly(6, 7);

    Study warm = Study.builder(ws, "warm").log(StoreStudyLog.open(store, "warm"))
        .warmStart(Study.load(ws, store, "shared").build().trials()).sampler(new TpeSampler(5)).build();
    assertThat(warm.trials()).isEmpty();
    assertThat(warm.optimize(StudyLogContract::objective, 1)).extracting(TrialRecord::number).containsExactly(0);
    assertThat(Study.load(ws, store, "shared").build().trials()).hasSize(8);

    // the registered best names the study and points to the best trial's run
    TrialRecord best = loaded.bestTrial().orElseThrow();
    ModelVersion version = loaded.registerBest("tuned");
    assertThat(version.lineage().trainingRun()).contains(best.run());
    assertThat(version.tags()).containsEntry(Study.TAG_STUDY, "shared")
        .containsEntry(Study.TAG_TRIAL, Integer.toString(best.number()));
    assertThat(ws.experiments().getRun(best.run()).tags()).containsEntry(Study.TAG_STUDY, "shared");
  }

  @Test
  void anOwnerThatFinishesAfterItsTrialExpiredAgreesWithTheLog() {
    TestClock clock = new TestClock();
    java.time.Duration lease = java.time.Duration.ofMinutes(5);
    Study owner = Study.builder(ws, "race").log(StoreStudyLog.open(store, "race")).clock(clock).lease(lease)
        .sampler(new RandomSampler(1)).build();
    Study expirer = Study.builder(ws, "race").log(StoreStudyLog.open(store, "race")).clock(clock).lease(lease).build();
    List<TrialRecord> done = owner.optimize(t -> {
      t.suggestFloat("x", 0, 1);
      // the objective runs past its lease without a report; another worker fails the trial meanwhile
      clock.advance(java.time.Duration.ofMinutes(6));
      assertThat(expirer.expireStaleTrials()).isEqualTo(1);
      return 0.25;
    }, 1);
    TrialRecord trial = done.get(0);
    assertThat(trial.state()).isEqualTo(TrialState.FAILED);
    assertThat(trial.value()).isEmpty();
    assertThat(trial.reason().orElseThrow()).contains("lease expired");
    dev.mlops.RunInfo run = ws.experiments().getRun(trial.run());
    assertThat(run.status()).isEqualTo(dev.mlops.RunStatus.FAILED);
    assertThat(run.tags()).containsEntry(Study.TAG_STATE, TrialState.FAILED.name());
    assertThat(expirer.trials()).isEqualTo(owner.trials());
    assertThat(owner.bestTrial()).isEmpty();
  }

  @Test
  void endedTrialsAreCompactedIntoSegmentsThatColdReadersTakeWhole() {
    int segment = 4;
    Study writer = Study.builder(ws, "compact").log(StoreStudyLog.open(store, "compact", segment))
        .sampler(new RandomSampler(2)).build();
    writer.optimize(t -> {
      double x = t.suggestFloat("x", -1, 1);
      t.report(0, x);
      t.report(1, x / 2);
      return x * x;
    }, 10);
    // the writer reads the log before each trial: blocks 0..3 and 4..7 had ended by trial 9
    assertThat(store.listAll("tuning/studies/compact/segments/").toList()).containsExactly(
        "tuning/studies/compact/segments/0000000000-0000000004",
        "tuning/studies/compact/segments/0000000004-0000000008");

    StoreStudyLog cold = StoreStudyLog.open(store, "compact", segment);
    assertThat(StudyLog.replay(cold.events())).isEqualTo(writer.trials());
    // two segments, then trials 8 and 9 with their own events (start, suggestion, two reports, end)
    assertThat(cold.objectReads()).isEqualTo(2 + 2 * 5);
    long before = cold.objectReads();
    cold.events();
    assertThat(cold.objectReads()).as("immutable objects are read once").isEqualTo(before);

    // the study goes on from a cold log, and both agree
    Study more = Study.builder(ws, "compact").log(cold).sampler(new RandomSampler(3)).build();
    assertThat(more.optimize(t -> t.suggestFloat("x", -1, 1), 3)).extracting(TrialRecord::number)
        .containsExactly(10, 11, 12);
    assertThat(StudyLog.replay(StoreStudyLog.open(store, "compact", segment).events())).hasSize(13)
        .isEqualTo(more.trials());
  }

  @Test
  void storedBytesAreCheckedAndStrayKeysIgnored() {
    int segment = 2;
    Study writer = Study.builder(ws, "checked").log(StoreStudyLog.open(store, "checked", segment))
        .sampler(new RandomSampler(2)).build();
    writer.optimize(t -> t.suggestFloat("x", -1, 1), 4);
    String base = "tuning/studies/checked/";
    store.create(base + "trials/README", "not a trial".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    store.create(base + "events/notes.txt", "x".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    store.create(base + "segments/latest", "x".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(StudyLog.replay(StoreStudyLog.open(store, "checked", segment).events())).isEqualTo(writer.trials());

    // an altered segment is reported, naming its key
    String seg = base + "segments/0000000000-0000000002";
    byte[] bytes = store.get(seg).orElseThrow();
    bytes[12] ^= 1;
    store.delete(seg);
    store.create(seg, bytes);
    assertThatThrownBy(() -> StoreStudyLog.open(store, "checked", segment).events())
        .isInstanceOf(dev.mlops.CorruptDataException.class).hasMessageContaining(seg);

    // an event stored under another trial's key is reported
    Study other = Study.builder(ws, "moved").log(StoreStudyLog.open(store, "moved", 100))
        .sampler(new RandomSampler(2)).build();
    other.optimize(t -> t.suggestFloat("x", -1, 1), 2);
    String t1 = "tuning/studies/moved/trials/0000000001";
    store.delete(t1);
    store.create(t1, store.get("tuning/studies/moved/trials/0000000000").orElseThrow());
    assertThatThrownBy(() -> StoreStudyLog.open(store, "moved", 100).events())
        .isInstanceOf(dev.mlops.CorruptDataException.class).hasMessageContaining(t1);
  }

  @Test
  void onlyFinishRecordsATrialsEnd() {
    StoreStudyLog log = StoreStudyLog.open(store, "api");
    int n = log.start(dev.mlops.RunId.of("r-api"), Instant.EPOCH);
    TrialEvent.Ended ended = new TrialEvent.Ended(n, TrialState.COMPLETE, Optional.of(1.0), Optional.empty(),
        Instant.EPOCH);
    assertThatThrownBy(() -> log.append(ended)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("finish");
    assertThatThrownBy(() -> log.finish(new TrialEvent.Heartbeat(n, Instant.EPOCH)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Heartbeat");
    assertThat(log.finish(ended)).isTrue();
    assertThat(log.finish(new TrialEvent.Expired(n, "late", Instant.EPOCH))).isFalse();
    assertThat(StudyLog.replay(log.events()).get(0).value()).contains(1.0);
  }
}
