package dev.mlops.ui;

import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.ModelAttachments;
import dev.mlops.ModelVersion;
import dev.mlops.Workspace;
import dev.mlops.drift.WindowSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Stored monitoring windows of a model version, so the UI can show drift reports: a
 * {@link WindowSnapshot}'s bytes become an artifact and the version's tag
 * {@code mlops.window.<end millis>.<8 hex of digest>} records its digest (the way
 * {@link dev.mlops.drift.Baselines} links a baseline). The UI re-evaluates each stored snapshot
 * against the version's baseline with the monitor's default thresholds.
 *
 * <p>Thread-safe (stateless; the workspace is thread-safe).
 */
public final class DriftWindows {
  /** Prefix of the model-version tags that link stored windows. */
  public static final String TAG_PREFIX = "mlops.window.";
  /** Media type of stored window snapshots. */
  public static final String MEDIA_TYPE = "application/vnd.mlops.window-snapshot";

  private DriftWindows() {}

  /**
   * Stores a closed window's snapshot (e.g. {@code monitor.lastReport().get().snapshot()}) and links
   * it to the model version.
   *
   * @param workspace the workspace
   * @param model model name
   * @param version model version (the one whose baseline the monitor used)
   * @param snapshot the window's counts
   * @return the stored artifact
   * @throws dev.mlops.NotFoundException if the model version does not exist
   */
  public static ArtifactRef save(Workspace workspace, String model, int version, WindowSnapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    byte[] bytes = snapshot.toBytes();
    String tag = TAG_PREFIX + snapshot.end().toEpochMilli() + "." + Digest.of(bytes).hex().substring(0, 8);
    return ModelAttachments.attach(workspace, model, version, tag, bytes, new ArtifactSpec(MEDIA_TYPE, Map.of()));
  }

  /**
   * Loads the stored windows of a model version, oldest first, at most {@code limit} (the newest).
   *
   * @param workspace the workspace
   * @param version the model version
   * @param limit most windows to load
   * @return the snapshots
   * @throws CorruptDataException naming the tag if a stored snapshot is damaged
   */
  public static List<WindowSnapshot> list(Workspace workspace, ModelVersion version, int limit) {
    List<String> tags = version.tags().keySet().stream().filter(k -> k.startsWith(TAG_PREFIX))
        .sorted(Comparator.comparingLong(DriftWindows::endMillis).thenComparing(Comparator.naturalOrder()))
        .toList();
    List<String> newest = tags.subList(Math.max(0, tags.size() - limit), tags.size());
    List<WindowSnapshot> out = new ArrayList<>();
    for (String tag : newest) {
      byte[] bytes = ModelAttachments.find(workspace, version.model(), version.version(), tag).orElseThrow();
      try {
        out.add(WindowSnapshot.fromBytes(bytes));
      } catch (CorruptDataException e) {
        throw new CorruptDataException("model version " + version.ref() + " tag " + tag + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static long endMillis(String tag) {
    String rest = tag.substring(TAG_PREFIX.length());
    int dot = rest.indexOf('.');
    try {
      return Long.parseLong(dot < 0 ? rest : rest.substring(0, dot));
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
