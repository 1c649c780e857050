package dev.mlops;

import java.util.List;
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
