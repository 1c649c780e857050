package dev.mlops;

import java.util.Objects;

/**
 * A precondition on an alias's current target, checked atomically with the change: the change is
 * committed only if the alias still is as the caller last saw it, else {@link ConflictException}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param kind which precondition
 * @param version for {@link Kind#POINTS_AT}, the version the alias must point at; else 0
 */
public record AliasCondition(Kind kind, int version) {
  /** The kinds of precondition. */
  public enum Kind {
    /** No precondition: last writer wins. */
    ANY,
    /** The alias must not exist yet. */
    ABSENT,
    /** The alias must point at {@link #version()}. */
    POINTS_AT
  }

  /** Validates. */
  public AliasCondition {
    Objects.requireNonNull(kind, "kind");
    if (kind == Kind.POINTS_AT ? version < 1 : version != 0) {
      throw new IllegalArgumentException("version " + version + " does not fit " + kind);
    }
  }

  /** @return no precondition */
  public static AliasCondition any() {
    return new AliasCondition(Kind.ANY, 0);
  }

  /** @return the alias must not exist */
  public static AliasCondition absent() {
    return new AliasCondition(Kind.ABSENT, 0);
  }

  /** @param version the version the alias must point at @return the condition */
  public static AliasCondition pointsAt(int version) {
    return new AliasCondition(Kind.POINTS_AT, version);
  }
}
