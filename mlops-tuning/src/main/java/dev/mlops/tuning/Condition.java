package dev.mlops.tuning;

import dev.mlops.Names;
import java.util.Objects;
import java.util.Set;

/**
 * Makes a parameter of a {@link SearchSpace} exist only when another parameter, declared before
 * it, took one of some values (compared as displayed: the choice of a categorical, the decimal
 * form of an int).
 *
 * <p>Immutable and thread-safe.
 *
 * @param parent the parameter this one depends on
 * @param values the parent's values for which this parameter exists; not empty
 */
public record Condition(String parent, Set<String> values) {
  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if {@code values} is empty
   */
  public Condition {
    Names.requireValid("parameter name", parent);
    values = Set.copyOf(values);
    if (values.isEmpty()) {
      throw new IllegalArgumentException("condition on '" + parent + "': needs at least one value");
    }
  }

  /**
   * @param parent the parameter this one depends on
   * @param values the parent's values for which this parameter exists
   * @return the condition
   */
  public static Condition when(String parent, String... values) {
    Objects.requireNonNull(values, "values");
    return new Condition(parent, Set.of(values));
  }
}
