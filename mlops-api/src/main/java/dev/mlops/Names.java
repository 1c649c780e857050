package dev.mlops;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The one rule for user-chosen names: models, aliases, experiments, runs, params, metrics, tags,
 * feature views. A name is 1 to 128 characters of {@code [A-Za-z0-9._-]}, starts with a letter
 * or digit, and does not contain {@code ..}. Names become parts of storage keys, so the rule keeps
 * every key portable across file systems and object stores.
 *
 * <p>Immutable and thread-safe.
 */
public final class Names {
  /** Longest allowed name. */
  public static final int MAX_LENGTH = 128;

  /** The allowed pattern, as shown in error messages. */
  public static final String PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";

  private static final Pattern COMPILED = Pattern.compile(PATTERN);

  private Names() {}

  /**
   * Returns {@code name} if it is valid.
   *
   * @param kind what the name is for, used in the message ("model name", "metric key")
   * @param name the candidate
   * @return name, unchanged
   * @throws NullPointerException if name is null
   * @throws IllegalArgumentException naming the value and the allowed pattern if it is invalid
   */
  public static String requireValid(String kind, String name) {
    Objects.requireNonNull(name, kind);
    if (!isValid(name)) {
      throw new IllegalArgumentException(
          kind + " " + quote(name) + " is invalid: it must match " + PATTERN
              + " (1-" + MAX_LENGTH + " characters) and must not contain '..'");
    }
    return name;
  }

  /**
   * @param name the candidate, may be null
   * @return whether the name follows the rule
   */
  public static boolean isValid(String name) {
    return name != null
        && name.length() <= MAX_LENGTH
        && COMPILED.matcher(name).matches()
        && !name.contains("..");
  }

  /** Longest allowed path name (see {@link #requireValidPath}). */
  public static final int MAX_PATH_LENGTH = 512;

  /** The path-name rule, as shown in error messages. */
  public static final String PATH_RULE = "'/'-separated segments, each matching " + PATTERN
      + " without '..' (so no empty, '.' or '..' segment), no leading or trailing '/', 1-" + MAX_PATH_LENGTH
      + " characters in all";

  /**
   * Returns {@code path} if it is a valid path name: names of artifacts within a run or a model
   * version, such as {@code model/weights.onnx} or {@code plots/roc.png}. A path name is one or
   * more names (see {@link #requireValid}) joined by {@code /}, at most {@value #MAX_PATH_LENGTH}
   * characters in all. Every valid name is a valid path name.
   *
   * @param kind what the path is for, used in the message ("artifact name")
   * @param path the candidate
   * @return path, unchanged
   * @throws NullPointerException if path is null
   * @throws IllegalArgumentException naming the value, the offending segment and the rule if it is invalid
   */
  public static String requireValidPath(String kind, String path) {
    Objects.requireNonNull(path, kind);
    if (!isValidPath(path)) {
      String why;
      if (path.isEmpty()) {
        why = "it is empty";
      } else if (path.length() > MAX_PATH_LENGTH) {
        why = "it has " + path.length() + " characters";
      } else if (path.startsWith("/") || path.endsWith("/")) {
        why = "it starts or ends with '/'";
      } else {
        String bad = "";
        for (String seg : path.split("/", -1)) {
          if (!isValid(seg)) {
            bad = seg;
            break;
          }
        }
        why = "segment " + quote(bad) + " is not a valid name";
      }
      throw new IllegalArgumentException(kind + " " + quote(path) + " is invalid (" + why + "): it must be "
          + PATH_RULE);
    }
    return path;
  }

  /**
   * @param path the candidate, may be null
   * @return whether the path follows the path-name rule of {@link #requireValidPath}
   */
  public static boolean isValidPath(String path) {
    if (path == null || path.isEmpty() || path.length() > MAX_PATH_LENGTH) {
      return false;
    }
    int start = 0;
    while (true) {
      int slash = path.indexOf('/', start);
      String seg = slash < 0 ? path.substring(start) : path.substring(start, slash);
      if (!isValid(seg)) {
        return false;
      }
      if (slash < 0) {
        return true;
      }
      start = slash + 1;
    }
  }

  /** Quotes a value for an error message, escaping control characters so they can be seen. */
  static String quote(String value) {
    StringBuilder sb = new StringBuilder(value.length() + 2).append('\'');
    int shown = Math.min(value.length(), 200);
    for (int i = 0; i < shown; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (shown < value.length()) {
      sb.append("...(").append(value.length()).append(" chars)");
    }
    return sb.append('\'').toString();
  }
}
