package dev.mlops.pipeline;

import java.util.Map;

/**
 * Starts executions of one pipeline: what a retrain trigger ({@code dev.mlops.pipeline.trigger})
 * fires, and what the pipeline engine implements for each pipeline it runs.
 *
 * <p>Implementations are thread-safe.
 */
public interface PipelineLauncher {
  /**
   * @return the name of the pipeline this launcher starts
   */
  String pipelineName();

  /**
   * Counts the executions of this pipeline that have started and not yet finished, as seen in
   * the store (so executions started by other processes count too).
   *
   * @return the number of running executions
   */
  int runningExecutions();

  /**
   * Starts an execution.
   *
   * @param parameters the execution's parameters
   * @param cause why it starts (a trigger's description), recorded with the execution
   * @return the new execution's id
   */
  String start(Map<String, String> parameters, String cause);
}
