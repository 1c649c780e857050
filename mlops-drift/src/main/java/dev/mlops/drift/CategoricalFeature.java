package dev.mlops.drift;

import dev.mlops.Names;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Declares a categorical feature: its name and its known categories. A category is passed to the
 * fitter and the monitor as its code, the index into {@code categories}; a code outside
 * {@code [0, categories.size())} counts as an unknown category (the "other" bucket) and a
 * negative code as missing.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name feature name (follows {@link Names})
 * @param categories known category labels, distinct, at least one, copied
 */
public record CategoricalFeature(String name, List<String> categories) {

  /** @throws IllegalArgumentException if the name is invalid, categories are empty or repeated */
  public CategoricalFeature {
    Names.requireValid("feature name", name);
    categories = List.copyOf(categories);
    if (categories.isEmpty()) {
      throw new IllegalArgumentException("categorical feature '" + name + "' needs at least one category");
    }
    Set<String> seen = new HashSet<>();
    for (String c : categories) {
      if (!seen.add(c)) {
        throw new IllegalArgumentException(
            "categorical feature '" + name + "' lists category '" + c + "' twice");
      }
    }
  }

  /**
   * @param name feature name
   * @param categories known category labels
   * @return the declaration
   */
  public static CategoricalFeature of(String name, String... categories) {
    return new CategoricalFeature(name, List.of(categories));
  }
}
