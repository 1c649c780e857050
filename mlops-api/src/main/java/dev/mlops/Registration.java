package dev.mlops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What to record when registering a new model version. Build with {@link #builder()}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param artifacts files of the version, by path name (e.g. {@code model/weights.onnx}; see
 *     {@link Names#requireValidPath})
 * @param lineage where it came from
 * @param description free text
 * @param tags user tags (keys follow {@link Names})
 */
public record Registration(
    Map<String, ArtifactRef> artifacts, Lineage lineage, String description, Map<String, String> tags) {

  /** Validates and copies. */
  public Registration {
    artifacts = Map.copyOf(artifacts);
    artifacts.keySet().forEach(k -> Names.requireValidPath("artifact name", k));
    Objects.requireNonNull(lineage, "lineage");
    Objects.requireNonNull(description, "description");
    tags = Map.copyOf(tags);
    tags.keySet().forEach(k -> Names.requireValid("tag key", k));
  }

  /** @return a new builder */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link Registration}. Not thread-safe; confine to one thread. */
  public static final class Builder {
    private final Map<String, ArtifactRef> artifacts = new LinkedHashMap<>();
    private final List<Digest> datasets = new ArrayList<>();
    private final Map<String, String> tags = new LinkedHashMap<>();
    private Optional<RunId> run = Optional.empty();
    private Optional<Integer> parent = Optional.empty();
    private String description = "";

    private Builder() {}

    /**
     * @param name the file's path name within the version, e.g. {@code model.onnx} or
     *     {@code model/weights.onnx} (see {@link Names#requireValidPath})
     * @param ref the stored content
     * @return this
     * @throws IllegalArgumentException naming the value and the rule if name is invalid
     */
    public Builder artifact(String name, ArtifactRef ref) {
      artifacts.put(Names.requireValidPath("artifact name", name), Objects.requireNonNull(ref, "ref"));
      return this;
    }

    /** @param run the training run @return this */
    public Builder trainingRun(RunId run) {
      this.run = Optional.of(Objects.requireNonNull(run, "run"));
      return this;
    }

    /** @param dataset digest of a dataset used @return this */
    public Builder dataset(Digest dataset) {
      datasets.add(Objects.requireNonNull(dataset, "dataset"));
      return this;
    }

    /** @param version the version this one derives from @return this */
    public Builder parentVersion(int version) {
      if (version < 1) {
        throw new IllegalArgumentException("parentVersion must be >= 1, got " + version);
      }
      this.parent = Optional.of(version);
      return this;
    }

    /** @param description free text @return this */
    public Builder description(String description) {
      this.description = Objects.requireNonNull(description, "description");
      return this;
    }

    /** @param key tag key @param value tag value @return this */
    public Builder tag(String key, String value) {
      tags.put(Names.requireValid("tag key", key), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** @return the registration */
    public Registration build() {
      return new Registration(artifacts, new Lineage(run, datasets, parent), description, tags);
    }
  }
}
