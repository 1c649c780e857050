package dev.mlops.core;

import dev.mlops.Run;
import dev.mlops.RunId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Run ids of one experiment reserved ahead by this process ({@link CoreWorkspace#reserveRuns}),
 * for a caller that starts many runs in a row — {@code mlops-pipeline} reserves one per task step
 * of an execution. Their run search index start entries are stored together as one object when
 * the reservation is made, so a run started with {@link #startRun} writes only its START: one
 * durable create instead of two. What {@code Experiments.startRun} guarantees holds here too: a
 * run returned is durable and listed by search.
 *
 * <p>An id reserved and never started names no run; search skips it. {@link #close()} stores a
 * {@code released} index entry for each id not started (with this process's next index write in
 * the experiment, or within a second), after which search no longer looks for their logs. A
 * process killed while holding a reservation leaves its unused ids listed without a log: search
 * looks for each of their logs (one listing each) and skips them.
 *
 * <p>Thread-safe.
 */
public final class RunReservation implements AutoCloseable {
  /** The most ids one reservation takes. */
  public static final int MAX = 1000;
  private static final Logger LOG = LoggerFactory.getLogger(RunReservation.class);

  private final CoreExperiments experiments;
  private final String experiment;
  private final Deque<RunId> ids;
  private final Future<?> written;
  private boolean closed;

  RunReservation(CoreExperiments experiments, String experiment, List<RunId> ids, Future<?> written) {
    this.experiments = experiments;
    this.experiment = experiment;
    this.ids = new ArrayDeque<>(ids);
    this.written = written;
  }

  /** @return the experiment the ids are reserved in */
  public String experiment() {
    return experiment;
  }

  /** @return how many reserved ids are not started yet */
  public synchronized int remaining() {
    return ids.size();
  }

  Future<?> written() {
    return written;
  }

  /**
   * Starts a run of the experiment with the next reserved id, as
   * {@link dev.mlops.Experiments#startRun(String, String, Map, Map)} does (params and tags in its
   * START entry); when no id is left (or the reservation is closed, or its index write failed) it
   * starts the run exactly as that method does.
   *
   * @param runName the run's name
   * @param params its params
   * @param tags its tags
   * @return the run, durable and listed
   * @throws IllegalArgumentException naming a bad key or value (nothing is written)
   * @throws dev.mlops.StorageException if a write fails
   */
  public Run startRun(String runName, Map<String, String> params, Map<String, String> tags) {
    CoreExperiments.checkStart(experiment, runName, params, tags); // before an id is taken
    RunId id = take();
    if (id == null) {
      return experiments.startRun(experiment, runName, params, tags);
    }
    return experiments.startReserved(this, id, runName, params, tags);
  }

  /**
   * Starts a run like {@link #startRun}, deferred: nothing is written now. Its START entry is
   * written with the run's first entry (a param, tag, input or artifact), or by {@link Run#info()},
   * or one second after this call (on a store that declares itself persistent; not on
   * {@code mem:}), or at the workspace's close; a run that ends before any of
   * those is written as a single {@code START_END} entry. So a short run without entries, such as
   * a pipeline step's, costs one durable create instead of two. Until its START is written the run
   * is not found by id ({@code Experiments.run}, {@code findRun}) and search skips it, as it skips
   * an id reserved and not started; if the process dies before then, the run is not in the store
   * (metric segments it stored meanwhile stay, unreferenced).
   *
   * <p>When no id is left it starts the run exactly as {@code Experiments.startRun} does.
   *
   * @param runName the run's name
   * @param params its params
   * @param tags its tags
   * @return the run
   * @throws IllegalArgumentException naming a bad key or value (nothing is written)
   * @throws dev.mlops.StorageException if the reservation's index write failed to be stored
   */
  public Run startRunDeferred(String runName, Map<String, String> params, Map<String, String> tags) {
    CoreExperiments.checkStart(experiment, runName, params, tags);
    RunId id = take();
    return id == null ? experiments.startRun(experiment, runName, params, tags)
        : experiments.startReservedDeferred(this, id, runName, params, tags);
  }

  /** The next reserved id, or null when none is left, the reservation is closed or its index write failed. */
  private synchronized RunId take() {
    return closed || failed() ? null : ids.poll();
  }

  private boolean failed() {
    if (!written.isDone()) {
      return false;
    }
    try {
      written.get();
      return false;
    } catch (Exception e) {
      return true;
    }
  }

  /**
   * Releases the ids not started (their {@code released} index entries follow soon, see the class
   * comment); later {@link #startRun} calls start runs as {@code Experiments.startRun} does.
   * Idempotent. A failure to store the entries is logged: the ids then stay listed without a log.
   */
  @Override
  public void close() {
    List<RunId> rest;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      rest = new ArrayList<>(ids);
      ids.clear();
    }
    try {
      experiments.release(experiment, rest);
    } catch (RuntimeException e) {
      LOG.warn("releasing {} reserved run ids of experiment {} failed: {}", rest.size(), experiment, e.toString());
    }
  }

  @Override
  public synchronized String toString() {
    return "RunReservation[" + experiment + ", " + ids.size() + " left" + (closed ? ", closed" : "") + "]";
  }
}
