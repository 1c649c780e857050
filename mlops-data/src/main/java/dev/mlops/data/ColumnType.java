package dev.mlops.data;

/**
 * The inferred type of a column. Inference takes the most specific type every non-null value has:
 * only whole numbers give {@link #INTEGRAL}; whole and decimal numbers {@link #FRACTIONAL}; only
 * {@code true}/{@code false} {@link #BOOLEAN}; only instants or ISO-8601 date-times
 * {@link #TIMESTAMP}; anything else (including a mix, such as numbers with some text)
 * {@link #STRING}. A column with no non-null value is {@link #UNKNOWN}.
 *
 * <p>Immutable and thread-safe.
 */
public enum ColumnType {
  /** Whole numbers ({@link Long}, {@link Integer}, {@link Short}, {@link Byte}, text like {@code -12}). */
  INTEGRAL,
  /** Decimal numbers ({@link Double}, {@link Float}, {@link java.math.BigDecimal}, text like {@code 1.5e3}). */
  FRACTIONAL,
  /** Text. */
  STRING,
  /** {@link Boolean}, or text {@code true}/{@code false} in any case. */
  BOOLEAN,
  /** {@link java.time.Instant} and other date-times, or ISO-8601 text such as {@code 2024-05-01T10:00:00Z}. */
  TIMESTAMP,
  /** No non-null value was seen. */
  UNKNOWN;

  /**
   * @param other the type of another value or column
   * @return whether a column of this type accepts a value of {@code other} without a type
   *     violation (a whole number is a valid decimal; every value is valid text)
   */
  public boolean accepts(ColumnType other) {
    return this == other || this == STRING || (this == FRACTIONAL && other == INTEGRAL);
  }

  static ColumnType infer(long[] kindCounts) {
    boolean integral = kindCounts[INTEGRAL.ordinal()] > 0;
    boolean fractional = kindCounts[FRACTIONAL.ordinal()] > 0;
    boolean string = kindCounts[STRING.ordinal()] > 0;
    boolean bool = kindCounts[BOOLEAN.ordinal()] > 0;
    boolean time = kindCounts[TIMESTAMP.ordinal()] > 0;
    int kinds = (integral || fractional ? 1 : 0) + (string ? 1 : 0) + (bool ? 1 : 0) + (time ? 1 : 0);
    if (kinds == 0) {
      return UNKNOWN;
    }
    if (kinds > 1 || string) {
      return STRING;
    }
    if (fractional) {
      return FRACTIONAL;
    }
    return integral ? INTEGRAL : bool ? BOOLEAN : TIMESTAMP;
  }
}
