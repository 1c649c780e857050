package dev.mlops.drift;

import java.util.Objects;

/**
 * One named value a {@link WindowCheck} judged, with the threshold it was judged against — for
 * example a bias metric's shift from its baseline against a tolerance, or an nDCG against 0.9.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name what the value is, e.g. {@code "DPPL shift"} or {@code "attribution nDCG"}
 * @param value the window's value; NaN when it could not be computed
 * @param threshold the limit it was judged against; NaN when it has none. Which side of it is a
 *     breach depends on the value (an nDCG breaches below, a shift above); {@code breached} says
 * @param breached whether the value crossed its threshold (false for a NaN value)
 */
public record CheckValue(String name, double value, double threshold, boolean breached) {
  /** @throws IllegalArgumentException if the name is blank or a NaN value is marked breached */
  public CheckValue {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("check value name must not be blank");
    }
    if (breached && Double.isNaN(value)) {
      throw new IllegalArgumentException("value '" + name + "' is NaN and cannot be breached");
    }
  }
}
