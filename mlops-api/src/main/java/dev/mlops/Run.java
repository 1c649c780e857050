package dev.mlops;

import java.util.Map;
import java.util.Objects;

/**
 * A live run: the handle training code logs through. Metrics are buffered and written in segments
 * off the caller's thread; {@link #flush()} waits until everything logged so far is stored.
 *
 * <p><b>Ending a run.</b> Prefer {@link Experiments#run(String, String, Experiments.RunBody)}: it
 * ends the run FINISHED when the body returns and FAILED (recording the exception) when it
 * throws. A run used in try-with-resources is ended by {@link #close()}, which cannot see an
 * exception thrown by the block: {@code close()} always means "FINISHED, unless already ended". Code
 * that manages the run itself must call {@link #fail(Throwable)} (or {@link #end(RunStatus, String)})
 * on failure before the run is closed.
 *
 * <p>Names (params, tags, metrics, datasets) follow {@link Names}; artifact names are path names
 * ({@code model/weights.onnx}, see {@link Names#requireValidPath}). A bad name is an
 * {@link IllegalArgumentException} naming it, and nothing is stored.
 *
 * <p>Thread-safe.
 */
public interface Run extends AutoCloseable {
  /** Longest status reason kept, in chars; longer reasons are cut. */
  int MAX_REASON_LENGTH = 4096;

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
   * Attaches stored content to the run under a path name such as {@code model/weights.onnx} or
   * {@code plots/roc.png} (see {@link Names#requireValidPath}).
   *
   * @throws IllegalArgumentException naming the value and the rule if the name is invalid
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
   * Ends the run in a terminal status, after flushing metrics, recording why. Ending again in the
   * same status is a no-op (the first reason stays).
   *
   * @param status FINISHED, FAILED or KILLED
   * @param reason why, free text (empty: none); at most {@value #MAX_REASON_LENGTH} chars are kept
   * @throws IllegalArgumentException if status is RUNNING
   * @throws ConflictException if it already ended in another status
   * @throws StorageException if buffered metrics cannot be stored (see {@link #flush()}); the run
   *     is not ended
   */
  void end(RunStatus status, String reason);

  /**
   * Ends the run in a terminal status, after flushing metrics, with no reason.
   *
   * @param status FINISHED, FAILED or KILLED
   * @throws IllegalArgumentException if status is RUNNING
   * @throws ConflictException if it already ended in another status
   * @throws StorageException if buffered metrics cannot be stored (see {@link #flush()}); the run
   *     is not ended
   */
  default void end(RunStatus status) {
    end(status, "");
  }

  /**
   * Ends the run FAILED, recording the cause's class and message as the status reason
   * ({@link RunInfo#statusReason()}), e.g. {@code java.lang.IllegalStateException: diverged}.
   *
   * @param cause what went wrong
   * @throws ConflictException if it already ended in another status
   * @throws StorageException if buffered metrics cannot be stored; the run is not ended
   */
  default void fail(Throwable cause) {
    Objects.requireNonNull(cause, "cause");
    String message = cause.getMessage();
    end(RunStatus.FAILED, cause.getClass().getName() + (message == null ? "" : ": " + message));
  }

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

  /**
   * Ends the run as FINISHED if it is still running; does nothing to an ended run. This cannot
   * tell whether the try-with-resources block that closes it threw: a run whose work failed must
   * be ended with {@link #fail(Throwable)} first, or run through
   * {@link Experiments#run(String, String, Experiments.RunBody)}, which does that.
   *
   * @throws StorageException if buffered metrics cannot be stored; the run is not ended
   */
  @Override
  default void close() {
    if (info().status() == RunStatus.RUNNING) {
      end(RunStatus.FINISHED);
    }
  }
}
