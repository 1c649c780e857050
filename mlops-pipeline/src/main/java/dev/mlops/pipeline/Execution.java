package dev.mlops.pipeline;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A handle on an execution driven by this process: its id and its outcome.
 *
 * <p>Thread-safe.
 */
public final class Execution {
  private final String id;
  private final String pipeline;
  private final CompletableFuture<ExecutionResult> done;

  Execution(String id, String pipeline, CompletableFuture<ExecutionResult> done) {
    this.id = id;
    this.pipeline = pipeline;
    this.done = done;
  }

  /** @return the execution id */
  public String id() {
    return id;
  }

  /** @return the pipeline name */
  public String pipeline() {
    return pipeline;
  }

  /** @return whether this process has stopped driving it (finished, or the driver failed) */
  public boolean isDone() {
    return done.isDone();
  }

  /**
   * Waits until the execution has finished.
   *
   * @return its final state
   * @throws IllegalStateException if the driver failed (e.g. the store failed); resume the execution later
   */
  public ExecutionResult await() {
    try {
      return done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for execution " + id, e);
    } catch (ExecutionException e) {
      throw driverFailed(e);
    }
  }

  /**
   * @param timeout the longest wait
   * @return its final state
   * @throws IllegalStateException if it did not finish in time or the driver failed
   */
  public ExecutionResult await(Duration timeout) {
    try {
      return done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for execution " + id, e);
    } catch (ExecutionException e) {
      throw driverFailed(e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("execution " + id + " did not finish within " + timeout);
    }
  }

  private IllegalStateException driverFailed(ExecutionException e) {
    Throwable c = e.getCause();
    if (c instanceof RuntimeException r && !(c instanceof IllegalStateException)) {
      throw r;
    }
    return new IllegalStateException("driving execution " + id + " of pipeline '" + pipeline + "' failed: " + c, c);
  }

  @Override
  public String toString() {
    return "execution " + id + " of pipeline '" + pipeline + "'";
  }
}
