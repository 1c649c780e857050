package dev.mlops.explain;

import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.ModelAttachments;
import dev.mlops.CorruptDataException;
import dev.mlops.NotFoundException;
import dev.mlops.Workspace;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Stores bias and explanation reports next to model versions, as {@code mlops-drift}'s
 * {@code Baselines} stores profiles: the report's JSON becomes a content-addressed artifact of the
 * workspace and a tag of the model version ({@value #BIAS_TAG} or {@value #EXPLANATION_TAG})
 * records its digest, so every process that resolves the version finds the same report. Saving
 * again replaces the link; the earlier report stays stored under its digest.
 *
 * <p>Thread-safe (stateless; the workspace is thread-safe).
 */
public final class ExplainReports {
  /** The model-version tag holding the bias report's digest ({@code sha256:<hex>}). */
  public static final String BIAS_TAG = "mlops.bias-report";
  /** The model-version tag holding the explanation report's digest. */
  public static final String EXPLANATION_TAG = "mlops.explanation-report";
  /** Media type of stored bias reports. */
  public static final String BIAS_MEDIA_TYPE = "application/vnd.mlops.bias-report+json";
  /** Media type of stored explanation reports. */
  public static final String EXPLANATION_MEDIA_TYPE = "application/vnd.mlops.explanation-report+json";

  private ExplainReports() {}

  /**
   * Stores a bias report and links it to the model version.
   *
   * @param workspace the workspace
   * @param model model name
   * @param version model version
   * @param report the report
   * @return the stored artifact
   * @throws NotFoundException if the model version does not exist (nothing is stored)
   * @throws dev.mlops.StorageException if the store fails
   */
  public static ArtifactRef saveBias(Workspace workspace, String model, int version, BiasReport report) {
    Objects.requireNonNull(report, "report");
    return save(workspace, model, version, report.toJson(), BIAS_MEDIA_TYPE, BIAS_TAG);
  }

  /**
   * Loads the bias report linked to a model version.
   *
   * @param workspace the workspace
   * @param model model name
   * @param version model version
   * @return the report, or empty if the version has none
   * @throws NotFoundException if the model version does not exist or its report artifact is gone
   * @throws CorruptDataException if the link or the stored report is damaged
   */
  public static Optional<BiasReport> findBias(Workspace workspace, String model, int version) {
    return find(workspace, model, version, BIAS_TAG, BiasReport::fromJson);
  }

  /**
   * Loads the bias report linked to a model version.
   *
   * @param workspace the workspace
   * @param model model name
   * @param version model version
   * @return the report
   * @throws NotFoundException if the model version does not exist or has no bias report
   * @throws CorruptDataException if the link or the stored report is damaged
   */
  public static BiasReport loadBias(Workspace workspace, String model, int version) {
    return findBias(workspace, model, version).orElseThrow(() -> missing(model, version, BIAS_TAG, "saveBias"));
  }

  /**
   * Stores an explanation report and links it to the model version.
   *
   * @param workspace the workspace
   * @param model model name
   * @param version model version
   * @param report the report
   * @return the stored artifact
   * @throws NotFoundException if the model version does not exist (nothing is stored)
   * @throws dev.mlops.StorageException if the store fails
   */
  public static ArtifactRef saveExplanation(Workspace workspace, String model, int version, ExplanationReport report) {
    Objects.requireNonNull(report, "report");
    return save(workspace, model, version, report.toJson(), EXPLANATION_MEDIA_TYPE, EXPLANATION_TAG);
  }

  /**
   * Loads the explanation report linked to a model version.
   *
   * @param workspace the workspace
   * @param model model name
   * @param version model version
   * @return the report, or empty if the version has none
   * @throws NotFoundException if the model version does not exist or its report artifact is gone
   * @throws CorruptDataException if the link or the stored report is damaged
   */
  public static Optional<ExplanationReport> findExplanation(Workspace workspace, String model, int version) {
    return find(workspace, model, version, EXPLANATION_TAG, ExplanationReport::fromJson);
  }

  /**
   * Loads the explanation report linked to a model version.
   *
   * @param workspace the workspace
   * @param model model name
   * @param version model version
   * @return the report
   * @throws NotFoundException if the model version does not exist or has no explanation report
   * @throws CorruptDataException if the link or the stored report is damaged
   */
  public static ExplanationReport loadExplanation(Workspace workspace, String model, int version) {
    return findExplanation(workspace, model, version)
        .orElseThrow(() -> missing(model, version, EXPLANATION_TAG, "saveExplanation"));
  }

  private static ArtifactRef save(Workspace workspace, String model, int version, byte[] json, String mediaType, String tag) {
    return ModelAttachments.attach(workspace, model, version, tag, json,
        new ArtifactSpec(mediaType, Map.of("format-version", Integer.toString(ReportJson.FORMAT_VERSION))));
  }

  private static <T> Optional<T> find(Workspace workspace, String model, int version, String tag, Function<byte[], T> parse) {
    return ModelAttachments.find(workspace, model, version, tag).map(parse);
  }

  private static NotFoundException missing(String model, int version, String tag, String save) {
    return new NotFoundException("model version " + model + "/" + version + " has no report (no tag " + tag
        + "); store one with ExplainReports." + save);
  }
}
