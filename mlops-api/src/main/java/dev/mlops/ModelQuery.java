package dev.mlops;

import java.util.Objects;
import java.util.Optional;

/**
 * Filters for {@link ModelRegistry#search}. Every present filter must match. Build with
 * {@link #builder()}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param modelPrefix model names starting with this
 * @param status versions in this approval status
 * @param tagKey versions carrying this tag key
 * @param tagValue ...with this value (requires tagKey)
 * @param trainingRun versions trained by this run
 * @param dataset versions whose lineage includes this dataset digest
 */
public record ModelQuery(
    Optional<String> modelPrefix,
    Optional<ApprovalStatus> status,
    Optional<String> tagKey,
    Optional<String> tagValue,
    Optional<RunId> trainingRun,
    Optional<Digest> dataset) {

  /** Validates. */
  public ModelQuery {
    Objects.requireNonNull(modelPrefix, "modelPrefix");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(tagKey, "tagKey");
    Objects.requireNonNull(tagValue, "tagValue");
    Objects.requireNonNull(trainingRun, "trainingRun");
    Objects.requireNonNull(dataset, "dataset");
    if (tagValue.isPresent() && tagKey.isEmpty()) {
      throw new IllegalArgumentException("tagValue needs tagKey");
    }
  }

  /** @return a builder with no filters */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * @param v a model version
   * @return whether it matches every present filter
   */
  public boolean matches(ModelVersion v) {
    return modelPrefix.map(p -> v.model().startsWith(p)).orElse(true)
        && status.map(s -> v.status() == s).orElse(true)
        && tagKey.map(k -> v.tags().containsKey(k)
            && tagValue.map(val -> val.equals(v.tags().get(k))).orElse(true)).orElse(true)
        && trainingRun.map(r -> v.lineage().trainingRun().equals(Optional.of(r))).orElse(true)
        && dataset.map(d -> v.lineage().datasets().contains(d)).orElse(true);
  }

  /** Builds a {@link ModelQuery}. Not thread-safe; confine to one thread. */
  public static final class Builder {
    private Optional<String> modelPrefix = Optional.empty();
    private Optional<ApprovalStatus> status = Optional.empty();
    private Optional<String> tagKey = Optional.empty();
    private Optional<String> tagValue = Optional.empty();
    private Optional<RunId> run = Optional.empty();
    private Optional<Digest> dataset = Optional.empty();

    private Builder() {}

    /** @param prefix model name prefix @return this */
    public Builder modelPrefix(String prefix) {
      modelPrefix = Optional.of(prefix);
      return this;
    }

    /** @param s approval status @return this */
    public Builder status(ApprovalStatus s) {
      status = Optional.of(s);
      return this;
    }

    /** @param key tag key that must be present @return this */
    public Builder tag(String key) {
      tagKey = Optional.of(key);
      return this;
    }

    /** @param key tag key @param value required value @return this */
    public Builder tag(String key, String value) {
      tagKey = Optional.of(key);
      tagValue = Optional.of(value);
      return this;
    }

    /** @param r training run @return this */
    public Builder trainingRun(RunId r) {
      run = Optional.of(r);
      return this;
    }

    /** @param d dataset digest @return this */
    public Builder dataset(Digest d) {
      dataset = Optional.of(d);
      return this;
    }

    /** @return the query */
    public ModelQuery build() {
      return new ModelQuery(modelPrefix, status, tagKey, tagValue, run, dataset);
    }
  }
}
