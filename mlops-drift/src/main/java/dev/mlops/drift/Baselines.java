package dev.mlops.drift;

import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.ModelAttachments;
import dev.mlops.CorruptDataException;
import dev.mlops.NotFoundException;
import dev.mlops.Workspace;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Stores baseline profiles next to model versions: the profile's bytes become a content-addressed
 * artifact of the workspace and the version's tag {@value #TAG} records its digest, so every
 * process that resolves the model version finds the same baseline.
 *
 * <p>Thread-safe (stateless; the workspace is thread-safe).
 */
public final class Baselines {
  /** The model-version tag holding the baseline's digest ({@code sha256:<hex>}). */
  public static final String TAG = "mlops.baseline";
  /** Media type of stored profiles. */
  public static final String MEDIA_TYPE = "application/vnd.mlops.baseline-profile";

  private Baselines() {}

  /**
   * Stores the profile as an artifact and links it to the model version (replacing any earlier
   * link; the earlier profile stays stored under its digest).
   *
   * @param workspace the workspace
   * @param model model name
   * @param version model version
   * @param profile the baseline
   * @return the stored artifact
   * @throws NotFoundException if the model version does not exist (nothing is linked)
   * @throws dev.mlops.StorageException if the store fails
   */
  public static ArtifactRef save(Workspace workspace, String model, int version, BaselineProfile profile) {
    Objects.requireNonNull(profile, "profile");
    return ModelAttachments.attach(workspace, model, version, TAG, profile.toBytes(),
        new ArtifactSpec(MEDIA_TYPE, Map.of("format-version", Integer.toString(BaselineProfileCodec.FORMAT_VERSION))));
  }

  /**
   * Loads the baseline linked to a model version.
   *
   * @param workspace the workspace
   * @param model model name
   * @param version model version
   * @return the profile, or empty if the version has no baseline
   * @throws NotFoundException if the model version does not exist, or its baseline artifact is gone
   * @throws CorruptDataException if the link or the stored profile is damaged
   */
  public static Optional<BaselineProfile> find(Workspace workspace, String model, int version) {
    return ModelAttachments.find(workspace, model, version, TAG).map(BaselineProfile::fromBytes);
  }

  /**
   * Loads the baseline linked to a model version.
   *
   * @param workspace the workspace
   * @param model model name
   * @param version model version
   * @return the profile
   * @throws NotFoundException if the model version does not exist or has no baseline
   * @throws CorruptDataException if the link or the stored profile is damaged
   */
  public static BaselineProfile load(Workspace workspace, String model, int version) {
    return find(workspace, model, version).orElseThrow(() -> new NotFoundException(
        "model version " + model + "/" + version + " has no baseline (no tag " + TAG + "); save one with Baselines.save"));
  }
}
