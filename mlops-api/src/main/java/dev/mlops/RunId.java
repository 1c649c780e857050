package dev.mlops;

import java.util.Objects;

/**
 * Identifies an experiment run.
 *
 * <p>Immutable and thread-safe.
 *
 * @param value follows {@link Names}
 */
public record RunId(String value) {
  /** Validates. */
  public RunId {
    Names.requireValid("run id", value);
  }

  /** @param value the id text */
  public static RunId of(String value) {
    return new RunId(Objects.requireNonNull(value, "value"));
  }

  @Override
  public String toString() {
    return value;
  }
}
