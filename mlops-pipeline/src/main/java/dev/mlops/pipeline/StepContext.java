package dev.mlops.pipeline;

import dev.mlops.Digest;
import dev.mlops.Run;
import dev.mlops.Workspace;
import java.util.Optional;

/**
 * What a running step sees: the execution's parameters, the outputs of the upstream steps it
 * declared it reads, its experiment run, and the methods that record its outputs. Only declared
 * outputs can be recorded, and every declared output must be recorded before the body returns.
 *
 * <p>Thread-safe.
 */
public interface StepContext {
  /** @return the step's name ({@code map[3]} for a map item) */
  String step();

  /** @return the execution's id */
  String executionId();

  /** @return the workspace the pipeline runs on */
  Workspace workspace();

  /**
   * @param name an execution parameter
   * @return its value
   * @throws IllegalArgumentException naming the parameter if the execution has none by that name
   */
  String parameter(String name);

  /**
   * @param ref an output this step declared it reads, as {@code step.output}
   * @return its recorded value
   * @throws IllegalArgumentException naming the reference if the step did not declare it
   */
  OutputValue input(String ref);

  /**
   * @param ref an artifact output this step reads
   * @return the artifact's bytes, verified against its digest
   */
  default byte[] inputBytes(String ref) {
    return workspace().artifacts().read(input(ref).digest());
  }

  /** @return for a map item, the item; empty otherwise */
  Optional<String> item();

  /** @return the experiment run that records this step execution */
  Run run();

  /**
   * The token an external system reports with {@link Pipelines#completeCallback}; only for a
   * callback step.
   *
   * @return the token
   * @throws IllegalStateException if this is not a callback step
   */
  String callbackToken();

  /**
   * Stores bytes as an artifact (content-addressed) and records it as an output and a run artifact.
   *
   * @param name a declared artifact output
   * @param bytes the content
   * @return its digest
   * @throws IllegalArgumentException naming the step and output if it was not declared as an artifact
   */
  Digest artifact(String name, byte[] bytes);

  /**
   * @param name a declared dataset output
   * @param digest the dataset's digest, also logged as a run input
   */
  void dataset(String name, Digest digest);

  /**
   * @param name a declared metric output, also logged as a run metric
   * @param value a finite number
   */
  void metric(String name, double value);

  /**
   * @param name a declared parameter output, handed to later steps
   * @param value the value
   */
  void output(String name, String value);
}
