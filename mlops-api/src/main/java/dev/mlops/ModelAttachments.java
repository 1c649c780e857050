package dev.mlops;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Documents stored next to a model version — a drift baseline, a bias or explanation report, a
 * model card: the bytes go into the content-addressed artifacts, and a tag on the version names
 * their digest. Linking again replaces the link (the registry's log keeps the history; earlier
 * documents stay stored under their digests), and every read is verified against the digest.
 *
 * <p>Immutable and thread-safe (stateless).
 */
public final class ModelAttachments {
  private ModelAttachments() {}

  /**
   * Stores {@code bytes} as an artifact and links it to the version under {@code tag}.
   *
   * @param workspace the workspace
   * @param model model name
   * @param version model version
   * @param tag the tag that holds the link, e.g. {@code mlops.baseline}
   * @param bytes the document
   * @param spec its media type and metadata
   * @return the stored artifact
   * @throws NotFoundException if the model version does not exist (nothing is stored or linked)
   * @throws StorageException if the store fails
   */
  public static ArtifactRef attach(Workspace workspace, String model, int version, String tag, byte[] bytes,
      ArtifactSpec spec) {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(spec, "spec");
    Names.requireValid("tag key", tag);
    workspace.registry().get(model, version);
    ArtifactRef ref = workspace.artifacts().put(bytes, spec);
    workspace.registry().update(model, version, Map.of(tag, ref.digest().toString()), Optional.empty());
    return ref;
  }

  /**
   * Reads the document linked to a version under {@code tag}, verified against its digest.
   *
   * @param workspace the workspace
   * @param model model name
   * @param version model version
   * @param tag the tag that holds the link
   * @return its bytes, or empty if the version has no such link
   * @throws NotFoundException if the model version does not exist, or the linked artifact is gone
   * @throws CorruptDataException if the link is not a digest or the stored bytes do not match it
   */
  public static Optional<byte[]> find(Workspace workspace, String model, int version, String tag) {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(tag, "tag");
    ModelVersion mv = workspace.registry().get(model, version);
    String link = mv.tags().get(tag);
    if (link == null || link.isEmpty()) {
      return Optional.empty();
    }
    Digest digest;
    try {
      digest = Digest.parse(link);
    } catch (IllegalArgumentException e) {
      throw new CorruptDataException("model version " + mv.ref() + " tag " + tag + " holds '" + link
          + "', which is not a digest", e);
    }
    return Optional.of(workspace.artifacts().read(digest));
  }
}
