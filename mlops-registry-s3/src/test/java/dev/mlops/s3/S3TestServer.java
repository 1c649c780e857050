package dev.mlops.s3;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The S3 server the tests run against: by default a fresh S3Proxy 4 child process on 127.0.0.1
 * (its jar-with-dependencies, copied by the build to {@code mlops.s3proxy.jar}; in-memory
 * {@code transient-nio2} storage), ready when {@code GET /} answers 403. When
 * {@code MLOPS_S3_TEST_BUCKET} is set, the tests use that bucket instead (with
 * {@code MLOPS_S3_TEST_ENDPOINT}, {@code MLOPS_S3_TEST_REGION}, {@code MLOPS_S3_TEST_PATH_STYLE}
 * and the AWS default credential chain), each run under a fresh random prefix.
 *
 * <p>Thread-safe.
 */
final class S3TestServer implements AutoCloseable {
  static final String ACCESS_KEY = "mlops-test";
  static final String SECRET_KEY = "mlops-test-secret";
  private static final String LOCAL_BUCKET = "mlops-test";

  private final Process process;
  private final Optional<URI> endpoint;
  private final String bucket;
  private final String region;
  private final boolean pathStyle;
  private final String runPrefix;

  private S3TestServer(Process process, Optional<URI> endpoint, String bucket, String region, boolean pathStyle,
      String runPrefix) {
    this.process = process;
    this.endpoint = endpoint;
    this.bucket = bucket;
    this.region = region;
    this.pathStyle = pathStyle;
    this.runPrefix = runPrefix;
  }

  /** @return the external endpoint named by the environment, or a freshly started S3Proxy */
  static S3TestServer start() {
    return start(false);
  }

  /**
   * @param local always start S3Proxy (tests that need plain HTTP between client and server)
   */
  static S3TestServer start(boolean local) {
    String externalBucket = System.getenv("MLOPS_S3_TEST_BUCKET");
    if (!local && externalBucket != null && !externalBucket.isBlank()) {
      Optional<URI> ep = Optional.ofNullable(System.getenv("MLOPS_S3_TEST_ENDPOINT")).filter(s -> !s.isBlank())
          .map(URI::create);
      String region = Optional.ofNullable(System.getenv("MLOPS_S3_TEST_REGION")).orElse("us-east-1");
      boolean pathStyle = Optional.ofNullable(System.getenv("MLOPS_S3_TEST_PATH_STYLE")).map(Boolean::parseBoolean)
          .orElse(ep.isPresent());
      return new S3TestServer(null, ep, externalBucket, region, pathStyle,
          "mlops-test-" + UUID.randomUUID().toString().substring(0, 8));
    }
    return startS3Proxy(true);
  }

  /**
   * Starts an S3Proxy that does not check request signatures, so a test proxy in front of it may
   * alter signed headers (e.g. drop {@code If-None-Match} to emulate a server that ignores it).
   */
  static S3TestServer startUnauthenticatedS3Proxy() {
    return startS3Proxy(false);
  }

  /** True when the tests talk to a server named by the environment rather than a local S3Proxy. */
  boolean external() {
    return process == null;
  }

