package dev.mlops.tuning;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A declared search space: parameters in order, each optionally conditional on one declared
 * before it. A {@link Study} built with a space suggests every parameter whose condition holds
 * before it calls the objective, which then reads them with {@link Trial#floatValue(String)} and
 * its siblings. The same space can also be written define-by-run inside the objective with
 * {@link Trial#suggestFloat(String, double, double, boolean)} and its siblings.
 *
 * <p>Immutable and thread-safe.
 *
 * @param entries the parameters in declaration order
 */
public record SearchSpace(List<Entry> entries) {
  /**
   * One parameter of the space.
   *
   * <p>Immutable and thread-safe.
   *
   * @param param the parameter
   * @param condition when it exists; empty for always
   */
  public record Entry(Param param, Optional<Condition> condition) {
    /** Validates. */
    public Entry {
      Objects.requireNonNull(param, "param");
      Objects.requireNonNull(condition, "condition");
    }
  }

  /**
   * Validates: unique names, conditions naming a parameter declared before.
   *
   * @throws IllegalArgumentException naming the parameter that is declared twice or whose
   *     condition names an unknown or later parameter
   */
  public SearchSpace {
    entries = List.copyOf(entries);
    Map<String, Param> seen = new HashMap<>();
    for (Entry e : entries) {
      String name = e.param().name();
      e.condition().ifPresent(c -> {
        Param parent = seen.get(c.parent());
        if (parent == null) {
          throw new IllegalArgumentException("parameter '" + name + "': its condition names '" + c.parent()
              + "', which is not declared before it");
        }
        if (parent instanceof CategoricalParam cat) {
          for (String v : c.values()) {
            if (!cat.choices().contains(v)) {
              throw new IllegalArgumentException("parameter '" + name + "': condition value '" + v
                  + "' is not a choice of '" + c.parent() + "' " + cat.choices());
            }
          }
        }
      });
      if (seen.putIfAbsent(name, e.param()) != null) {
        throw new IllegalArgumentException("parameter '" + name + "' is declared twice");
      }
    }
  }

  /** @return a new builder; not thread-safe */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * @param name a parameter name
   * @return the declared parameter, if any
   */
  public Optional<Param> find(String name) {
    return entries.stream().map(Entry::param).filter(p -> p.name().equals(name)).findFirst();
  }

  /** Suggests every parameter whose condition holds, in order. */
  void suggestAll(Trial trial) {
    for (Entry e : entries) {
      boolean active = e.condition()
          .map(c -> trial.displayed(c.parent()).map(c.values()::contains).orElse(false))
          .orElse(true);
      if (active) {
        trial.suggest(e.param());
      }
    }
  }

  /**
   * Builds a {@link SearchSpace}.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private final List<Entry> entries = new ArrayList<>();

    private Builder() {}

    /**
     * @param param a parameter that always exists
     * @return this
     */
    public Builder add(Param param) {
      entries.add(new Entry(param, Optional.empty()));
      return this;
    }

    /**
     * @param param a parameter that exists only when {@code condition} holds
     * @param condition when it exists
     * @return this
     */
    public Builder add(Param param, Condition condition) {
      entries.add(new Entry(param, Optional.of(condition)));
      return this;
    }

    /**
     * @param name the name
     * @param low lower bound
     * @param high upper bound
     * @param log log scale
     * @return this
     * @throws IllegalArgumentException as {@link FloatParam} does
     */
    public Builder floatParam(String name, double low, double high, boolean log) {
      return add(new FloatParam(name, low, high, log));
    }

    /**
     * @param name the name
     * @param low lowest value
     * @param high highest value
     * @param step grid step
     * @param log log scale
     * @return this
     * @throws IllegalArgumentException as {@link IntParam} does
     */
    public Builder intParam(String name, long low, long high, long step, boolean log) {
      return add(new IntParam(name, low, high, step, log));
    }

    /**
     * @param name the name
     * @param choices the choices
     * @return this
     * @throws IllegalArgumentException as {@link CategoricalParam} does
     */
    public Builder categorical(String name, String... choices) {
      return add(new CategoricalParam(name, List.of(choices)));
    }

    /**
     * @return the space
     * @throws IllegalArgumentException as {@link SearchSpace} does
     */
    public SearchSpace build() {
      return new SearchSpace(entries);
    }
  }
}
