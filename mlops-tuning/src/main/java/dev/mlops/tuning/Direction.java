package dev.mlops.tuning;

/**
 * Whether a study looks for the lowest or the highest objective value.
 *
 * <p>Immutable and thread-safe.
 */
public enum Direction {
  /** Lower is better. */
  MINIMIZE,
  /** Higher is better. */
  MAXIMIZE;

  /**
   * @param a a value
   * @param b another value
   * @return whether {@code a} is strictly better than {@code b}
   */
  public boolean better(double a, double b) {
    return this == MINIMIZE ? a < b : a > b;
  }

  /**
   * @param value an objective value
   * @return the value to minimize: itself, or its negation when maximizing
   */
  public double loss(double value) {
    return this == MINIMIZE ? value : -value;
  }
}
