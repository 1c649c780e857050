package dev.mlops.data;

import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.NotFoundException;
import dev.mlops.Workspace;
import java.util.Map;
import java.util.Objects;

/**
 * The data-quality step a pipeline calls: verify a batch, store the violations report as an
 * artifact of the workspace, and say whether the batch passed. Plain functions, no dependency on
 * the pipeline engine.
 *
 * <pre>{@code
 * DataQualityCheck.Result r = DataQualityCheck.run(ws, Records.csv(batch), constraints);
 * if (!r.passed()) throw new IllegalStateException(r.report().errors().toString());
 * }</pre>
 *
 * <p>Thread-safe (stateless).
 */
public final class DataQualityCheck {
  private DataQualityCheck() {}

  /**
   * The outcome of a check.
   *
   * <p>Immutable and thread-safe.
   *
   * @param report the violations (and the batch's statistics)
   * @param stored the violations report as stored in the workspace's artifacts
   */
  public record Result(ValidationReport report, ArtifactRef stored) {
    /** Validates. */
    public Result {
      Objects.requireNonNull(report, "report");
      Objects.requireNonNull(stored, "stored");
    }

    /** @return whether the batch has no ERROR violation */
    public boolean passed() {
      return report.passed();
    }
  }

  /**
   * Verifies a batch against constraints (without baseline-drift checks) and stores the report.
   *
   * @param workspace the workspace the report is stored in
   * @param data the batch
   * @param constraints the constraints
   * @return the report and its artifact
   * @throws IllegalArgumentException if a constraint needs a baseline
   * @throws MalformedDataException if the data cannot be read
   */
  public static Result run(Workspace workspace, Records data, Constraints constraints) {
    Objects.requireNonNull(workspace, "workspace");
    return store(workspace, DataValidator.verify(data, constraints));
  }

  /**
   * Verifies a batch against the constraints and baseline statistics stored next to a model version
   * ({@link DataQualityStore}), and stores the report.
   *
   * @param workspace the workspace
   * @param model model name
   * @param version model version
   * @param data the batch
   * @return the report and its artifact
   * @throws NotFoundException if the version does not exist or has no stored constraints, or has
   *     baseline-drift constraints but no stored statistics
   * @throws dev.mlops.CorruptDataException if a stored document is damaged
   * @throws MalformedDataException if the data cannot be read
   */
  public static Result run(Workspace workspace, String model, int version, Records data) {
    Objects.requireNonNull(workspace, "workspace");
    Constraints constraints = DataQualityStore.findConstraints(workspace, model, version, Map.of())
        .orElseThrow(() -> new NotFoundException("model version " + model + "/" + version + " has no stored constraints (tag "
            + DataQualityStore.CONSTRAINTS_TAG + "); save them with DataQualityStore.save"));
    boolean drift = constraints.constraints().stream().anyMatch(c -> c instanceof Constraint.BaselineDrift);
    ValidationReport report;
    if (drift) {
      DatasetStatistics baseline = DataQualityStore.findStatistics(workspace, model, version)
          .orElseThrow(() -> new NotFoundException("model version " + model + "/" + version + " has baseline-drift "
              + "constraints but no stored statistics (tag " + DataQualityStore.STATISTICS_TAG + ")"));
      report = DataValidator.verify(data, constraints, baseline);
    } else {
      report = DataValidator.verify(data, constraints);
    }
    return store(workspace, report);
  }

  private static Result store(Workspace workspace, ValidationReport report) {
    ArtifactRef ref = workspace.artifacts().put(report.toJson(), new ArtifactSpec(DataQualityStore.VIOLATIONS_MEDIA_TYPE,
        Map.of("format-version", Integer.toString(ValidationReport.FORMAT_VERSION), "passed",
            Boolean.toString(report.passed()))));
    return new Result(report, ref);
  }
}
