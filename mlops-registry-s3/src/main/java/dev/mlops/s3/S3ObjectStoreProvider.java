package dev.mlops.s3;

import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.ObjectStoreProvider;
import dev.mlops.spi.UriParameters;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Provider for {@code s3://bucket/prefix?region=…&endpoint=…&pathStyle=…} URIs:
 *
 * <ul>
 *   <li>{@code bucket} — the bucket, which must exist;
 *   <li>{@code prefix} — optional key prefix inside it (the workspace's root);
 *   <li>{@code region} — e.g. {@code eu-west-1}; default: the AWS default region chain, or
 *       {@code us-east-1} when {@code endpoint} is given;
 *   <li>{@code endpoint} — an S3-compatible server, e.g. {@code http://127.0.0.1:9000};
 *   <li>{@code pathStyle} — {@code true} or {@code false}; default true with {@code endpoint}.
 * </ul>
 *
 * Credentials come from the AWS default chain (environment, system properties, profile, container
 * or instance role). Any other parameter is rejected. For a client configured in code, use
 * {@link S3ObjectStore#builder()}.
 *
 * <p>Thread-safe.
 */
public final class S3ObjectStoreProvider implements ObjectStoreProvider {
  private static final Set<String> PARAMETERS = Set.of("region", "endpoint", "pathStyle");

  /** Public for {@link java.util.ServiceLoader}. */
  public S3ObjectStoreProvider() {}

  @Override
  public String scheme() {
    return "s3";
  }

  /**
   * @param uri {@code s3://bucket/prefix?...}
   * @return the open store, after its capability probe
   * @throws IllegalArgumentException naming the bad part of the URI
   * @throws dev.mlops.StorageException if the bucket cannot be reached or ignores conditional writes
   */
  @Override
  public ObjectStore open(URI uri) {
    return builderFor(uri).build();
  }

  /** Parses the URI into a builder, without opening anything. */
  static S3ObjectStore.Builder builderFor(URI uri) {
    if (uri.getScheme() == null || !uri.getScheme().toLowerCase(Locale.ROOT).equals("s3")) {
      throw new IllegalArgumentException("not an s3: URI: '" + uri + "'");
    }
    if (uri.isOpaque() || uri.getRawAuthority() == null || uri.getRawAuthority().isEmpty()) {
      throw new IllegalArgumentException("s3 URI '" + uri + "' has no bucket; expected s3://bucket/prefix");
    }
    if (uri.getRawUserInfo() != null || uri.getPort() != -1) {
      throw new IllegalArgumentException("s3 URI '" + uri + "' must not carry credentials or a port; "
          + "use endpoint=http://host:port and the AWS credential chain");
    }
    if (uri.getRawFragment() != null) {
      throw new IllegalArgumentException("s3 URI '" + uri + "' must not have a fragment");
    }
    Map<String, String> params = UriParameters.parse(uri, PARAMETERS);
    S3ObjectStore.Builder b = S3ObjectStore.builder().bucket(uri.getRawAuthority());
    String path = uri.getPath() == null ? "" : uri.getPath();
    b.prefix(path);
    if (params.containsKey("region")) {
      b.region(params.get("region"));
    }
    if (params.containsKey("endpoint")) {
      try {
        b.endpoint(new URI(params.get("endpoint")));
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("endpoint '" + params.get("endpoint") + "' in '" + uri
            + "' is not a URI: " + e.getMessage(), e);
      }
    }
    if (params.containsKey("pathStyle")) {
      String v = params.get("pathStyle");
      if (!v.equals("true") && !v.equals("false")) {
        throw new IllegalArgumentException("pathStyle must be true or false in '" + uri + "', got '" + v + "'");
      }
      b.pathStyle(Boolean.parseBoolean(v));
    }
    return b;
  }
}
