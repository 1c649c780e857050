package dev.mlops;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One registered version of a model, as folded from the model's log.
 *
 * <p>Immutable and thread-safe.
 *
 * @param model model name
 * @param version 1, 2, 3... allocated by the log without gaps
 * @param status approval status
 * @param approval the decision, once made
 * @param artifacts the files that make up the version, by name
 * @param lineage where it came from
 * @param description free text
 * @param tags user tags
 * @param aliases aliases currently pointing here
 * @param createdAt registration time
 * @param createdBy who registered it
 */
public record ModelVersion(
    String model,
    int version,
    ApprovalStatus status,
    Optional<Approval> approval,
    Map<String, ArtifactRef> artifacts,
    Lineage lineage,
    String description,
    Map<String, String> tags,
    Set<String> aliases,
    Instant createdAt,
    String createdBy) {

  /** Validates and copies. */
  public ModelVersion {
    Names.requireValid("model name", model);
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1, got " + version);
    }
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(approval, "approval");
    artifacts = Map.copyOf(artifacts);
    Objects.requireNonNull(lineage, "lineage");
    Objects.requireNonNull(description, "description");
    tags = Map.copyOf(tags);
    aliases = Set.copyOf(aliases);
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(createdBy, "createdBy");
  }

  /** @return {@code name/version}, a reference that {@link ModelRegistry#resolve} accepts */
  public String ref() {
    return model + "/" + version;
  }

  /** @return artifact refs in name order */
  public List<ArtifactRef> artifactList() {
    return artifacts.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(Map.Entry::getValue)
        .toList();
  }
}
