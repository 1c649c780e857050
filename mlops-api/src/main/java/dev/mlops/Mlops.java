package dev.mlops;

import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.ObjectStoreProvider;
import dev.mlops.spi.WorkspaceFactory;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Opens workspaces. The URI's scheme picks a storage provider found through
 * {@link ServiceLoader}, as JDBC picks a driver:
 *
 * <ul>
 *   <li>{@code mem:} — in memory, a fresh private store per open, for tests ({@code mlops-core});
 *   <li>{@code file:/abs/path} or {@code file:rel/path} — a directory ({@code mlops-registry-fs});
 *   <li>{@code s3://bucket/prefix?region=…&endpoint=…} — a bucket ({@code mlops-registry-s3}).
 * </ul>
 *
 * <p>A scheme no installed provider handles, or two providers for one scheme, is a
 * {@link ProviderNotFoundException} / {@link IllegalStateException} that lists what is installed.
 * Unknown URI query parameters are rejected by the provider.
 *
 * <p>Immutable and thread-safe.
 */
public final class Mlops {
  private static final Map<String, String> KNOWN_ARTIFACTS = Map.of(
      "mem", "dev.mlops:mlops-core",
      "file", "dev.mlops:mlops-registry-fs",
      "s3", "dev.mlops:mlops-registry-s3");

  private Mlops() {}

  /**
   * Opens a workspace.
   *
   * @param uri e.g. {@code file:/var/lib/mlops}, {@code mem:}, {@code s3://bucket/prefix?region=eu-west-1}
   * @return the open workspace; close it when done
   * @throws ProviderNotFoundException if no installed provider handles the scheme
   * @throws IllegalArgumentException if the URI is malformed or has unknown parameters
   * @throws StorageException if the store cannot be opened
   */
  public static Workspace open(URI uri) {
    return open(uri, WorkspaceOptions.defaults());
  }

  /**
   * Opens a workspace with options. Workspace parameters in the URI's query
   * ({@link WorkspaceOptions#URI_PARAMETERS}, e.g. {@code ?readOnly=true&actor=ci}) override the
   * same options given here.
   *
   * @param uri e.g. {@code file:/var/lib/mlops}, {@code mem:}, {@code s3://bucket/prefix?region=eu-west-1}
   * @param options actor, clock, refresh interval, read-only, alias approval rule
   * @return the open workspace; close it when done
   * @throws ProviderNotFoundException if no installed provider handles the scheme
   * @throws IllegalArgumentException if the URI is malformed or has unknown parameters or bad values
   * @throws StorageException if the store cannot be opened
   */
  public static Workspace open(URI uri, WorkspaceOptions options) {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(options, "options");
    WorkspaceOptions effective = options.withUriParameters(dev.mlops.spi.UriParameters.all(uri));
    String scheme = uri.getScheme();
    if (scheme == null) {
      throw new IllegalArgumentException("workspace URI '" + uri + "' has no scheme; expected one of "
          + installedSchemes().keySet() + ", e.g. file:/path/to/dir or mem:");
    }
    ObjectStoreProvider provider = providers(Thread.currentThread().getContextClassLoader())
        .get(scheme.toLowerCase(Locale.ROOT));
    if (provider == null) {
      String hint = KNOWN_ARTIFACTS.get(scheme.toLowerCase(Locale.ROOT));
      throw new ProviderNotFoundException("no mlops storage provider for scheme '" + scheme + "' in '" + uri
          + "'; installed schemes: " + installedSchemes()
          + (hint != null ? "; add the dependency " + hint : "; known schemes: " + KNOWN_ARTIFACTS));
    }
    ObjectStore store = provider.open(uri, effective);
    try {
      return open(uri, store, effective);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /**
   * Opens a workspace from its URI text. A bare scheme such as {@code mem:} is read as
   * {@code mem:/}.
   *
   * @param uri e.g. {@code file:/var/lib/mlops}
   * @return the open workspace
   * @see #open(URI)
   */
  public static Workspace open(String uri) {
    return open(toUri(uri), WorkspaceOptions.defaults());
  }

  /**
   * Opens a workspace from its URI text with options.
   *
   * @param uri e.g. {@code file:/var/lib/mlops}
   * @param options actor, clock, refresh interval, read-only, alias approval rule
   * @return the open workspace
   * @see #open(URI, WorkspaceOptions)
   */
  public static Workspace open(String uri, WorkspaceOptions options) {
    return open(toUri(uri), options);
  }

  private static URI toUri(String uri) {
    Objects.requireNonNull(uri, "uri");
    if (uri.matches("[A-Za-z][A-Za-z0-9+.-]*:") && !uri.equalsIgnoreCase("mem:")) {
      // never read "file:" as the root directory "file:/"
      throw new IllegalArgumentException("workspace URI '" + uri + "' names no location; e.g. file:/var/lib/mlops,"
          + " file:relative/dir, s3://bucket/prefix or mem:");
    }
    try {
      // "mem:" alone is not a valid java.net.URI (an opaque URI needs a scheme-specific part)
      return new URI(uri.equalsIgnoreCase("mem:") ? uri + "/" : uri);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("workspace URI '" + uri + "' is malformed: " + e.getMessage(), e);
    }
  }

  /**
   * Opens a workspace over a store built explicitly (e.g. with a backend's builder), without
   * provider discovery. The workspace owns the store and closes it.
   *
   * @param uri a URI describing the store, reported by {@link Workspace#uri()}
   * @param store the store
   * @return the open workspace
   * @throws ProviderNotFoundException if {@code mlops-core} is not on the class path
   */
  public static Workspace open(URI uri, ObjectStore store) {
    return open(uri, store, WorkspaceOptions.defaults());
  }

  /**
   * Opens a workspace over a store built explicitly, with options. The workspace owns the store
   * and closes it.
   *
   * @param uri a URI describing the store, reported by {@link Workspace#uri()}
   * @param store the store
   * @param options actor, clock, refresh interval, read-only, alias approval rule
   * @return the open workspace
   * @throws ProviderNotFoundException if {@code mlops-core} is not on the class path
   */
  public static Workspace open(URI uri, ObjectStore store, WorkspaceOptions options) {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(options, "options");
    List<WorkspaceFactory> factories = new ArrayList<>();
    ServiceLoader.load(WorkspaceFactory.class, Mlops.class.getClassLoader()).forEach(factories::add);
    if (factories.isEmpty()) {
      throw new ProviderNotFoundException(
          "no mlops workspace implementation found; add the dependency dev.mlops:mlops-core");
    }
    if (factories.size() > 1) {
      throw new IllegalStateException("more than one mlops workspace implementation on the class path: "
          + factories.stream().map(f -> f.getClass().getName()).toList());
    }
    return factories.get(0).create(uri, store, options);
  }

  /**
   * @return installed schemes mapped to the provider class that handles each
   * @throws IllegalStateException if two installed providers claim one scheme
   */
  public static Map<String, String> installedSchemes() {
    Map<String, String> out = new TreeMap<>();
    providers(Thread.currentThread().getContextClassLoader())
        .forEach((scheme, p) -> out.put(scheme, p.getClass().getName()));
    return out;
  }

  private static Map<String, ObjectStoreProvider> providers(ClassLoader contextLoader) {
    Map<String, ObjectStoreProvider> byScheme = new TreeMap<>();
    ClassLoader loader = contextLoader != null ? contextLoader : Mlops.class.getClassLoader();
    for (ObjectStoreProvider p : ServiceLoader.load(ObjectStoreProvider.class, loader)) {
      String scheme = p.scheme().toLowerCase(Locale.ROOT);
      ObjectStoreProvider previous = byScheme.putIfAbsent(scheme, p);
      if (previous != null && !previous.getClass().equals(p.getClass())) {
        throw new IllegalStateException("two mlops storage providers claim scheme '" + scheme + "': "
            + previous.getClass().getName() + " and " + p.getClass().getName() + "; remove one from the class path");
      }
    }
    return byScheme;
  }
}