  private static S3TestServer startS3Proxy(boolean authenticate) {
    String jar = System.getProperty("mlops.s3proxy.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("S3Proxy jar not found at '" + jar + "' (system property mlops.s3proxy.jar); "
          + "run the tests through Maven, which copies org.gaul:s3proxy:jar-with-dependencies there");
    }
    IOException last = null;
    for (int tries = 0; tries < 3; tries++) {
      try {
        return launch(Path.of(jar), authenticate);
      } catch (IOException e) {
        last = e;
      }
    }
    throw new IllegalStateException("S3Proxy did not start", last);
  }

  private static S3TestServer launch(Path jar, boolean authenticate) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path dir = Files.createTempDirectory("mlops-s3proxy-");
    Path props = dir.resolve("s3proxy.properties");
    URI endpoint = URI.create("http://127.0.0.1:" + port);
    Files.writeString(props, String.join("\n",
        "s3proxy.endpoint=" + endpoint,
        "s3proxy.authorization=" + (authenticate ? "aws-v2-or-v4" : "none"),
        "s3proxy.identity=" + ACCESS_KEY,
        "s3proxy.credential=" + SECRET_KEY,
        "jclouds.provider=transient-nio2",
        "jclouds.identity=unused",
        "jclouds.credential=unused",
        ""));
    Path log = dir.resolve("s3proxy.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-jar", jar.toString(), "--properties", props.toString()))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      if (!p.isAlive()) {
        throw new IOException("S3Proxy exited with " + p.exitValue() + "; log: " + Files.readString(log));
      }
      if (answers(endpoint, authenticate ? 403 : 200)) {
        break;
      }
      if (System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IOException("S3Proxy did not answer on " + endpoint + " within 60 s; log: " + Files.readString(log));
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    S3TestServer server = new S3TestServer(p, Optional.of(endpoint), LOCAL_BUCKET, "us-east-1", true, "");
    try (S3Client s3 = server.newClient()) {
      s3.createBucket(r -> r.bucket(LOCAL_BUCKET));
    }
    return server;
  }

  private static boolean answers(URI endpoint, int expected) {
    try {
      HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/").toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(2000);
      int code = c.getResponseCode();
      c.disconnect();
      return code == expected;
    } catch (IOException e) {
      return false;
    }
  }

  Optional<URI> endpoint() {
    return endpoint;
  }

  String bucket() {
    return bucket;
  }

  String region() {
    return region;
  }

  /** @return a fresh key prefix, so tests sharing a server (or a real bucket) never see each other's keys */
  String newPrefix(String name) {
    String p = name + "-" + UUID.randomUUID().toString().substring(0, 8);
    return runPrefix.isEmpty() ? p : runPrefix + "/" + p;
  }

  AwsCredentialsProvider credentials() {
    return external() ? DefaultCredentialsProvider.builder().build()
        : StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
  }

  /**
   * Writes this test JVM's class path as a {@code java} argument file ({@code -cp "..."}) in
   * {@code dir}, for child JVMs started with {@code @<file>} (a class path can be longer than a
   * command line may be).
   *
   * @param dir where to write it
   * @return the file
   * @throws java.io.IOException if it cannot be written
   */
  static java.nio.file.Path classpathArgFile(java.nio.file.Path dir) throws java.io.IOException {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    java.nio.file.Path file = dir.resolve("classpath");
    java.nio.file.Files.writeString(file, "-cp\n\"" + classpath.replace("\\", "\\\\") + "\"\n");
    return file;
  }

  /** Environment for a child JVM that opens {@link #uri} (credentials through the default chain). */
  Map<String, String> childEnvironment() {
    return external() ? Map.of() : Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
  }

  /** @return a client for the server, without SDK retries */
  S3Client newClient() {
    return newClient(endpoint);
  }

  /**
   * @return a client for a test's own raw reads and writes (planting foreign objects, checking what
   *     a store left), with the SDK's standard retries: such a call is set-up, not the code under
   *     test, and without retries it failed a test once when the server dropped a kept-alive
   *     connection ("Error writing request body to server" on a one-byte PUT)
   */
  S3Client newSetupClient() {
    S3ClientBuilder b = builder(endpoint, List.of())
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.standardRetryStrategy()));
    return b.build();
  }

  /** @return a client sending to {@code via} (e.g. a fault proxy in front of the server), without SDK retries */
  S3Client newClient(Optional<URI> via) {
    return newClient(via, List.of());
  }

  /** @return a client like {@link #newClient(Optional)} whose requests and responses pass {@code interceptors} */
  S3Client newClient(Optional<URI> via, List<ExecutionInterceptor> interceptors) {
    return builder(via, interceptors).build();
  }

  private S3ClientBuilder builder(Optional<URI> via, List<ExecutionInterceptor> interceptors) {
    S3ClientBuilder b = S3Client.builder()
        .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(20))
            .connectionTimeout(Duration.ofSeconds(5)).build())
        .credentialsProvider(credentials())
        .region(Region.of(region))
        .forcePathStyle(pathStyle)
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()).executionInterceptors(interceptors))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .serviceConfiguration(c -> c.expectContinueEnabled(false));
    via.ifPresent(b::endpointOverride);
    return b;
  }

  /** @return a store builder for {@code prefix} with the given client */
  S3ObjectStore.Builder storeBuilder(S3Client client, String prefix) {
    return S3ObjectStore.builder().client(client).bucket(bucket).prefix(prefix).jitterSeed(42);
  }

  /** @return an {@code s3:} URI for {@code prefix} */
  URI uri(String prefix) {
    StringBuilder sb = new StringBuilder("s3://").append(bucket).append('/').append(prefix)
        .append("?region=").append(region);
    endpoint.ifPresent(e -> sb.append("&endpoint=").append(e).append("&pathStyle=").append(pathStyle));
    return URI.create(sb.toString());
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
