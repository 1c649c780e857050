package dev.mlops.fs;

import dev.mlops.WorkspaceOptions;
import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.ObjectStoreProvider;
import dev.mlops.spi.UriParameters;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Provider for {@code file:} URIs, found through {@link java.util.ServiceLoader}. Accepted forms:
 *
 * <ul>
 *   <li>{@code file:/abs/dir}, {@code file:///abs/dir} and {@code file://localhost/abs/dir} — an
 *       absolute directory;
 *   <li>{@code file:rel/dir} (also {@code file:.}) — a directory relative to the working directory
 *       of the process at the moment the store is opened; the store keeps the absolute path.
 * </ul>
 *
 * <p>Percent-escapes are decoded ({@code file:/data/my%20store}). The directory and its parents
 * are created if missing, unless the store is opened read-only ({@code ?readOnly=true} or
 * {@link WorkspaceOptions#readOnly()}): then nothing at all is written, and the directory must
 * already be a store (see {@link FsObjectStore.Builder#readOnly}). The provider has no query
 * parameters of its own; only the workspace's ({@link WorkspaceOptions#URI_PARAMETERS}) are
 * accepted, any other is rejected with the list of allowed ones, and so are fragments, other hosts
 * ({@code file://server/dir}: mount the share and use its local path) and {@code ~} (not
 * expanded: write the absolute path).
 *
 * <p>Thread-safe.
 */
public final class FsObjectStoreProvider implements ObjectStoreProvider {
  /** Public for {@link java.util.ServiceLoader}. */
  public FsObjectStoreProvider() {}

  @Override
  public String scheme() {
    return "file";
  }

  /**
   * Opens the store at the URI's directory with default settings; a {@code readOnly=true}
   * parameter in the URI is honoured.
   *
   * @throws IllegalArgumentException if the URI is not one of the accepted forms or has unknown
   *     parameters
   * @throws dev.mlops.StorageException if the directory cannot be created or used as a store
   */
  @Override
  public ObjectStore open(URI uri) {
    return open(uri, WorkspaceOptions.defaults());
  }

  /**
   * Opens the store at the URI's directory; read-only when {@link WorkspaceOptions#readOnly()} or
   * the URI's {@code readOnly} parameter says so (the URI wins, as in
   * {@link dev.mlops.Mlops#open(URI, WorkspaceOptions)}). A read-only open writes nothing and
   * refuses a missing directory or one without a store marker.
   *
   * @throws IllegalArgumentException if the URI is not one of the accepted forms or has unknown
   *     parameters or bad values
   * @throws dev.mlops.StorageException if the directory cannot be created or used as a store
   */
  @Override
  public ObjectStore open(URI uri, WorkspaceOptions options) {
    Objects.requireNonNull(options, "options");
    Path dir = directoryOf(uri);
    WorkspaceOptions effective = options.withUriParameters(UriParameters.all(uri));
    return FsObjectStore.builder().root(dir).readOnly(effective.readOnly()).build();
  }

  /**
   * @param uri a {@code file:} URI
   * @return the directory it names, absolute or relative to the working directory
   * @throws IllegalArgumentException if the URI is not one of the accepted forms or has parameters
   */
  static Path directoryOf(URI uri) {
    if (uri.getScheme() == null || !uri.getScheme().toLowerCase(Locale.ROOT).equals("file")) {
      throw new IllegalArgumentException("not a file: URI: '" + uri + "'");
    }
    if (uri.getRawFragment() != null) {
      throw new IllegalArgumentException("file: store URI '" + uri + "' must not have a fragment ('#"
          + uri.getRawFragment() + "')");
    }
    String path;
    if (uri.isOpaque()) {
      String ssp = uri.getRawSchemeSpecificPart();
      int q = ssp.indexOf('?');
      String rawPath = q < 0 ? ssp : ssp.substring(0, q);
      if (q >= 0) {
        checkParameters(uri, ssp.substring(q + 1));
      }
      path = decode(uri, rawPath);
    } else {
      UriParameters.parse(uri, Set.of());
      String authority = uri.getRawAuthority();
      if (authority != null && !authority.isEmpty() && !authority.equalsIgnoreCase("localhost")) {
        throw new IllegalArgumentException("file: store URI '" + uri + "' names host '" + authority
            + "'; only local directories are supported: mount the share and use file:/local/path");
      }
      path = uri.getPath();
    }
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException("file: store URI '" + uri + "' has no directory; use file:/abs/dir or file:rel/dir");
    }
    if (path.startsWith("~")) {
      throw new IllegalArgumentException("file: store URI '" + uri + "' starts with '~', which is not expanded;"
          + " write the absolute path, e.g. file:" + System.getProperty("user.home", "/home/me") + path.substring(1));
    }
    return Path.of(path);
  }

  private static void checkParameters(URI uri, String rawQuery) {
    URI query;
    try {
      query = new URI("file:///?" + rawQuery);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("file: store URI '" + uri + "' has a malformed query: " + e.getMessage(), e);
    }
    try {
      UriParameters.parse(query, Set.of());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().replace("'" + query + "'", "'" + uri + "'"), e);
    }
  }

  private static String decode(URI uri, String rawPath) {
    try {
      // "./" keeps a first segment with ':' from being read as a scheme.
      String path = new URI("./" + rawPath).getPath();
      return path.length() > 2 ? path.substring(2) : ".";
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("file: store URI '" + uri + "' has a malformed path: " + e.getMessage(), e);
    }
  }
}
