package dev.mlops.drift;

/**
 * Parameter checks shared by the detector builders; each message names the parameter, the bad
 * value and the valid range.
 *
 * <p>Immutable and thread-safe (static methods only).
 */
final class BuilderChecks {
  private BuilderChecks() {}

  /** Requires {@code 0 < value < 1}. */
  static double openUnit(String name, double value) {
    if (!(value > 0.0 && value < 1.0)) {
      throw new IllegalArgumentException(name + " = " + value + " is outside the valid range (0, 1)");
    }
    return value;
  }

  /** Requires a finite {@code value > 0}. */
  static double positive(String name, double value) {
    if (!(value > 0.0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          name + " = " + value + " is outside the valid range (0, +inf), finite");
    }
    return value;
  }

  /** Requires a finite {@code value >= 0}. */
  static double nonNegative(String name, double value) {
    if (!(value >= 0.0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          name + " = " + value + " is outside the valid range [0, +inf), finite");
    }
    return value;
  }

  /** Requires {@code min <= value <= max}. */
  static int intRange(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " = " + value + " is outside the valid range [" + min + ", " + max + "]");
    }
    return value;
  }
}
