package dev.mlops.data;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Date;

/** Parsing of CSV text into typed values, and normalisation of Java values. Stateless. */
final class Values {
  private Values() {}

  /**
   * @param text non-null cell text (null tokens already removed)
   * @return a Long, Double, Boolean, Instant or the text itself
   */
  static Object parse(String text) {
    int n = text.length();
    if (n == 0) {
      return text;
    }
    char c = text.charAt(0);
    if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
      Object number = parseNumber(text);
      if (number != null) {
        return number;
      }
      if ((c == '-' || c == '+') && n > 1) {
        Double inf = infinity(text, 1);
        if (inf != null) {
          return c == '-' ? -inf : inf;
        }
      }
      if (n >= 10 && text.charAt(4) == '-' && text.charAt(7) == '-') {
        Instant t = parseTimestamp(text);
        if (t != null) {
          return t;
        }
      }
      return text;
    }
    if (c == 'i' || c == 'I') {
      Double inf = infinity(text, 0);
      if (inf != null) {
        return inf;
      }
    }
    if ((c == 't' || c == 'T') && n == 4 && text.equalsIgnoreCase("true")) {
      return Boolean.TRUE;
    }
    if ((c == 'f' || c == 'F') && n == 5 && text.equalsIgnoreCase("false")) {
      return Boolean.FALSE;
    }
    return text;
  }

  private static Object parseNumber(String text) {
    int n = text.length();
    int i = text.charAt(0) == '-' || text.charAt(0) == '+' ? 1 : 0;
    int digits = n - i;
    if (digits > 0 && digits <= 18) {
      long v = 0;
      int j = i;
      for (; j < n; j++) {
        char d = text.charAt(j);
        if (d < '0' || d > '9') {
          break;
        }
        v = v * 10 + (d - '0');
      }
      if (j == n) {
        return text.charAt(0) == '-' ? -v : v;
      }
    } else if (digits == 19) {
      try {
        return Long.parseLong(text); // 19 digits: a long unless beyond its range
      } catch (NumberFormatException e) {
        // not a long: a decimal below, or text
      }
    }
    for (int j = 0; j < n; j++) {
      char d = text.charAt(j);
      if (!((d >= '0' && d <= '9') || d == '.' || d == 'e' || d == 'E' || d == '-' || d == '+')) {
        return null;
      }
    }
    try {
      return Double.parseDouble(text); // beyond a double's range: an infinity, as the number is written
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** @return +Infinity if the text from {@code from} is "inf" or "infinity" in any case, else null */
  private static Double infinity(String text, int from) {
    int n = text.length() - from;
    return (n == 3 || n == 8) && text.regionMatches(true, from, "infinity", 0, n) ? Double.POSITIVE_INFINITY : null;
  }

  private static Instant parseTimestamp(String text) {
    try {
      if (text.length() == 10) {
        return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      char last = text.charAt(text.length() - 1);
      if (last == 'Z' || last == 'z') {
        return Instant.parse(text);
      }
      int plus = Math.max(text.lastIndexOf('+'), text.lastIndexOf('-'));
      if (plus > 10) {
        return OffsetDateTime.parse(text).toInstant();
      }
      return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * @param value a non-null Java value
   * @return a Long, Double (NaN = missing), Boolean, String or Instant, or null if the type is
   *     not supported
   */
  static Object normalize(Object value) {
    if (value instanceof Long || value instanceof Double || value instanceof String || value instanceof Boolean
        || value instanceof Instant) {
      return value;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Float f) {
      return f.doubleValue();
    }
    if (value instanceof BigInteger b) {
      return b.bitLength() < 64 ? (Object) b.longValue() : (Object) b.doubleValue();
    }
    if (value instanceof BigDecimal d) {
      return d.doubleValue();
    }
    if (value instanceof CharSequence || value instanceof Character) {
      return value.toString();
    }
    if (value instanceof Enum<?> e) {
      return e.name();
    }
    if (value instanceof OffsetDateTime t) {
      return t.toInstant();
    }
    if (value instanceof ZonedDateTime t) {
      return t.toInstant();
    }
    if (value instanceof LocalDateTime t) {
      return t.toInstant(ZoneOffset.UTC);
    }
    if (value instanceof LocalDate d) {
      return d.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    if (value instanceof Date d) {
      return d.toInstant();
    }
    return null;
  }

  /** @return the kind of a normalized, non-missing value */
  static ColumnType kindOf(Object v) {
    if (v instanceof Long) {
      return ColumnType.INTEGRAL;
    }
    if (v instanceof Double) {
      return ColumnType.FRACTIONAL;
    }
    if (v instanceof Boolean) {
      return ColumnType.BOOLEAN;
    }
    if (v instanceof Instant) {
      return ColumnType.TIMESTAMP;
    }
    return ColumnType.STRING;
  }
}
