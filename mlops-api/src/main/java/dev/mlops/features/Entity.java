package dev.mlops.features;

import dev.mlops.Names;
import java.util.Objects;

/**
 * What features describe (a customer, a card, a driver) and the key that identifies one of them.
 * Entity keys are strings; encode a composite key (e.g. {@code "merchant42/card7"}) yourself.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the entity's name ({@link Names} rule)
 * @param joinKey the name of the key column in entity rows and exports ({@link Names} rule)
 * @param description free text, may be empty
 */
public record Entity(String name, String joinKey, String description) {
  /**
   * Validates.
   *
   * @throws IllegalArgumentException naming the value if a name is invalid
   */
  public Entity {
    Names.requireValid("entity name", name);
    Names.requireValid("join key", joinKey);
    Objects.requireNonNull(description, "description");
  }

  /**
   * @param name the entity's name
   * @param joinKey its key column
   * @return an entity without description
   */
  public static Entity of(String name, String joinKey) {
    return new Entity(name, joinKey, "");
  }
}
