package dev.mlops.pipeline.trigger;

import dev.mlops.Digest;
import dev.mlops.Names;
import dev.mlops.VerifyReport;
import dev.mlops.pipeline.PipelineLauncher;
import dev.mlops.spi.ObjectStore;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Retrain triggers: what starts a pipeline's executions when a drift or quality alarm goes off
 * ({@link #onAlarm}), on a schedule ({@link #onSchedule}) or when a dataset changes
 * ({@link #onNewData}), under a {@link TriggerPolicy} (cooldown, cap on running executions), with
 * every firing and every suppressed firing recorded in the store and readable with
 * {@link #history}.
 *
 * <p>A fleet — many serving processes on one store, each with its own {@code Triggers} and the
 * same triggers — starts one execution per event: each event (alarm window, scheduled instant,
 * dataset digest) is claimed with the store's create-if-absent, and only the process whose claim
 * succeeds starts the execution; the others record {@link TriggerOutcome#DUPLICATE} or
 * {@link TriggerOutcome#LOST_RACE}. The cooldown and the cap are checked against the store (the
 * trigger log and {@link PipelineLauncher#runningExecutions()}) before the claim: exact within
 * one {@code Triggers}, and across processes exact for one event, but two <em>different</em> events
 * handled at the same moment by two processes may both pass them. See
 * {@code docs/pipeline-triggers.md}.
 *
 * <p>Every execution a trigger starts gets the policy's parameters plus {@value #PARAM_TRIGGER}
 * (the trigger's name), {@value #PARAM_EVENT} (the event key) and the source's own: an alarm's
 * {@value AlarmTrigger#PARAM_WINDOW_START} and {@value AlarmTrigger#PARAM_WINDOW_END}, a
 * schedule's {@value ScheduleTrigger#PARAM_DUE}, new data's {@value DataTrigger#PARAM_DIGEST}.
 *
 * <p>Thread-safe.
 */
public final class Triggers {
  /** Execution parameter naming the trigger that started it. */
  public static final String PARAM_TRIGGER = "mlops.trigger";
  /** Execution parameter holding the event key ({@link TriggerRecord#event()}). */
  public static final String PARAM_EVENT = "mlops.trigger.event";

  private final ObjectStore store;
  private final Clock clock;
  private final String instance;
  private final Map<String, TriggerLog> logs = new ConcurrentHashMap<>();
  private final Set<String> names = new HashSet<>();

  private Triggers(Builder b) {
    this.store = b.store;
    this.clock = b.clock;
    this.instance = b.instance;
  }

  /**
   * @param store the store shared by every process whose triggers should de-duplicate together
   *     (usually the workspace's)
   * @return a builder; not thread-safe
   */
  public static Builder builder(ObjectStore store) {
    return new Builder(store);
  }

  /**
   * A trigger that fires on {@link dev.mlops.drift.DriftReport#alarm() alarming} monitor windows;
   * register it with {@code PredictionMonitor.Builder.onAlert(trigger)}. The event is the window
   * (its start and end): for time windows these are aligned across a fleet; for count windows use
   * {@link #onAlarm(String, PipelineLauncher, TriggerPolicy, Duration)}.
   *
   * @param name the trigger's name, the same in every process of a fleet
   * @param launcher starts the pipeline
   * @param policy cooldown, cap, parameters
   * @return the trigger
   * @throws NullPointerException if launcher or policy is null
   * @throws IllegalArgumentException if the name is invalid or already used for that pipeline here
   */
  public AlarmTrigger onAlarm(String name, PipelineLauncher launcher, TriggerPolicy policy) {
    return new AlarmTrigger(gate(name, TriggerSource.ALARM, launcher, policy), null, null);
  }

  /**
   * Like {@link #onAlarm(String, PipelineLauncher, TriggerPolicy)}, but the event is the time bucket
   * of length {@code bucket} (aligned to the epoch) that the window's end falls in: alarms of
   * windows ending in one bucket are one event. Use it for count windows, whose bounds differ
   * between processes.
   *
   * @param name the trigger's name
   * @param launcher starts the pipeline
   * @param policy cooldown, cap, parameters
   * @param bucket the de-duplication bucket, at least 1 ms
   * @return the trigger
   * @throws IllegalArgumentException if the bucket is under 1 ms, or as {@link #onAlarm(String, PipelineLauncher, TriggerPolicy)}
   */
  public AlarmTrigger onAlarm(String name, PipelineLauncher launcher, TriggerPolicy policy, Duration bucket) {
    return onAlarm(name, launcher, policy, bucket, Duration.ZERO);
  }

  /**
   * Like {@link #onAlarm(String, PipelineLauncher, TriggerPolicy, Duration)}, tolerating window
   * ends that differ by up to {@code tolerance} between processes (clock skew, and the spread of
   * the moments count windows close): an alarm claims every bucket that
   * {@code [end - tolerance, end + tolerance]} touches (two near a boundary, oldest first) and
   * fires only if it claimed them all, so two processes whose ends differ by at most the tolerance
   * start at most one execution even when their ends fall in different buckets. The price: an
   * alarm within the tolerance of a bucket boundary is one event with the neighbouring bucket's.
   *
   * @param name the trigger's name
   * @param launcher starts the pipeline
   * @param policy cooldown, cap, parameters
   * @param bucket the de-duplication bucket, at least 1 ms
   * @param tolerance how far apart two processes' ends of one alarm may be, zero or more and
   *     under half the bucket
   * @return the trigger
   * @throws IllegalArgumentException if the bucket is under 1 ms, the tolerance negative or not
   *     under half the bucket, or as {@link #onAlarm(String, PipelineLauncher, TriggerPolicy)}
   */
  public AlarmTrigger onAlarm(String name, PipelineLauncher launcher, TriggerPolicy policy, Duration bucket,
      Duration tolerance) {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(tolerance, "tolerance");
    if (bucket.toMillis() < 1) {
      throw new IllegalArgumentException("alarm bucket must be at least 1 ms, got " + bucket);
    }
    if (tolerance.isNegative() || tolerance.toMillis() * 2 >= bucket.toMillis()) {
      throw new IllegalArgumentException("alarm tolerance must be zero or more and under half the bucket ("
          + bucket + "), got " + tolerance);
    }
    return new AlarmTrigger(gate(name, TriggerSource.ALARM, launcher, policy), bucket, tolerance);
  }

  /**
   * A trigger that fires when its schedule is due; call {@link ScheduleTrigger#start} to run it.
   *
   * @param name the trigger's name, the same in every process of a fleet
   * @param launcher starts the pipeline
   * @param schedule when it is due
   * @param policy cooldown, cap, parameters
   * @return the trigger, not yet started
   * @throws NullPointerException if launcher, schedule or policy is null
   * @throws IllegalArgumentException if the name is invalid or already used for that pipeline here
   */
  public ScheduleTrigger onSchedule(String name, PipelineLauncher launcher, Schedule schedule, TriggerPolicy policy) {
    Objects.requireNonNull(schedule, "schedule");
    return new ScheduleTrigger(gate(name, TriggerSource.SCHEDULE, launcher, policy), schedule, clock);
  }

  /**
   * A trigger that fires once per new dataset digest: it polls {@code digest} and fires when the
   * value differs from the one it last handled and has not been claimed before (by any process).
   * Call {@link DataTrigger#start} to poll on a schedule, or {@link DataTrigger#poll()} yourself.
   *
   * @param name the trigger's name, the same in every process of a fleet
   * @param launcher starts the pipeline
   * @param digest the current digest of the dataset (an artifact, a feature view's data, a file)
   * @param policy cooldown, cap, parameters
   * @return the trigger, not yet started
   * @throws NullPointerException if launcher, digest or policy is null
   * @throws IllegalArgumentException if the name is invalid or already used for that pipeline here
   */
  public DataTrigger onNewData(String name, PipelineLauncher launcher, Supplier<Digest> digest, TriggerPolicy policy) {
    Objects.requireNonNull(digest, "digest");
    return new DataTrigger(gate(name, TriggerSource.DATA, launcher, policy), digest);
  }

  /**
   * Every recorded firing and suppressed firing of the pipeline's triggers, by every process,
   * oldest first (in log order).
   *
   * @param pipeline the pipeline name
   * @return the records; empty if none
   * @throws IllegalArgumentException if the name is invalid
   * @throws dev.mlops.CorruptDataException naming the key of a record that is altered or unreadable
   */
  public List<TriggerRecord> history(String pipeline) {
    return log(pipeline).records();
  }

  /**
   * Checks the hash chain of the pipeline's trigger log.
   *
   * @param pipeline the pipeline name
   * @return the report, naming the first broken entry if any
   */
  public VerifyReport verify(String pipeline) {
    return log(pipeline).verify();
  }

  private TriggerLog log(String pipeline) {
    Names.requireValid("pipeline name", pipeline);
    return logs.computeIfAbsent(pipeline, p -> new TriggerLog(store, p));
  }

  private TriggerGate gate(String name, TriggerSource source, PipelineLauncher launcher, TriggerPolicy policy) {
    Names.requireValid("trigger name", name);
    Objects.requireNonNull(launcher, "launcher");
    Objects.requireNonNull(policy, "policy");
    String pipeline = Names.requireValid("pipeline name", launcher.pipelineName());
    synchronized (names) {
      if (!names.add(pipeline + "/" + name)) {
        throw new IllegalArgumentException("pipeline '" + pipeline + "' already has a trigger named '" + name
            + "' in this Triggers");
      }
    }
    return new TriggerGate(log(pipeline), name, source, launcher, policy, clock, instance);
  }

  /**
   * Builds {@link Triggers}.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private final ObjectStore store;
    private Clock clock = Clock.systemUTC();
    private String instance = ManagementFactory.getRuntimeMXBean().getName();

    private Builder(ObjectStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * @param clock the time of firings, cooldowns and schedules (default the system UTC clock)
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * @param instance names this process in the records it writes (default {@code pid@host})
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder instance(String instance) {
      if (Objects.requireNonNull(instance, "instance").isBlank()) {
        throw new IllegalArgumentException("instance name must not be blank");
      }
      this.instance = instance;
      return this;
    }

    /** @return the triggers */
    public Triggers build() {
      return new Triggers(this);
    }
  }
}
