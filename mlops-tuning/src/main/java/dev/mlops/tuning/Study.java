package dev.mlops.tuning;

import dev.mlops.ArtifactRef;
import dev.mlops.ModelVersion;
import dev.mlops.Names;
import dev.mlops.spi.ObjectStore;
import dev.mlops.Registration;
import dev.mlops.Run;
import dev.mlops.RunInfo;
import dev.mlops.RunStatus;
import dev.mlops.Workspace;
import dev.mlops.ConflictException;
import dev.mlops.NotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hyperparameter search: each trial is a run (named {@code trial}) of the experiment named after
 * the study, with the
 * suggested parameters as run params, the intermediate values as the metric
 * {@value #INTERMEDIATE_METRIC}, the final value as the metric {@value #VALUE_METRIC}, and the
 * tags {@value #TAG_STUDY}, {@value #TAG_TRIAL}, {@value #TAG_STATE}. A completed trial's run is
 * FINISHED; a pruned one is KILLED with the step and reason (and the tag
 * {@value #TAG_PRUNED_STEP}); a trial whose objective threw or returned NaN is FAILED and the
 * study goes on.
 *
 * <p>The study's state is a {@link StudyLog} of events: in memory by default, or a
 * {@link StoreStudyLog} that several workers (threads, or processes sharing a store) use to work
 * one study.
 *
 * <p>Thread-safe: {@link #optimize} may be called from several threads at once (each runs its own
 * trials; samplers then see the others' trials as RUNNING).
 */
public final class Study {
  /** Metric holding the objective value of a completed trial. */
  public static final String VALUE_METRIC = "objective";
  /** Metric holding the intermediate values a trial reports. */
  public static final String INTERMEDIATE_METRIC = "intermediate";
  /** Tag naming the study on each trial's run. */
  public static final String TAG_STUDY = "mlops.tuning.study";
  /** Tag holding the trial number on each trial's run. */
  public static final String TAG_TRIAL = "mlops.tuning.trial";
  /** Tag holding the trial's {@link TrialState}. */
  public static final String TAG_STATE = "mlops.tuning.state";
  /** Tag holding the step at which a trial was pruned. */
  public static final String TAG_PRUNED_STEP = "mlops.tuning.pruned-step";

  private static final Logger LOG = LoggerFactory.getLogger(Study.class);

  private final Workspace workspace;
  private final String name;
  private final Direction direction;
  private final Sampler sampler;
  private final Pruner pruner;
  private final Optional<SearchSpace> space;
  private final StudyLog log;
  private final Clock clock;
  private final Duration lease;
  private final List<TrialRecord> warmStart;

  private Study(Builder b) {
    this.workspace = b.workspace;
    this.name = b.name;
    this.direction = b.direction;
    this.sampler = b.sampler;
    this.pruner = b.pruner;
    this.space = b.space;
    this.log = b.log;
    this.clock = b.clock;
    this.lease = b.lease;
    this.warmStart = b.warmStart;
  }

  /**
   * @param workspace where the trials' runs are recorded
   * @param name the study name, also the experiment name of its runs
   * @return a builder; not thread-safe
   * @throws IllegalArgumentException if the name is not a valid {@link Names name}
   */
  public static Builder builder(Workspace workspace, String name) {
    return new Builder(workspace, name);
  }

  /**
   * Reads a study kept in {@code store} by name, to resume it or to warm-start another study from
   * its trials: a builder whose log is {@link StoreStudyLog#open StoreStudyLog.open(store, name)}.
   * Set the sampler, pruner and direction as the study was run; they are not stored.
   *
   * <pre>{@code
   * Study resumed = Study.load(ws, store, "mlp").sampler(new TpeSampler(42)).build();
   * Study next = Study.builder(ws, "mlp-2").warmStart(Study.load(ws, store, "mlp").build().trials()).build();
   * }</pre>
   *
   * @param workspace where the study's runs are recorded, over the same store
   * @param store the store holding the study
   * @param name the study name
   * @return a builder over the stored log; not thread-safe
   * @throws dev.mlops.NotFoundException if the store holds no trial of a study by that name
   * @throws IllegalArgumentException if the name is not a valid {@link Names name}
   */
  public static Builder load(Workspace workspace, ObjectStore store, String name) {
    Builder b = new Builder(workspace, name);
    StoreStudyLog stored = StoreStudyLog.open(store, name);
    if (!stored.exists()) {
      throw new NotFoundException("study " + name + " has no trial in the store");
    }
    return b.log(stored);
  }

  /** @return the study name */
  public String name() {
    return name;
  }

  /** @return minimize or maximize */
  public Direction direction() {
    return direction;
  }

  Sampler sampler() {
    return sampler;
  }

  Pruner pruner() {
    return pruner;
  }

  void appendEvent(TrialEvent event) {
    log.append(event);
  }

  Clock clock() {
    return clock;
  }

  Duration lease() {
    return lease;
  }

  /**
   * Fails every RUNNING trial whose owner showed no sign of life (start, heartbeat) for longer
   * than the lease: records {@link TrialEvent.Expired} once (several workers may try; one wins)
   * and ends the trial's run FAILED. {@link #optimize} calls this before each trial.
   *
   * @return how many trials this call expired
   */
  public int expireStaleTrials() {
    List<TrialEvent> events = log.events();
    Map<Integer, Instant> lastSeen = new HashMap<>();
    for (TrialEvent e : events) {
      Instant at = e instanceof TrialEvent.Started st ? st.at()
          : e instanceof TrialEvent.Heartbeat h ? h.at() : null;
      if (at != null) {
        lastSeen.merge(e.number(), at, (a, b) -> a.isAfter(b) ? a : b);
      }
    }
    Instant now = clock.instant();
    int expired = 0;
    for (TrialRecord t : StudyLog.replay(events)) {
      Instant seen = lastSeen.get(t.number());
      if (t.state() != TrialState.RUNNING || seen == null || !seen.plus(lease).isBefore(now)) {
        continue;
      }
      String reason = "lease expired: no sign of life from the worker since " + seen + " (lease " + lease + ")";
      if (log.finish(new TrialEvent.Expired(t.number(), reason, now))) {
        expired++;
        LOG.warn("study {} trial {}: {}", name, t.number(), reason);
        try {
          Run run = workspace.experiments().run(t.run());
          run.setTag(TAG_STATE, TrialState.FAILED.name());
          run.end(RunStatus.FAILED, reason);
        } catch (ConflictException | NotFoundException lateOrGone) {
          // the owner ended its run after all, or never stored it; the study's log decides
        }
      }
    }
    return expired;
  }

  /**
   * Runs {@code nTrials} trials one after the other. A trial whose objective throws (other than
   * {@link TrialPrunedException}) or returns NaN is recorded as FAILED and the next one starts;
   * an {@link Error} is recorded and rethrown.
   *
   * @param objective the function to optimize
   * @param nTrials how many trials, {@code >= 0}
   * @return the trials run by this call, in order
   * @throws IllegalArgumentException if nTrials is negative
   */
  public List<TrialRecord> optimize(Objective objective, int nTrials) {
    Objects.requireNonNull(objective, "objective");
    if (nTrials < 0) {
      throw new IllegalArgumentException("nTrials must be >= 0, got " + nTrials);
    }
    List<Integer> mine = new java.util.ArrayList<>();
    for (int i = 0; i < nTrials; i++) {
      mine.add(runTrial(objective));
    }
    return trials().stream().filter(t -> mine.contains(t.number())).toList();
  }

  private int runTrial(Objective objective) {
    expireStaleTrials();
    // the run exists before the trial does: taking the number and starting the trial is one write
    Run run = workspace.experiments().startRun(name, "trial", Map.of(), Map.of(TAG_STUDY, name));
    int number = log.start(run.id(), clock.instant());
    run.setTag(TAG_TRIAL, Integer.toString(number));
    List<TrialRecord> own = log.trials().stream().filter(t -> t.number() != number).toList();
    StudyHistory history = new StudyHistory(direction, own);
    StudyHistory samplerHistory = warmStart.isEmpty() ? history
        : new StudyHistory(direction, java.util.stream.Stream.concat(warmStart.stream(), own.stream()).toList());
    Trial trial = new Trial(number, run, this, samplerHistory, history, sampler.sampleJoint(samplerHistory, number));
    double value;
    try {
      space.ifPresent(s -> s.suggestAll(trial));
      value = objective.evaluate(trial);
    } catch (TrialPrunedException pruned) {
      Optional<Long> step = trial.snapshot().lastStep();
      String reason = trial.pruneReason().orElse(pruned.getMessage() == null ? "pruned" : pruned.getMessage());
      String text = "pruned at step " + step.map(String::valueOf).orElse("none") + ": " + reason;
      step.ifPresent(s -> tagRun(number, run, TAG_PRUNED_STEP, Long.toString(s)));
      finish(number, run, TrialState.PRUNED, Optional.empty(), Optional.of(text), RunStatus.KILLED);
      return number;
    } catch (Exception | Error failure) {
      String text = failure.getClass().getName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
      fail(number, run, text);
      LOG.warn("study {} trial {} failed: {}", name, number, text);
      if (failure instanceof Error e) {
        throw e;
      }
      return number;
    }
    if (Double.isNaN(value)) {
      fail(number, run, "objective returned NaN");
      LOG.warn("study {} trial {} failed: objective returned NaN", name, number);
      return number;
    }
    // the value goes on the run first; then one write to the log decides the outcome, and the run
    // is ended to agree with it (an expiring worker may have decided first)
    endRun(number, run, () -> run.logMetric(VALUE_METRIC, value));
    finish(number, run, TrialState.COMPLETE, Optional.of(value), Optional.empty(), RunStatus.FINISHED);
    return number;
  }

  /**
   * One write to the log decides how the trial ended; the run is then ended to agree with it (or,
   * if an expiring worker decided first, made to agree with that).
   */
  private void finish(int number, Run run, TrialState state, Optional<Double> value, Optional<String> reason,
      RunStatus runStatus) {
    if (log.finish(new TrialEvent.Ended(number, state, value, reason, clock.instant()))) {
      endRun(number, run, () -> {
        run.setTag(TAG_STATE, state.name());
        run.end(runStatus, reason.map(Study::truncate).orElse(""));
      });
    } else {
      lostToExpiry(number, run);
    }
  }

  /**
   * The trial's lease ran out and another worker decided it FAILED before this owner finished:
   * the log's decision stands, and the run is made to agree with it (the expiring worker ends it
   * too; whichever is first).
   */
  private void lostToExpiry(int number, Run run) {
    String reason = log.trials().stream().filter(t -> t.number() == number).findFirst()
        .flatMap(TrialRecord::reason).orElse("lease expired");
    LOG.warn("study {} trial {}: finished after another worker expired it; it stays FAILED: {}", name, number,
        reason);
    endRun(number, run, () -> {
      run.setTag(TAG_STATE, TrialState.FAILED.name());
      run.end(RunStatus.FAILED, truncate(reason));
    });
  }

  private void tagRun(int number, Run run, String key, String value) {
    endRun(number, run, () -> run.setTag(key, value));
  }

  /** Ends the run; if another worker already failed it (lease expired), the log's Expired stands. */
  private void endRun(int number, Run run, Runnable ending) {
    try {
      ending.run();
    } catch (ConflictException expired) {
      LOG.warn("study {} trial {}: its run was already ended, probably after its lease expired: {}", name, number,
          expired.getMessage());
    }
  }

  private void fail(int number, Run run, String text) {
    finish(number, run, TrialState.FAILED, Optional.empty(), Optional.of(text), RunStatus.FAILED);
  }

  private static String truncate(String text) {
    return text.length() <= Run.MAX_REASON_LENGTH ? text : text.substring(0, Run.MAX_REASON_LENGTH);
  }

  /** @return every trial of the study so far, by number */
  public List<TrialRecord> trials() {
    return log.trials();
  }

  /** @return the completed trial with the best value (the lowest number among ties), if any */
  public Optional<TrialRecord> bestTrial() {
    return trials().stream()
        .filter(t -> t.state() == TrialState.COMPLETE)
        .min(Comparator.comparingDouble((TrialRecord t) -> direction.loss(t.value().orElseThrow()))
            .thenComparingInt(TrialRecord::number));
  }

  /**
   * Registers the best trial as a new version of {@code model}, with the artifacts the trial's run
   * logged and lineage to that run; tags name the study, trial and value.
   *
   * @param model the model name
   * @return the new version
   * @throws IllegalStateException if no trial completed
   */
  public ModelVersion registerBest(String model) {
    return registerBest(model, Map.of());
  }

  /**
   * Registers the best trial as a new version of {@code model} with the given artifacts (stored
   * in this workspace first) or, when the map is empty, the artifacts its run logged; lineage
   * points to the trial's run.
   *
   * @param model the model name
   * @param artifacts the artifacts, by name; empty for the run's own
   * @return the new version
   * @throws IllegalStateException if no trial completed
   * @throws dev.mlops.NotFoundException if an artifact is not in the workspace
   */
  public ModelVersion registerBest(String model, Map<String, ArtifactRef> artifacts) {
    Objects.requireNonNull(artifacts, "artifacts");
    TrialRecord best = bestTrial().orElseThrow(() -> new IllegalStateException(
        "study " + name + " has no completed trial to register"));
    Map<String, ArtifactRef> arts = artifacts;
    if (arts.isEmpty()) {
      RunInfo info = workspace.experiments().getRun(best.run());
      arts = info.artifacts();
    }
    Registration.Builder reg = Registration.builder()
        .trainingRun(best.run())
        .description("best trial " + best.number() + " of study " + name + ": " + VALUE_METRIC + " "
            + best.value().orElseThrow())
        .tag(TAG_STUDY, name)
        .tag(TAG_TRIAL, Integer.toString(best.number()))
        .tag("mlops.tuning.value", Double.toString(best.value().orElseThrow()));
    arts.forEach(reg::artifact);
    return workspace.registry().register(model, reg.build());
  }

  /**
   * Builds a {@link Study}.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private final Workspace workspace;
    private final String name;
    private Direction direction = Direction.MINIMIZE;
    private Sampler sampler = new TpeSampler(TpeSampler.options(0));
    private Pruner pruner = Pruner.none();
    private Optional<SearchSpace> space = Optional.empty();
    private StudyLog log = StudyLog.inMemory();
    private Clock clock = Clock.systemUTC();
    private Duration lease = Duration.ofMinutes(10);
    private List<TrialRecord> warmStart = List.of();

    private Builder(Workspace workspace, String name) {
      this.workspace = Objects.requireNonNull(workspace, "workspace");
      this.name = Names.requireValid("study name", name);
    }

    /**
     * @param direction minimize (default) or maximize
     * @return this
     */
    public Builder direction(Direction direction) {
      this.direction = Objects.requireNonNull(direction, "direction");
      return this;
    }

    /**
     * @param sampler the sampler; default TPE with seed 0
     * @return this
     */
    public Builder sampler(Sampler sampler) {
      this.sampler = Objects.requireNonNull(sampler, "sampler");
      return this;
    }

    /**
     * @param pruner the pruner; default {@link Pruner#none()}
     * @return this
     */
    public Builder pruner(Pruner pruner) {
      this.pruner = Objects.requireNonNull(pruner, "pruner");
      return this;
    }

    /**
     * @param space a declared space suggested before each call of the objective; default none
     *     (define-by-run only)
     * @return this
     */
    public Builder space(SearchSpace space) {
      this.space = Optional.of(Objects.requireNonNull(space, "space"));
      return this;
    }

    /**
     * @param log where the study keeps its state; default a new in-memory log
     * @return this
     */
    public Builder log(StudyLog log) {
      this.log = Objects.requireNonNull(log, "log");
      return this;
    }

    /**
     * @param clock the clock stamping trial events; default UTC system clock
     * @return this
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * @param lease how long a RUNNING trial may show no sign of life (start, or a heartbeat written
     *     by {@link Trial#report} at most every third of the lease) before another worker fails it;
     *     default 10 minutes. A trial that neither reports nor ends within the lease is failed
     *     even if its worker is alive, so set it above the longest gap between reports.
     * @return this
     * @throws IllegalArgumentException if not positive
     */
    public Builder lease(Duration lease) {
      Objects.requireNonNull(lease, "lease");
      if (lease.isNegative() || lease.isZero()) {
        throw new IllegalArgumentException("lease must be positive, got " + lease);
      }
      this.lease = lease;
      return this;
    }

    /**
     * Warm start: the samplers also learn from these trials (typically another study's
     * {@link Study#trials()} over a compatible space); only COMPLETE ones are used. They are not
     * trials of this study: not numbered, not listed, not seen by the pruner.
     *
     * @param trials earlier trials
     * @return this
     */
    public Builder warmStart(List<TrialRecord> trials) {
      this.warmStart = trials.stream().filter(t -> t.state() == TrialState.COMPLETE).toList();
      return this;
    }

    /** @return the study */
    public Study build() {
      return new Study(this);
    }
  }
}
