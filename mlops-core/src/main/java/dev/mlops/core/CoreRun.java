package dev.mlops.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.AlreadyExistsException;
import dev.mlops.ArtifactRef;
import dev.mlops.ConflictException;
import dev.mlops.DatasetInput;
import dev.mlops.Names;
import dev.mlops.Run;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunStatus;
import dev.mlops.core.internal.HashChainedLog;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * A live run handle. Params, tags, inputs, artifacts and the end are entries appended to the
 * run's {@link HashChainedLog}: each command reads the entries it has not seen, checks its
 * precondition (still running; a param not yet set to another value) and appends; on a lost race
 * it re-reads and re-checks. Metrics go to a {@link MetricBuffer} and never wait for storage
 * (unless the writer has fallen far behind).
 *
 * <p>A run ended elsewhere (another handle, another process) is noticed by the next command on
 * this handle, which then throws {@link ConflictException}; metric points logged on this handle
 * before that are still stored but are not part of the run's latest metrics.
 *
 * <p>Thread-safe.
 */
final class CoreRun implements Run {
  /** Longest param or tag value, in chars: values are stored in the run's log, not as blobs. */
  static final int MAX_VALUE_LENGTH = 65_536;
  private static final int MAX_ATTEMPTS = 10_000;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CoreRun.class);

  private final CoreExperiments owner;
  private final RunId id;
  private final HashChainedLog log;
  private final MetricBuffer metrics;
  private final Object commitLock = new Object();
  private RunState state; // guarded by commitLock
  /** The START entry of a run started deferred, until it is in the log; guarded by commitLock. */
  private ObjectNode pendingStart;
  private volatile java.util.concurrent.Future<?> startTimer;

  CoreRun(CoreExperiments owner, RunState state, HashChainedLog log, MetricBuffer metrics, ObjectNode pendingStart) {
    this.owner = owner;
    this.id = state.id();
    this.state = state;
    this.log = log;
    this.metrics = metrics;
    this.pendingStart = pendingStart;
    if (state.status().terminal()) {
      metrics.refuseFurtherPoints(endedMessage(state, "log metrics"));
    }
  }

  @Override
  public RunId id() {
    return id;
  }

  @Override
  public void logParam(String key, String value) {
    Names.requireValid("param key", key);
    requireValue("param", key, value);
    commit("log param '" + key + "'", s -> {
      String old = s.params().get(key);
      if (old != null) {
        if (old.equals(value)) {
          return null;
        }
        throw new AlreadyExistsException("param '" + key + "' of run " + id + " is already " + shown(old)
            + "; params are write-once, so it cannot become " + shown(value));
      }
      ObjectNode b = owner.entry(RunState.PARAM);
      b.put("key", key);
      b.put("value", value);
      return b;
    });
  }

  @Override
  public void setTag(String key, String value) {
    Names.requireValid("tag key", key);
    requireValue("tag", key, value);
    commit("set tag '" + key + "'", s -> {
      if (value.equals(s.tags().get(key))) {
        return null;
      }
      ObjectNode b = owner.entry(RunState.TAG);
      b.put("key", key);
      b.put("value", value);
      return b;
    });
  }

  @Override
  public void logMetric(String key, double value, long step) {
    metrics.log(key, value, step);
  }

  @Override
  public void logInput(DatasetInput input) {
    Objects.requireNonNull(input, "input");
    commit("log input '" + input.name() + "'", s -> {
      if (s.inputs().contains(input)) {
        return null;
      }
      ObjectNode b = owner.entry(RunState.INPUT);
      b.put("name", input.name());
      b.put("digest", input.digest().toString());
      b.put("schema", input.schema());
      b.put("rows", input.rows());
      b.put("context", input.context());
      return b;
    });
    dev.mlops.core.internal.LineageMarks.runInput(owner.store(), id, input.digest());
  }

  @Override
  public void logArtifact(String name, ArtifactRef ref) {
    Names.requireValidPath("artifact name", name);
    Objects.requireNonNull(ref, "ref");
    commit("log artifact '" + name + "'", s -> {
      if (ref.equals(s.artifacts().get(name))) {
        return null;
      }
      ObjectNode b = owner.entry(RunState.ARTIFACT);
      b.put("name", name);
      b.set("ref", ModelState.artifactNode(ref));
      return b;
    });
  }

  @Override
  public void flush() {
    metrics.flush();
  }

  @Override
  public void end(RunStatus status, String reason) {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
    if (!status.terminal()) {
      throw new IllegalArgumentException("a run ends FINISHED, FAILED or KILLED, not " + status);
    }
    endAs(status, false, reason.length() > MAX_REASON_LENGTH ? reason.substring(0, MAX_REASON_LENGTH) : reason);
  }

  /** Ends the run as FINISHED unless it has already ended (in any status). */
  @Override
  public void close() {
    endAs(RunStatus.FINISHED, true, "");
  }

  @Override
  public RunInfo info() {
    startNow();
    flush();
    return owner.requireRun(id);
  }

  /** The task that writes a deferred START after a while, cancelled when it is written otherwise. */
  void startTimer(java.util.concurrent.Future<?> timer) {
    startTimer = timer;
    synchronized (commitLock) {
      if (pendingStart == null) {
        timer.cancel(false);
      }
    }
  }

  /** Writes the START of a run started deferred, if it is not in the log yet. */
  void startNow() {
    synchronized (commitLock) {
      if (pendingStart != null) {
        appendStart(pendingStart);
      }
    }
  }

  /** {@link #startNow} from the timer: a failure is logged; the run's next entry tries again. */
  void startNowQuietly() {
    try {
      startNow();
    } catch (RuntimeException e) {
      LOG.warn("run {}: its deferred START was not stored yet (tried again with its next entry): {}", id, e.toString());
    }
  }

  /**
   * Appends {@code first} (a START or START_END) as entry 1 of this run started deferred; returns
   * the state after it, or null if the run has a log already (another process restored it, see
   * {@link CoreWorkspace#restoreRun}): then this handle's state is that log's. Holds commitLock.
   */
  private RunState appendStart(ObjectNode first) {
    RunState after;
    try {
      after = RunState.empty(id).apply(log.append(0, HashChainedLog.GENESIS, first));
    } catch (AlreadyExistsException restored) {
      after = null;
    }
    // (a failed write leaves the START pending, and its timer, for the next try)
    pendingStart = null;
    java.util.concurrent.Future<?> timer = startTimer;
    if (timer != null) {
      timer.cancel(false);
    }
    state = after != null ? after : owner.catchUp(RunState.empty(id));
    owner.publish(state);
    return after;
  }

  void flushMetrics() {
    metrics.flush();
  }

  MetricBuffer metrics() {
    return metrics;
  }

  private void endAs(RunStatus status, boolean ifRunning, String reason) {
    synchronized (commitLock) {
      if (state.status().terminal() && (ifRunning || state.status() == status) && !metrics.hasUnstored()) {
        return;
      }
    }
    owner.flushLive(id); // every handle of this run in this process, this one included
    boolean[] appended = {false};
    RunState after = commit("end it as " + status, s -> {
      appended[0] = false;
      if (s.status().terminal()) {
        if (ifRunning || s.status() == status) {
          return null;
        }
        throw new ConflictException("run " + id + " already ended as " + s.status()
            + s.endedAt().map(t -> " at " + t).orElse("") + "; it cannot end again as " + status);
      }
      appended[0] = true;
      return owner.endEntry(id, status, reason);
    }, true);
    if (appended[0] && after.status().terminal()) {
      owner.indexEnded(after);
    }
    owner.ended(id, endedMessage(after, "log metrics"));
  }

  private RunState commit(String what, Function<RunState, ObjectNode> decide) {
    return commit(what, decide, false);
  }

  /**
   * Appends the entry {@code decide} builds from the latest state (null: nothing to do); on a
   * lost race re-reads and asks again.
   */
  private RunState commit(String what, Function<RunState, ObjectNode> decide, boolean endedIsFine) {
    synchronized (commitLock) {
      if (pendingStart != null && !endedIsFine) {
        appendStart(pendingStart); // an entry other than the END follows the START
      }
      // Optimistic: an append is a create-if-absent of the entry after the newest state this
      // process has seen, so a stale state costs one lost race (then the log is read and the
      // entry decided again), never a wrong entry; the common case reads nothing first.
      // A decision to append nothing is taken on the log as stored (another process may have
      // changed what made it unnecessary).
      RunState s = owner.newest(state);
      state = s;
      boolean read = false;
      for (int attempt = 1; ; attempt++) {
        if (!endedIsFine && s.status().terminal()) {
          metrics.refuseFurtherPoints(endedMessage(s, "log metrics"));
          throw new ConflictException(endedMessage(s, what));
        }
        ObjectNode body = decide.apply(s);
        if (body == null && !read && !s.status().terminal()) {
          s = owner.catchUp(s);
          state = s;
          read = true;
          attempt--;
          continue;
        }
        if (body == null) {
          owner.publish(s);
          return s;
        }
        if (pendingStart != null) { // the END of a run started deferred that wrote nothing else
          RunState after = appendStart(RunState.startAndEnd(pendingStart, body));
          if (after != null) {
            return after;
          }
          s = state;
          read = true;
          continue;
        }
        try {
          HashChainedLog.Entry e = log.append(s.lastSeq(), s.lastHash(), body);
          s = s.apply(e);
          state = s;
          owner.publish(s);
          return s;
        } catch (AlreadyExistsException lostRace) {
          if (attempt >= MAX_ATTEMPTS) {
            throw new ConflictException("gave up on run " + id + " after " + attempt + " lost races to " + what);
          }
          s = owner.catchUp(s);
          state = s;
          read = true;
          if (attempt > 3) {
            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(1, 50_000L * Math.min(attempt, 40)));
          }
        }
      }
    }
  }

  private static String endedMessage(RunState s, String what) {
    return "run " + s.id() + " has ended as " + s.status() + s.endedAt().map(t -> " at " + t).orElse("")
        + "; cannot " + what;
  }

  static void requireValue(String kind, String key, String value) {
    Objects.requireNonNull(value, kind + " value of " + key);
    if (value.length() > MAX_VALUE_LENGTH) {
      throw new IllegalArgumentException(kind + " '" + key + "' has a value of " + value.length()
          + " chars; at most " + MAX_VALUE_LENGTH + " are allowed (store larger content as an artifact)");
    }
  }

  private static String shown(String value) {
    return value.length() <= 200 ? "'" + value + "'" : "'" + value.substring(0, 200) + "...' (" + value.length() + " chars)";
  }

  @Override
  public String toString() {
    return "Run[" + id + "]";
  }
}
