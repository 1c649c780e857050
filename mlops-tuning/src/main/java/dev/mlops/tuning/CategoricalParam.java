package dev.mlops.tuning;

import dev.mlops.Names;
import java.util.HashSet;
import java.util.List;

/**
 * A parameter that takes one of a list of string choices; its internal value is the choice's
 * index.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the parameter name
 * @param choices the choices, at least one, no duplicates
 */
public record CategoricalParam(String name, List<String> choices) implements Param {
  /**
   * Validates and copies the choices.
   *
   * @throws IllegalArgumentException naming the parameter if there are no choices or a duplicate
   */
  public CategoricalParam {
    Names.requireValid("parameter name", name);
    choices = List.copyOf(choices);
    if (choices.isEmpty()) {
      throw new IllegalArgumentException("parameter '" + name + "': a categorical needs at least one choice, got "
          + choices);
    }
    if (new HashSet<>(choices).size() != choices.size()) {
      throw new IllegalArgumentException("parameter '" + name + "': duplicate choices in " + choices);
    }
  }

  /**
   * @param choice one of the choices
   * @return its index
   * @throws IllegalArgumentException if it is not a choice
   */
  public int indexOf(String choice) {
    int i = choices.indexOf(choice);
    if (i < 0) {
      throw new IllegalArgumentException("parameter '" + name + "': '" + choice + "' is not one of " + choices);
    }
    return i;
  }

  @Override
  public String display(double internal) {
    if (!contains(internal)) {
      throw new IllegalArgumentException("parameter '" + name + "': index " + internal + " is not in 0.."
          + (choices.size() - 1));
    }
    return choices.get((int) internal);
  }

  @Override
  public boolean contains(double internal) {
    return internal == Math.rint(internal) && internal >= 0 && internal < choices.size();
  }
}
