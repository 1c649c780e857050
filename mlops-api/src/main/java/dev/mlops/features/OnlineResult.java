package dev.mlops.features;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The features of one entity as looked up online, in the order they were asked for.
 *
 * <p>Immutable and thread-safe.
 *
 * @param entityKey the entity's key
 * @param values one per requested feature, in request order
 */
public record OnlineResult(String entityKey, List<FeatureValue> values) {
  /** Validates and copies. */
  public OnlineResult {
    Objects.requireNonNull(entityKey, "entityKey");
    values = List.copyOf(values);
  }

  /**
   * @param ref a requested feature
   * @return its value, or empty if it was not requested
   */
  public Optional<FeatureValue> find(FeatureRef ref) {
    for (FeatureValue v : values) {
      if (v.ref().equals(ref)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  /**
   * @param ref a requested feature, {@code view:feature}
   * @return its value
   * @throws IllegalArgumentException if it was not requested
   */
  public FeatureValue get(String ref) {
    // Compared as text first: parsing builds and validates a FeatureRef (a regular expression per
    // name), which costs more than the lookup that produced this result.
    for (FeatureValue v : values) {
      FeatureRef r = v.ref();
      int colon = r.view().length();
      if (ref.length() == colon + 1 + r.feature().length() && ref.charAt(colon) == ':' && ref.startsWith(r.view())
          && ref.endsWith(r.feature())) {
        return v;
      }
    }
    FeatureRef r = FeatureRef.parse(ref);
    return find(r).orElseThrow(() -> new IllegalArgumentException("feature " + ref + " was not requested; requested: "
        + values.stream().map(v -> v.ref().toString()).toList()));
  }
}
