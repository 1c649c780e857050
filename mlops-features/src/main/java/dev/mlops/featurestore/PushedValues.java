package dev.mlops.featurestore;

import dev.mlops.features.FeatureType;

/**
 * The value conversions a push accepts: exactly the lossless widenings. A {@link FeatureType#DOUBLE}
 * feature takes a {@link Double}, a {@link Float}, an {@link Integer}, {@link Short} or {@link Byte},
 * and a {@link Long} whose value a double represents exactly (|v| up to 2^53, or any multiple of a
 * large enough power of two); a {@link FeatureType#LONG} feature takes a {@link Long},
 * {@link Integer}, {@link Short} or {@link Byte}. Nothing is rounded or truncated: a conversion that
 * would change the value, and any other type, is refused.
 *
 * <p>Immutable and thread-safe.
 */
final class PushedValues {
  private static final double TWO_TO_63 = 0x1p63;

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
        if (value instanceof Long l) {
          double d = l;
          // Exact iff converting back gives the same long; 2^63 (the rounding of Long.MAX_VALUE) is out of range.
          yield d < TWO_TO_63 && (long) d == l ? d : null;
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
      return "a double cannot hold it exactly (the nearest is " + (double) (Long) value + ")";
    }
    if (type == FeatureType.LONG && (value instanceof Double || value instanceof Float)) {
      return "a floating-point value is not widened to LONG; convert it to a long yourself";
    }
    return switch (type) {
      case DOUBLE -> numeric ? "only Double, Float, Integer, Short, Byte and exactly representable Long widen to DOUBLE"
          : "it is not a number";
      case LONG -> numeric ? "only Long, Integer, Short and Byte widen to LONG" : "it is not a whole number";
      default -> "no conversion to " + type + " exists";
    };
  }
}
