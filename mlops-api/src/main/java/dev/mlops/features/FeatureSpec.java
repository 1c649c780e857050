package dev.mlops.features;

import dev.mlops.Names;
import java.util.Objects;

/**
 * One typed feature of a {@link FeatureView}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the feature's name ({@link Names} rule), unique within its view
 * @param type the type of its values
 * @param description free text, may be empty
 */
public record FeatureSpec(String name, FeatureType type, String description) {
  /**
   * Validates.
   *
   * @throws IllegalArgumentException naming the value if the name is invalid
   */
  public FeatureSpec {
    Names.requireValid("feature name", name);
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(description, "description");
  }

  /**
   * @param name the feature's name
   * @param type its type
   * @return a feature without description
   */
  public static FeatureSpec of(String name, FeatureType type) {
    return new FeatureSpec(name, type, "");
  }
}
