package dev.mlops;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Experiment tracking: experiments group runs; runs record params, tags, metric series, dataset
 * inputs, artifacts and provenance.
 *
 * <p>Thread-safe.
 */
public interface Experiments {

  /**
   * Starts a run, creating the experiment if needed. Provenance (library version, JVM, OS, host,
   * git commit) is captured automatically.
   *
   * @param experiment experiment name
   * @param runName a human-readable name (need not be unique; may be empty)
   * @return the live run
   * @throws IllegalArgumentException if the experiment name is invalid
   */
  Run startRun(String experiment, String runName);

  /**
   * Starts a run that already carries its first params and tags: the same as
   * {@link #startRun(String, String)} followed by {@link Run#logParams} and {@link Run#setTag} for
   * each entry, except that a backend may record them with the start in one write (mlops-core
   * does: one log entry instead of one per param and tag). Params stay write-once; tags can be
   * changed later as usual.
   *
   * <p>This default starts the run and then logs each param and tag; if one of them is refused
   * the run is ended as FAILED and the exception is rethrown.
   *
   * @param experiment experiment name
   * @param runName a human-readable name (need not be unique; may be empty)
   * @param params params the run starts with (may be empty)
   * @param tags tags the run starts with (may be empty)
   * @return the live run
   * @throws IllegalArgumentException if the experiment name, a key or a value is invalid
   */
  default Run startRun(String experiment, String runName, Map<String, String> params, Map<String, String> tags) {
    Objects.requireNonNull(params, "params");
    Objects.requireNonNull(tags, "tags");
    Run run = startRun(experiment, runName);
    try {
      run.logParams(params);
      tags.forEach(run::setTag);
    } catch (RuntimeException e) {
      try {
        run.fail(e);
      } catch (RuntimeException alsoFailed) {
        e.addSuppressed(alsoFailed);
      }
      throw e;
    }
    return run;
  }

  /** @return every experiment name, sorted */
  List<String> experimentNames();

  /**
   * @param id run id
   * @return the run's stored state, or empty
   */
  Optional<RunInfo> findRun(RunId id);

  /**
   * Reattaches to a stored run, e.g. to end it from another process.
   *
   * @param id run id
   * @return the live run
   * @throws NotFoundException if there is no such run
   */
  Run run(RunId id);

  /**
   * @param id run id
   * @param key metric key
   * @return every point logged for the key, by step then time
   * @throws NotFoundException if there is no such run
   */
  List<MetricPoint> metricHistory(RunId id, String key);

  /**
   * @param query filters, order and page
   * @return one page of matching runs
   * @throws IllegalArgumentException if the page token is not one this store issued for the query
   */
  RunPage search(RunQuery query);

  /**
   * Checks everything stored for one run: its log's hash chain and entries, its two index markers
   * (without which {@link #experimentNames()} misses it, and so may {@link #search} in a store
   * whose backend keeps no complete search index for the experiment), every metric segment
   * (present, numbered without gaps, checksum, and for an ended run the digest its END entry
   * records), and that each artifact it logged is stored with an intact descriptor (artifact
   * content itself is verified whenever it is read). Deleting the newest log entries, or
   * rewriting them with recomputed hashes, cannot be detected without an external anchor.
   *
   * @param id run id
   * @return a report counting the objects checked and naming the first missing or altered one
   * @throws NotFoundException if the run has no log at all
   */
  VerifyReport verify(RunId id);

  /**
   * Checks the experiment index against the runs' own logs, which are the truth: every run stored
   * must be listed under its experiment. Reads every run's log (ended runs' states are cached), so
   * it costs about one list request per run.
   *
   * @return a report counting the runs checked and naming the first missing index marker (or, on a
   *     backend with a search index, the first run its complete index lacks)
   */
  VerifyReport verifyIndex();

