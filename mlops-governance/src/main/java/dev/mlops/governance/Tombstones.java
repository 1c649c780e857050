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

  /** Prefix of run tombstone markers: {@code gc/tombstones/runs/<run id>}. */
  static final String RUN_MARKERS = "gc/tombstones/runs/";

  /**
   * Tombstones a run. A run's log refuses changes once it has ended, so the tombstone is an entry
   * {@code TOMBSTONE_RUN} (actor, reason) in the hash-chained {@code gc/log} plus a marker
   * {@code gc/tombstones/runs/<id>}; the run stays listed with its history intact, and the
   * {@link GarbageCollector} no longer counts its artifacts.
   *
   * @param workspace the workspace
   * @param run the run
   * @param actor who deletes it
   * @param reason why; not blank
   * @throws dev.mlops.NotFoundException if there is no such run
   */
  public static void deleteRun(Workspace workspace, dev.mlops.RunId run, String actor, String reason) {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(reason, "reason");
    if (reason.isBlank()) {
      throw new IllegalArgumentException("a tombstone needs a reason");
    }
    workspace.experiments().getRun(run);
    dev.mlops.spi.ObjectStore store = AuditExport.storeOf(workspace);
    com.fasterxml.jackson.databind.node.ObjectNode b = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
    b.put("type", "TOMBSTONE_RUN");
    b.put("actor", actor);
    b.put("at", ((dev.mlops.core.CoreWorkspace) workspace).options().clock().instant().toString());
    b.put("commit", java.util.UUID.randomUUID().toString());
    b.put("run", run.value());
    b.put("reason", reason);
    GarbageCollector.append(store, b);
    try {
      store.create(RUN_MARKERS + run.value(), reason.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (dev.mlops.AlreadyExistsException already) {
      // tombstoned before; the log records both
    }
  }

  /**
   * @param workspace the workspace
   * @param run a run
   * @return whether it is tombstoned
   */
  public static boolean isDeleted(Workspace workspace, dev.mlops.RunId run) {
    return AuditExport.storeOf(workspace).get(RUN_MARKERS + run.value()).isPresent();
  }

  /**
   * @param v a version
   * @return whether it is tombstoned
   */
  public static boolean isDeleted(ModelVersion v) {
    return v.tags().containsKey(TAG);
  }
}
