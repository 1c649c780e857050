package dev.mlops.features;

import dev.mlops.Names;

/**
 * A reference to one feature of a view, written {@code view:feature}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param view the view's name
 * @param feature the feature's name
 */
public record FeatureRef(String view, String feature) {
  /**
   * Validates.
   *
   * @throws IllegalArgumentException naming the value if a name is invalid
   */
  public FeatureRef {
    Names.requireValid("feature view name", view);
    Names.requireValid("feature name", feature);
  }

  /**
   * Parses {@code view:feature}.
   *
   * @param ref the text
   * @return the reference
   * @throws IllegalArgumentException naming the text if it is not {@code view:feature}
   */
  public static FeatureRef parse(String ref) {
    if (ref == null) {
      throw new NullPointerException("ref");
    }
    int colon = ref.indexOf(':');
    if (colon < 0 || colon != ref.lastIndexOf(':')) {
      throw new IllegalArgumentException("feature reference '" + ref + "' is invalid: expected 'view:feature'");
    }
    return new FeatureRef(ref.substring(0, colon), ref.substring(colon + 1));
  }

  /** @return {@code view:feature} */
  @Override
  public String toString() {
    return view + ":" + feature;
  }
}