  /**
   * Re-creates missing index markers from the runs' own logs, so that every stored run is listed
   * again; a backend with a search index also backfills it here (and then lists runs from it
   * rather than from per-run markers). Idempotent; safe while other processes write.
   *
   * @return how many markers were re-created
   * @throws CorruptDataException if a run's log is unreadable (naming its key)
   */
  int repairIndex();

  /**
   * The work of a run that returns a result. Called once, on the thread that calls
   * {@link Experiments#run(String, String, RunBody)}; it need not be thread-safe.
   *
   * @param <T> the result type
   * @param <E> the checked exception the body may throw ({@link RuntimeException} if none)
   */
  @FunctionalInterface
  interface RunBody<T, E extends Exception> {
    /**
     * @param run the live run to log through
     * @return the result handed back to the caller
     * @throws E if the work fails
     */
    T apply(Run run) throws E;
  }

  /**
   * The work of a run that returns nothing. Called once, on the thread that calls
   * {@link Experiments#runWithoutResult(String, String, RunAction)}; it need not be thread-safe.
   *
   * @param <E> the checked exception the action may throw ({@link RuntimeException} if none)
   */
  @FunctionalInterface
  interface RunAction<E extends Exception> {
    /**
     * @param run the live run to log through
     * @throws E if the work fails
     */
    void accept(Run run) throws E;
  }

  /**
   * Starts a run, runs {@code body} with it and ends it: FINISHED when the body returns, FAILED
   * with the exception's class and message as the status reason ({@link RunInfo#statusReason()})
   * when it throws anything (an {@link Error} included). The body's exception is rethrown
   * unchanged; a failure to record the end is added to it as suppressed. If the body ended the
   * run itself, that end stands. This is the form to use instead of try-with-resources, whose
   * {@link Run#close()} cannot see the block's exception.
   *
   * <pre>{@code
   * double auc = ws.experiments().run("churn", "xgb", run -> {
   *   run.logParam("depth", "6");
   *   return train(run);
   * });
   * }</pre>
   *
   * @param experiment experiment name
   * @param runName a human-readable name (may be empty)
   * @param body the work
   * @param <T> the result type
   * @param <E> the checked exception the body may throw
   * @return what the body returned
   * @throws E what the body threw, unchanged
   * @throws IllegalArgumentException if the experiment name is invalid (the body does not run)
   * @throws StorageException if the body returned but the run could not be ended
   */
  default <T, E extends Exception> T run(String experiment, String runName, RunBody<T, E> body) throws E {
    Objects.requireNonNull(body, "body");
    Run run = startRun(experiment, runName);
    T result;
    try {
      result = body.apply(run);
    } catch (Throwable failure) {
      try {
        run.fail(failure);
      } catch (ConflictException alreadyEnded) {
        // the body ended the run itself; that end stands
      } catch (RuntimeException | Error notRecorded) {
        failure.addSuppressed(notRecorded);
      }
      throw failure;
    }
    run.close();
    return result;
  }

  /**
   * Like {@link #run(String, String, RunBody)} for work that returns nothing.
   *
   * @param experiment experiment name
   * @param runName a human-readable name (may be empty)
   * @param action the work
   * @param <E> the checked exception the action may throw
   * @return the id of the run
   * @throws E what the action threw, unchanged (the run is ended FAILED)
   * @throws IllegalArgumentException if the experiment name is invalid (the action does not run)
   * @throws StorageException if the action returned but the run could not be ended
   */
  default <E extends Exception> RunId runWithoutResult(String experiment, String runName, RunAction<E> action)
      throws E {
    Objects.requireNonNull(action, "action");
    return run(experiment, runName, run -> {
      action.accept(run);
      return run.id();
    });
  }

  /** Starts an unnamed run. @see #startRun(String, String) */
  default Run startRun(String experiment) {
    return startRun(experiment, "");
  }

  /**
   * @param id run id
   * @return the run's stored state
   * @throws NotFoundException if absent
   */
  default RunInfo getRun(RunId id) {
    return findRun(id).orElseThrow(() -> new NotFoundException("no run " + id));
  }
}
