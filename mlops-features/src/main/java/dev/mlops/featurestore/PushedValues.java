package dev.mlops.featurestore;

import dev.mlops.features.FeatureType;

/**
 * The value conversions a push accepts: exactly the widenings that never change a value. A
 * {@link FeatureType#DOUBLE} feature takes a {@link Double}, a {@link Float}, an {@link Integer},
 * {@link Short} or {@link Byte}; a {@link FeatureType#LONG} feature takes a {@link Long},
 * {@link Integer}, {@link Short} or {@link Byte}. A {@link Long} is not widened to DOUBLE (a double
 * holds 53 bits, so the type as such is lossy, even where a given value would survive), and a
 * floating-point value is not narrowed to LONG: such values are refused, as is any other type.
 *
 * <p>Immutable and thread-safe.
 */
final class PushedValues {
  private PushedValues() {}

  /**
   * @param type the feature's type
   * @param value a pushed value, not null
   * @return the value as the type's Java class, or null if it is not losslessly convertible
   */
  static Object convert(FeatureType type, Object value) {
    if (type.accepts(value)) {
      return value;
    }
    return switch (type) {
      case DOUBLE -> {
        if (value instanceof Float f) {
          yield (double) f; // every float, NaN and the infinities included, is a double
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
          yield ((Number) value).doubleValue(); // at most 32 bits: always exact
        }
        yield null;
      }
      case LONG -> value instanceof Integer || value instanceof Short || value instanceof Byte
          ? ((Number) value).longValue() : null;
      default -> null;
    };
  }

  /** @return why {@code value} cannot become a {@code type} value, for the error message */
  static String whyNot(FeatureType type, Object value) {
    boolean numeric = value instanceof Number;
    if (type == FeatureType.DOUBLE && value instanceof Long) {
      return "a Long is not widened to DOUBLE (a double holds 53 bits; this one would be " + (double) (Long) value
          + "); convert it yourself if that is acceptable";
    }
    if (type == FeatureType.LONG && (value instanceof Double || value instanceof Float)) {
      return "a floating-point value is not widened to LONG; convert it to a long yourself";
    }
    return switch (type) {
      case DOUBLE -> numeric ? "only Double, Float, Integer, Short and Byte widen to DOUBLE"
          : "it is not a number";
      case LONG -> numeric ? "only Long, Integer, Short and Byte widen to LONG" : "it is not a whole number";
      default -> "no conversion to " + type + " exists";
    };
  }
}
