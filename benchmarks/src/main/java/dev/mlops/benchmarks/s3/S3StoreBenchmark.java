package dev.mlops.benchmarks.s3;

import dev.mlops.s3.S3ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * {@code s3:} store operations beside the raw AWS SDK calls they wrap, in the same run, against a
 * local S3Proxy 4 child process (in-memory storage) on 127.0.0.1. Both sides use one
 * {@link S3Client} configured alike (apache5 HTTP client as the store's own, no SDK retries, no trailing
 * checksums), so the difference is the store's own work: key checks, SHA-256 of the content,
 * metadata, {@code If-None-Match: *}, digest verification on read.
 *
 * <p><b>Equal warm-up.</b> JMH runs each benchmark in its own forked JVM, so each trial starts its
 * own S3Proxy (one per benchmark JVM), and S3Proxy, a separate JVM, keeps getting faster for about
 * a minute after it starts. Without care each benchmark would meet a server warmed only by its own
 * operation, for as long as its own warm-up iterations last, which favours whichever operation the
 * server happens to compile first. So the trial setup, after starting the server, runs
 * {@link #serverWarmupRounds} rounds of the same mix for every benchmark: one of each small-object
 * operation below (raw get, raw get of the object with the store's headers, store get, raw put,
 * raw put with the store's headers, store create), interleaved. Every benchmark then starts against
 * a server (and a client JVM) that has executed the same requests in the same order and holds the
 * same objects; JMH's own warm-up iterations follow as usual.
 *
 * <p>The S3Proxy jar comes from {@code -Dmlops.s3proxy.jar=...}, else the local Maven repository.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class S3StoreBenchmark {
  private static final String BUCKET = "bench";
  private static final String PREFIX = "bench";

  @Param({"1024"})
  public int size;

  /** Rounds of the warm-up mix (one of each small-object operation) run before every trial. */
  @Param({"3000"})
  public int serverWarmupRounds;

  private Process server;
  private S3Client client;
  private S3ObjectStore store;
  private byte[] content;
  private final AtomicLong counter = new AtomicLong();

  @Setup(Level.Trial)
  public void start() throws Exception {
    URI endpoint = startS3Proxy();
    client = S3Client.builder()
        .httpClient(Apache5HttpClient.builder().socketTimeout(Duration.ofSeconds(60)).build())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench-secret")))
        .region(Region.US_EAST_1).endpointOverride(endpoint).forcePathStyle(true)
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .serviceConfiguration(c -> c.expectContinueEnabled(false))
        .build();
    client.createBucket(r -> r.bucket(BUCKET));
    store = S3ObjectStore.builder().client(client).bucket(BUCKET).prefix(PREFIX).jitterSeed(1).build();
    content = new byte[size];
    new Random(1).nextBytes(content);
    store.create("fixed/key", content);
    client.putObject(r -> r.bucket(BUCKET).key("raw/fixed"), RequestBody.fromBytes(content));
    String sha = java.util.HexFormat.of().formatHex(sha256(content));
    client.putObject(r -> r.bucket(BUCKET).key("rawh/fixed")
        .metadata(java.util.Map.of("mlops-commit", "fixed", "mlops-sha256", sha)), RequestBody.fromBytes(content));
    for (int i = 0; i < serverWarmupRounds; i++) {
      rawGetObject();
      rawGetObjectSameHeaders();
      storeGet();
      rawPutObject();
      rawPutObjectSameHeaders();
      storeCreate();
    }
  }

  @TearDown(Level.Trial)
  public void stop() throws InterruptedException {
    store.close();
    client.close();
    server.destroy();
    if (!server.waitFor(10, TimeUnit.SECONDS)) {
      server.destroyForcibly();
    }
  }

  /** The store's create-if-absent of a new key. */
  @Benchmark
  public void storeCreate() {
    store.create("keys/" + counter.incrementAndGet(), content);
  }

  /** A plain PutObject of a new key, as a user of the SDK alone would write it. */
  @Benchmark
  public Object rawPutObject() {
    return client.putObject(r -> r.bucket(BUCKET).key("raw/" + counter.incrementAndGet()),
        RequestBody.fromBytes(content));
  }

  /**
   * A raw PutObject doing what the store's create asks the server to do: the same two user-metadata
   * headers (commit id, SHA-256 of the content) and {@code If-None-Match: *}. Separates the server's
   * cost of those headers from the store's own work.
   */
  @Benchmark
  public Object rawPutObjectSameHeaders() {
    String sha = java.util.HexFormat.of().formatHex(sha256(content));
    return client.putObject(r -> r.bucket(BUCKET).key("rawh/" + counter.incrementAndGet()).ifNoneMatch("*")
            .metadata(java.util.Map.of("mlops-commit", java.util.UUID.randomUUID().toString(), "mlops-sha256", sha)),
        RequestBody.fromBytes(content));
  }

  /** A raw GetObject of an object carrying the store's headers, with the same SHA-256 check. */
  @Benchmark
  public byte[] rawGetObjectSameHeaders() {
    return rawGetVerified("rawh/fixed");
  }

  /** A raw GetObject of {@code key} with the store's SHA-256 check against its metadata. */
  private byte[] rawGetVerified(String key) {
    var bytes = client.getObjectAsBytes(r -> r.bucket(BUCKET).key(key));
    byte[] b = bytes.asByteArray();
    if (!java.util.HexFormat.of().formatHex(sha256(b)).equals(bytes.response().metadata().get("mlops-sha256"))) {
      throw new IllegalStateException("digest mismatch");
    }
    return b;
  }

  private static byte[] sha256(byte[] b) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(b);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The store's verified read of a whole object. */
  @Benchmark
  public byte[] storeGet() {
    return store.get("fixed/key").orElseThrow();
  }

  /** A plain GetObject read into memory. */
  @Benchmark
  public byte[] rawGetObject() {
    return client.getObjectAsBytes(r -> r.bucket(BUCKET).key("raw/fixed")).asByteArray();
  }

  /** Large content: the store's multipart create versus the raw SDK's multipart upload. */
  @State(Scope.Benchmark)
  public static class Multipart {
    @Param({"67108864"})
    public int bytes;

    byte[] big;

    @Setup(Level.Trial)
    public void fill() {
      big = new byte[bytes];
      new Random(2).nextBytes(big);
    }
  }

  /** createFromStream of 64 MiB (8 MiB parts; staged to a temp file while its SHA-256 is computed). */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public void storeCreateFromStream64MiB(Multipart m) {
    String key = "big/" + counter.incrementAndGet();
    store.createFromStream(key, new ByteArrayInputStream(m.big));
    store.delete(key); // keep the in-memory server small; measured on both sides alike
  }

  /** The raw SDK's multipart upload of the same 64 MiB in 8 MiB parts from memory. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public void rawMultipart64MiB(Multipart m) {
    String key = "rawbig/" + counter.incrementAndGet();
    String uploadId = client.createMultipartUpload(r -> r.bucket(BUCKET).key(key)).uploadId();
    List<CompletedPart> parts = new ArrayList<>();
    int part = 8 << 20;
    for (int off = 0, n = 1; off < m.big.length; off += part, n++) {
      int len = Math.min(part, m.big.length - off);
      int number = n;
      int from = off;
      String etag = client.uploadPart(r -> r.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(number)
          .contentLength((long) len), RequestBody.fromContentProvider(
              () -> new ByteArrayInputStream(m.big, from, len), len, "application/octet-stream")).eTag();
      parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
    }
    client.completeMultipartUpload(r -> r.bucket(BUCKET).key(key).uploadId(uploadId)
        .multipartUpload(u -> u.parts(parts)));
    client.headObject(r -> r.bucket(BUCKET).key(key)); // the store's delete looks first, too
    client.deleteObject(r -> r.bucket(BUCKET).key(key));
  }

  /**
   * An interleaved comparison outside JMH, in one JVM against one server: after the same warm-up
   * mix, {@code rounds} rounds each time {@code perBlock} calls of every small-object operation in
   * turn (the order rotates every round), plus a raw read of the store's own object, and prints
   * per operation the median of its blocks (wall time and the calling thread's CPU time per call)
   * and the store/raw ratios. JMH runs every
   * benchmark in its own JVM with its own server, and on a small machine those JVMs differ by
   * more than 10 % from one fork to the next; interleaving puts store and raw calls side by side
   * in time, on the same compiled code and the same server.
   *
   * <p>Usage: {@code java [-Dmlops.s3proxy.jar=...] -cp benchmarks.jar
   * dev.mlops.benchmarks.s3.S3StoreBenchmark [warmupRounds=3000] [rounds=40] [perBlock=1000]}
   *
   * @param args optional warm-up rounds, rounds, calls per block
   * @throws Exception if the server cannot be started
   */
  public static void main(String[] args) throws Exception {
    S3StoreBenchmark b = new S3StoreBenchmark();
    b.size = 1024;
    b.serverWarmupRounds = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    int perBlock = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    String[] names = {"rawGetObject", "rawGetObjectSameHeaders", "storeGet", "rawPutObject",
        "rawPutObjectSameHeaders", "storeCreate", "rawGetOfStoreObject"};
    java.util.function.Supplier<?>[] ops = {b::rawGetObject, b::rawGetObjectSameHeaders, b::storeGet, b::rawPutObject,
        b::rawPutObjectSameHeaders, () -> {
          b.storeCreate();
          return b;
        }, b::rawGetOfStoreObject};
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    double[][] wall = new double[ops.length][rounds];
    double[][] cpu = new double[ops.length][rounds];
    b.start();
    try {
      int sink = 0;
      for (int round = 0; round < rounds; round++) {
        for (int k = 0; k < ops.length; k++) {
          int op = (k + round) % ops.length;
          long t = System.nanoTime();
          long c = threads.getCurrentThreadCpuTime();
          for (int i = 0; i < perBlock; i++) {
            sink += System.identityHashCode(ops[op].get());
          }
          wall[op][round] = (System.nanoTime() - t) / 1e3 / perBlock;
          cpu[op][round] = (threads.getCurrentThreadCpuTime() - c) / 1e3 / perBlock;
        }
      }
      double[] median = new double[ops.length];
      for (int op = 0; op < ops.length; op++) {
        median[op] = median(wall[op]);
        System.out.printf("%-24s median %7.1f us/op (calling thread CPU %6.1f us/op); blocks:%s%n", names[op],
            median[op], median(cpu[op]), java.util.Arrays.stream(wall[op]).mapToObj(v -> String.format(" %.0f", v))
                .collect(java.util.stream.Collectors.joining()));
      }
      System.out.printf("store/raw: create %.3f (same headers %.3f), get %.3f (same headers %.3f, raw get of the "
              + "store's own object %.3f)%s%n", median[5] / median[3], median[5] / median[4], median[2] / median[0],
          median[2] / median[1], median[2] / median[6], sink == 42 ? " " : "");
    } finally {
      b.stop();
    }
  }

  /**
   * For {@link #main} only: the raw SDK read of the very object {@link #storeGet} reads (its name,
   * {@code bench/fixed/key!}, and its headers), with the same SHA-256 check; what remains between
   * the two is the store's code.
   */
  private byte[] rawGetOfStoreObject() {
    return rawGetVerified(PREFIX + "/fixed/key!");
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private URI startS3Proxy() throws Exception {
    String jar = System.getProperty("mlops.s3proxy.jar", Path.of(System.getProperty("user.home"),
        ".m2/repository/org/gaul/s3proxy/4.0.0/s3proxy-4.0.0-jar-with-dependencies.jar").toString());
    if (!Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("S3Proxy jar not found at " + jar + "; pass -Dmlops.s3proxy.jar=... (the "
          + "org.gaul:s3proxy:4.0.0:jar-with-dependencies artifact)");
    }
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    URI endpoint = URI.create("http://127.0.0.1:" + port);
    Path dir = Files.createTempDirectory("mlops-bench-s3proxy-");
    Path props = dir.resolve("s3proxy.properties");
    Files.writeString(props, String.join("\n", "s3proxy.endpoint=" + endpoint, "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=bench", "s3proxy.credential=bench-secret", "jclouds.provider=transient-nio2",
        "jclouds.identity=unused", "jclouds.credential=unused", ""));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    server = new ProcessBuilder(java, "-Xmx1g", "-jar", jar, "--properties", props.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::destroyForcibly));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new IllegalStateException("S3Proxy exited; see " + dir.resolve("s3proxy.log"));
      }
      try {
        HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/").toURL().openConnection();
        c.setConnectTimeout(500);
        if (c.getResponseCode() == 403) {
          return endpoint;
        }
      } catch (IOException notYet) {
        // starting
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("S3Proxy did not start within 60 s");
  }
}
