package dev.mlops.ui;

import java.util.Locale;

/**
 * The one escaping function of mlops-ui, and number formatting for pages and charts. Every
 * user-supplied string (run, model, experiment and feature names, tags, params, descriptions,
 * actors, comments, exception messages) reaches HTML or SVG only through {@link #text(String)}.
 *
 * <p>Immutable and thread-safe (static functions only).
 */
final class Html {
  /** Characters of one value shown; longer values are cut with a note giving their full length. */
  static final int MAX_VALUE_CHARS = 2_000;

  private Html() {}

  /**
   * Escapes a user-supplied value for HTML text, for a double- or single-quoted attribute value,
   * and for SVG text: {@code & < > " '} become entities, control characters other than tab and
   * newline become U+FFFD, and a value longer than {@link #MAX_VALUE_CHARS} is cut there (never
   * inside a surrogate pair) and followed by a note saying how long it was.
   *
   * @param value any string
   * @return the escaped, possibly shortened string
   */
  static String text(String value) {
    if (value == null) {
      return "";
    }
    int shown = value.length();
    if (shown > MAX_VALUE_CHARS) {
      shown = MAX_VALUE_CHARS;
      if (Character.isHighSurrogate(value.charAt(shown - 1))) {
        shown--;
      }
    }
    StringBuilder sb = new StringBuilder(shown + 16);
    for (int i = 0; i < shown; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        case '\t', '\n' -> sb.append(c);
        default -> sb.append(c < 0x20 || c == 0x7f ? '\ufffd' : c);
      }
    }
    if (shown < value.length()) {
      sb.append("\u2026 <span class=\"trunc\">[truncated: ")
          .append(String.format(Locale.ROOT, "%,d", value.length()))
          .append(" characters in all]</span>");
    }
    return sb.toString();
  }

  /** A number for a table cell: up to 6 significant digits, "–" for NaN, "∞" for infinities. */
  static String number(double v) {
    if (Double.isNaN(v)) {
      return "\u2013";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "\u221e" : "-\u221e";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.6g", v).replaceFirst("(\\.\\d*?)0+(e|$)", "$1$2").replace(".e", "e")
        .replaceFirst("\\.$", "");
  }

  /** A short number for chart labels: three significant digits, k/M/G suffixes ("35.2k"). */
  static String compact(double v) {
    if (!Double.isFinite(v)) {
      return number(v);
    }
    double a = Math.abs(v);
    String suffix = "";
    if (a >= 1e9) {
      v /= 1e9;
      suffix = "G";
    } else if (a >= 1e6) {
      v /= 1e6;
      suffix = "M";
    } else if (a >= 1e4) {
      v /= 1e3;
      suffix = "k";
    }
    String s = a != 0 && (a < 1e-3) ? String.format(Locale.ROOT, "%.2e", v)
        : new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    return s + suffix;
  }

  /** A coordinate in an SVG attribute: two decimals, never NaN. */
  static String coord(double v) {
    if (!Double.isFinite(v)) {
      return "0";
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  /**
   * A query-string component (for links built from user-supplied names), percent-encoded as UTF-8;
   * the result still goes through {@link #text} when written into an attribute.
   */
  static String url(String value) {
    return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
  }
}
