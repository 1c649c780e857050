package dev.mlops;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Allows a principal some actions on one model, or on every model ({@link #ALL_MODELS}). While a
 * store holds no grant at all, access control is off and everyone may do everything (the
 * default); once it holds one, every action needs a grant.
 *
 * <p>Immutable and thread-safe.
 *
 * @param principal the principal's name
 * @param model a model name, or {@code *} for every model
 * @param actions what it may do, not empty
 */
public record RoleGrant(String principal, String model, Set<GovernedAction> actions) {
  /** The {@link #model} that means every model. */
  public static final String ALL_MODELS = "*";

  /** Validates and copies. */
  public RoleGrant {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(model, "model");
    if (principal.isBlank()) {
      throw new IllegalArgumentException("grant principal must not be blank");
    }
    if (!model.equals(ALL_MODELS)) {
      Names.requireValid("model name", model);
    }
    if (actions.isEmpty()) {
      throw new IllegalArgumentException("a grant to " + principal + " on " + model + " names no action");
    }
    actions = Set.copyOf(EnumSet.copyOf(actions));
  }

  /**
   * @param principal the principal's name
   * @param model a model name or {@code *}
   * @param actions what it may do
   * @return the grant
   */
  public static RoleGrant of(String principal, String model, GovernedAction... actions) {
    return new RoleGrant(principal, model, Set.of(actions));
  }

  /**
   * @param name a principal's name
   * @param modelName a model
   * @param action an action
   * @return whether this grant allows it
   */
  public boolean allows(String name, String modelName, GovernedAction action) {
    return principal.equals(name) && (model.equals(ALL_MODELS) || model.equals(modelName)) && actions.contains(action);
  }
}
