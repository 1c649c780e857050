package dev.mlops;

import java.util.Map;

/**
 * A live run: the handle training code logs through. Metrics are buffered and written in segments
 * off the caller's thread; {@link #flush()} waits until everything logged so far is stored.
 * Closing a run that is still running finishes it.
 *
 * <p>Names (params, tags, metrics, artifacts, datasets) follow {@link Names}; a bad name is an
 * {@link IllegalArgumentException} naming it, and nothing is stored.
 *
 * <p>Thread-safe.
 */
public interface Run extends AutoCloseable {

  /** @return the run's id */
  RunId id();

  /**
   * Records a parameter. Params are write-once: logging the same value again is a no-op.
   *
   * @throws AlreadyExistsException if the key already has a different value
   * @throws ConflictException if the run has ended
   */
  void logParam(String key, String value);

  /**
   * Sets a tag (last write wins).
   *
   * @throws ConflictException if the run has ended
   */
  void setTag(String key, String value);

  /**
   * Logs one metric point with an explicit step. Does not wait for storage: the point is buffered
   * and written in the background. Memory is bounded, so if the background writer has fallen
   * several segments behind (a slow or failing store), this call waits until it catches up.
   * Values are stored as given (NaN and infinities included).
   *
   * @throws ConflictException if the run has ended
   * @throws StorageException if the store keeps failing while the buffer is full (the point is not logged)
   */
  void logMetric(String key, double value, long step);

  /**
   * Records a dataset input.
   *
   * @throws ConflictException if the run has ended
   */
  void logInput(DatasetInput input);

  /**
   * Attaches stored content to the run under a name.
   *
   * @throws ConflictException if the run has ended
   */
  void logArtifact(String name, ArtifactRef ref);

  /**
   * Blocks until every metric logged so far is stored.
   *
   * @throws StorageException if the store failed to take buffered points after retries; the points
   *     are kept and the next flush tries again
   */
  void flush();

  /**
   * Ends the run in a terminal status, after flushing metrics.
   *
   * @param status FINISHED, FAILED or KILLED
   * @throws ConflictException if it already ended in another status
   * @throws StorageException if buffered metrics cannot be stored (see {@link #flush()}); the run
   *     is not ended
   */
  void end(RunStatus status);

  /** @return the run's state as stored (after a flush) */
  RunInfo info();

  /** Logs every entry of params. */
  default void logParams(Map<String, String> params) {
    params.forEach(this::logParam);
  }

  /** Logs a metric point at step 0; use the explicit-step overload for series. */
  default void logMetric(String key, double value) {
    logMetric(key, value, 0);
  }

  /** Ends the run as FINISHED if it is still running. */
  @Override
  default void close() {
    if (info().status() == RunStatus.RUNNING) {
      end(RunStatus.FINISHED);
    }
  }
}
