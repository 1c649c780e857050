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
    dead.append(new TrialEvent.Ended(n, TrialState.COMPLETE, Optional.of(0.1), Optional.empty(), clock.instant()));
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
}
