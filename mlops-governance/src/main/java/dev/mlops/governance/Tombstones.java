package dev.mlops.governance;

import dev.mlops.ConflictException;
import dev.mlops.ModelVersion;
import dev.mlops.Workspace;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Deleting a model version is a recorded tombstone, not a hole in the chain: an entry in the
 * model's log sets the tag {@link #TAG} (with the reason) on the version, which stays listed; the
 * {@link GarbageCollector} no longer counts its artifacts and attachments as referenced, so they
 * are collected after the grace period unless another version or run uses the same content.
 *
 * <p>Thread-safe (stateless).
 */
public final class Tombstones {
  /** The version tag that marks it deleted; its value is the reason. */
  public static final String TAG = "mlops.tombstone";

  private Tombstones() {}

  /**
   * @param workspace the workspace
   * @param model model name
   * @param version version to delete
   * @param reason why, recorded in the log; not blank
   * @return the version, tombstoned
   * @throws ConflictException if an alias points at it (move the alias first)
   * @throws dev.mlops.NotFoundException if it does not exist
   */
  public static ModelVersion deleteVersion(Workspace workspace, String model, int version, String reason) {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(reason, "reason");
    if (reason.isBlank()) {
      throw new IllegalArgumentException("a tombstone needs a reason");
    }
    ModelVersion v = workspace.registry().get(model, version);
    if (!v.aliases().isEmpty()) {
      throw new ConflictException("cannot delete " + v.ref() + " while aliases " + v.aliases() + " point at it");
    }
    return workspace.registry().update(model, version, Map.of(TAG, reason), Optional.empty());
  }

  /**
   * @param v a version
   * @return whether it is tombstoned
   */
  public static boolean isDeleted(ModelVersion v) {
    return v.tags().containsKey(TAG);
  }
}
