package dev.mlops.features;

import dev.mlops.Names;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The definition of a group of features of one entity that are written and read together, with
 * one event time and one time-to-live. Applying a definition that differs from the current one
 * creates a new version of the view; applying an identical one changes nothing.
 *
 * <p>TTL: a row with event time {@code e} is visible at time {@code t} when {@code e <= t} and,
 * if {@code ttl} is not zero, {@code e >= t - ttl}. Zero means rows never expire. The same rule
 * applies to online lookups and to training sets.
 *
 * <p>Online retention: every version of an entity's online row is kept unless {@code
 * onlineRetention} is set. With it set, a row superseded by a newer row of the same entity whose
 * event time lies more than {@code onlineRetention} in the past may be deleted by a collector
 * (mlops-governance's {@code GarbageCollector}); the newest row of an entity is never deleted, and
 * offline segments (which training sets read) are never touched. An online read whose time lies
 * before the horizon of a sweep that deleted rows fails with {@link RetentionHorizonException}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the view's name ({@link Names} rule)
 * @param entity the name of the {@link Entity} the rows describe
 * @param features the features, at least one, unique names, in a fixed order
 * @param ttl how long a row stays usable after its event time; {@link Duration#ZERO} for ever
 * @param owner who answers for the view (a team, a person), may be empty
 * @param description free text, may be empty
 * @param tags free key/value labels
 * @param onlineRetention how long a superseded online row is kept, counted from the event time of
 *     the row that superseded it; {@link Duration#ZERO} (the default) keeps every row
 */
public record FeatureView(String name, String entity, List<FeatureSpec> features, Duration ttl, String owner,
    String description, Map<String, String> tags, Duration onlineRetention) {

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException naming the value if a name is invalid, a feature name is
   *     repeated, no feature is given or the TTL or the online retention is negative
   */
  public FeatureView {
    Names.requireValid("feature view name", name);
    Names.requireValid("entity name", entity);
    features = List.copyOf(features);
    if (features.isEmpty()) {
      throw new IllegalArgumentException("feature view '" + name + "' has no features");
    }
    Set<String> seen = new HashSet<>();
    for (FeatureSpec f : features) {
      if (!seen.add(f.name())) {
        throw new IllegalArgumentException("feature view '" + name + "' has feature '" + f.name() + "' twice");
      }
    }
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative()) {
      throw new IllegalArgumentException("feature view '" + name + "' has a negative ttl " + ttl
          + "; use a positive duration, or Duration.ZERO for no expiry");
    }
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(description, "description");
    for (Map.Entry<String, String> e : tags.entrySet()) {
      Names.requireValid("tag key", e.getKey());
      Objects.requireNonNull(e.getValue(), "tag value of " + e.getKey());
    }
    tags = Map.copyOf(new TreeMap<>(tags));
    Objects.requireNonNull(onlineRetention, "onlineRetention");
    if (onlineRetention.isNegative()) {
      throw new IllegalArgumentException("feature view '" + name + "' has a negative online retention "
          + onlineRetention + "; use a positive duration, or Duration.ZERO to keep every row");
    }
  }

  /**
   * A definition that keeps every online row (no {@code onlineRetention}), as before the setting existed.
   *
   * @param name the view's name
   * @param entity the entity's name
   * @param features the features
   * @param ttl the time-to-live
   * @param owner the owner
   * @param description free text
   * @param tags labels
   * @throws IllegalArgumentException as the canonical constructor
   */
  public FeatureView(String name, String entity, List<FeatureSpec> features, Duration ttl, String owner,
      String description, Map<String, String> tags) {
    this(name, entity, features, ttl, owner, description, tags, Duration.ZERO);
  }

  /**
   * @param name the view's name
   * @param entity the entity's name
   * @return a builder
   */
  public static Builder builder(String name, String entity) {
    return new Builder(name, entity);
  }

  /**
   * @param feature a feature name
   * @return its spec, or empty if the view has no such feature
   */
  public Optional<FeatureSpec> feature(String feature) {
    for (FeatureSpec f : features) {
      if (f.name().equals(feature)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether rows written under {@code other} can be read under this definition: same entity and
   * the same features, names and types, in the same order. TTL, online retention and metadata may differ.
   *
   * @param other another definition
   * @return whether the stored shape is the same
   */
  public boolean sameSchema(FeatureView other) {
    if (!entity.equals(other.entity) || features.size() != other.features.size()) {
      return false;
    }
    for (int i = 0; i < features.size(); i++) {
      FeatureSpec a = features.get(i);
      FeatureSpec b = other.features.get(i);
      if (!a.name().equals(b.name()) || a.type() != b.type()) {
        return false;
      }
    }
    return true;
  }

  /** Builds a {@link FeatureView}. Not thread-safe; confine to one thread. */
  public static final class Builder {
    private final String name;
    private final String entity;
    private final java.util.ArrayList<FeatureSpec> features = new java.util.ArrayList<>();
    private Duration ttl = Duration.ZERO;
    private String owner = "";
    private String description = "";
    private final Map<String, String> tags = new TreeMap<>();
    private Duration onlineRetention = Duration.ZERO;

    private Builder(String name, String entity) {
      this.name = name;
      this.entity = entity;
    }

    /** @param name feature name @param type its type @return this */
    public Builder feature(String name, FeatureType type) {
      features.add(FeatureSpec.of(name, type));
      return this;
    }

    /** @param spec a feature @return this */
    public Builder feature(FeatureSpec spec) {
      features.add(Objects.requireNonNull(spec, "spec"));
      return this;
    }

    /** @param ttl time-to-live, {@link Duration#ZERO} for none (the default) @return this */
    public Builder ttl(Duration ttl) {
      this.ttl = Objects.requireNonNull(ttl, "ttl");
      return this;
    }

    /**
     * @param retention how long a superseded online row is kept after the event time of the row
     *     that superseded it; {@link Duration#ZERO} keeps every row (the default)
     * @return this
     */
    public Builder onlineRetention(Duration retention) {
      this.onlineRetention = Objects.requireNonNull(retention, "retention");
      return this;
    }

    /** @param owner the owner @return this */
    public Builder owner(String owner) {
      this.owner = Objects.requireNonNull(owner, "owner");
      return this;
    }

    /** @param description free text @return this */
    public Builder description(String description) {
      this.description = Objects.requireNonNull(description, "description");
      return this;
    }

    /** @param key tag key @param value tag value @return this */
    public Builder tag(String key, String value) {
      tags.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * @return the definition
     * @throws IllegalArgumentException as {@link FeatureView#FeatureView}
     */
    public FeatureView build() {
      return new FeatureView(name, entity, features, ttl, owner, description, tags, onlineRetention);
    }
  }
}
