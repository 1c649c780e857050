package dev.mlops;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of a run's recorded state.
 *
 * <p>Immutable and thread-safe.
 *
 * @param id run id
 * @param experiment experiment name
 * @param name human-readable run name
 * @param status lifecycle state
 * @param startedAt start time
 * @param endedAt end time, once ended
 * @param params write-once parameters
 * @param tags tags (mutable over the run's life)
 * @param latestMetrics the last logged value of each metric (highest step, then latest time)
 * @param inputs datasets consumed
 * @param artifacts artifacts logged, by name
 * @param provenance where it ran
 * @param statusReason why the run ended as it did, when recorded (for a run ended by
 *     {@link Run#fail(Throwable)} or {@link Experiments#run}: the exception's class and message)
 */
public record RunInfo(
    RunId id,
    String experiment,
    String name,
    RunStatus status,
    Instant startedAt,
    Optional<Instant> endedAt,
    Map<String, String> params,
    Map<String, String> tags,
    Map<String, Double> latestMetrics,
    List<DatasetInput> inputs,
    Map<String, ArtifactRef> artifacts,
    Provenance provenance,
    Optional<String> statusReason) {

  /** Validates and copies. */
  public RunInfo {
    Objects.requireNonNull(id, "id");
    Names.requireValid("experiment name", experiment);
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(endedAt, "endedAt");
    params = Map.copyOf(params);
    tags = Map.copyOf(tags);
    latestMetrics = Map.copyOf(latestMetrics);
    inputs = List.copyOf(inputs);
    artifacts = Map.copyOf(artifacts);
    Objects.requireNonNull(provenance, "provenance");
    Objects.requireNonNull(statusReason, "statusReason");
  }

  /**
   * A snapshot without a status reason.
   *
   * @see #RunInfo(RunId, String, String, RunStatus, Instant, Optional, Map, Map, Map, List, Map, Provenance, Optional)
   */
  public RunInfo(RunId id, String experiment, String name, RunStatus status, Instant startedAt,
      Optional<Instant> endedAt, Map<String, String> params, Map<String, String> tags,
      Map<String, Double> latestMetrics, List<DatasetInput> inputs, Map<String, ArtifactRef> artifacts,
      Provenance provenance) {
    this(id, experiment, name, status, startedAt, endedAt, params, tags, latestMetrics, inputs, artifacts,
        provenance, Optional.empty());
  }
}
