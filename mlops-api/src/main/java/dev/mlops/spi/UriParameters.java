package dev.mlops.spi;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parses a store URI's query string and rejects parameters a provider does not know, so a typo
 * ({@code regoin=}) fails at open instead of being silently ignored.
 *
 * <p>Immutable and thread-safe.
 */
public final class UriParameters {
  private UriParameters() {}

  /**
   * Parses a provider's own parameters. The workspace's parameters
   * ({@link dev.mlops.WorkspaceOptions#URI_PARAMETERS}) are accepted on every URI and left out of
   * the result: the workspace reads them.
   *
   * @param uri the store URI
   * @param allowed parameter names the provider understands
   * @return the parameters, in order of appearance
   * @throws IllegalArgumentException naming the unknown or repeated parameter and the allowed ones
   */
  public static Map<String, String> parse(URI uri, Set<String> allowed) {
    Map<String, String> out = new LinkedHashMap<>();
    all(uri).forEach((name, value) -> {
      if (dev.mlops.WorkspaceOptions.URI_PARAMETERS.contains(name)) {
        return;
      }
      if (!allowed.contains(name)) {
        Set<String> valid = new TreeSet<>(allowed);
        valid.addAll(dev.mlops.WorkspaceOptions.URI_PARAMETERS);
        throw new IllegalArgumentException("unknown parameter '" + name + "' in store URI '" + uri
            + "'; allowed: " + valid);
      }
      out.put(name, value);
    });
    return out;
  }

  /**
   * @param uri a store URI
   * @return every query parameter, in order of appearance
   * @throws IllegalArgumentException naming a repeated parameter
   */
  public static Map<String, String> all(URI uri) {
    Map<String, String> out = new LinkedHashMap<>();
    String query = uri.getRawQuery();
    if (uri.isOpaque()) {
      // java.net.URI does not split the query off opaque URIs such as "mem:?a=b" or "file:rel/dir?a=b"
      String ssp = uri.getRawSchemeSpecificPart();
      int q = ssp.indexOf('?');
      query = q < 0 ? null : ssp.substring(q + 1);
    }
    if (query == null || query.isEmpty()) {
      return out;
    }
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (out.putIfAbsent(name, value) != null) {
        throw new IllegalArgumentException("parameter '" + name + "' repeated in store URI '" + uri + "'");
      }
    }
    return out;
  }
}
