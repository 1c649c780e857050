package dev.mlops.ui;

import dev.mlops.Workspace;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP request as a {@link View} sees it: the workspace, the path segments below the view's
 * prefix, and decoded query (or form) parameters with checked accessors that throw
 * {@link IllegalArgumentException} (answered 400) naming the bad parameter.
 *
 * <p>Immutable and thread-safe.
 */
public final class Request {
  /** Longest query string or form body accepted; longer ones are answered 400. */
  static final int MAX_QUERY_CHARS = 16_384;

  private final Workspace workspace;
  private final String method;
  private final List<String> segments;
  private final Map<String, List<String>> params;
  private final boolean writesAllowed;

  Request(Workspace workspace, String method, List<String> segments, Map<String, List<String>> params,
      boolean writesAllowed) {
    this.workspace = Objects.requireNonNull(workspace, "workspace");
    this.method = Objects.requireNonNull(method, "method");
    this.segments = List.copyOf(segments);
    this.params = Map.copyOf(params);
    this.writesAllowed = writesAllowed;
  }

  /**
   * Parses {@code a=1&b=x%20y}.
   *
   * @throws IllegalArgumentException if it is too long or badly percent-encoded
   */
  static Map<String, List<String>> parseQuery(String raw) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    if (raw.length() > MAX_QUERY_CHARS) {
      throw new IllegalArgumentException("query string has " + raw.length() + " characters; at most "
          + MAX_QUERY_CHARS + " are accepted");
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = decode(eq < 0 ? pair : pair.substring(0, eq));
      String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
      out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return out;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("malformed percent-encoding in query parameter '"
          + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'", e);
    }
  }

  /** @return the workspace the UI serves */
  public Workspace workspace() {
    return workspace;
  }

  /** @return GET or POST */
  public String method() {
    return method;
  }

  /** @return the decoded path segments below the view's prefix ({@code /runs/abc} → [abc] for {@code /runs}) */
  public List<String> segments() {
    return segments;
  }

  /** @return whether the server was started with writes allowed */
  public boolean writesAllowed() {
    return writesAllowed;
  }

  /**
   * @param name parameter name
   * @return its first value, or empty (an empty value counts as absent)
   */
  public Optional<String> param(String name) {
    List<String> v = params.get(name);
    return v == null || v.isEmpty() || v.get(0).isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  /**
   * @param name parameter name
   * @return all its non-empty values, in order
   */
  public List<String> params(String name) {
    return params.getOrDefault(name, List.of()).stream().filter(s -> !s.isEmpty()).toList();
  }

  /**
   * @param name parameter name
   * @param fallback value when absent
   * @param min smallest accepted
   * @param max largest accepted
   * @return the parameter as an int
   * @throws IllegalArgumentException if it is not a whole number in [min, max]
   */
  public int intParam(String name, int fallback, int min, int max) {
    Optional<String> v = param(name);
    if (v.isEmpty()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.get().trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("query parameter " + name + "='" + clip(v.get())
        + "' must be a whole number from " + min + " to " + max);
  }

  static String clip(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }

  /**
   * The UI's one escaping function, for views: HTML-escapes a user-supplied value for text or a
   * quoted attribute, cutting very long values with a note.
   *
   * @param value any string
   * @return the escaped string
   */
  public static String escape(String value) {
    return Html.text(value);
  }
}
