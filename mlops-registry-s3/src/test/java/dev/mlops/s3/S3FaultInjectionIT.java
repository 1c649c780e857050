package dev.mlops.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ArtifactRef;
import dev.mlops.Digest;
import dev.mlops.Mlops;
import dev.mlops.MlopsException;
import dev.mlops.ModelVersion;
import dev.mlops.Registration;
import dev.mlops.StorageException;
import dev.mlops.Workspace;
import dev.mlops.s3.FaultInjectingProxy.Fault;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The store and the registry behind a proxy that faults 10 % of requests (seeded): connection
 * resets, delays, 503 SlowDown, 500, responses dropped after the server applied the write, bodies
 * cut midway. Every operation must succeed or fail with a retryable {@link StorageException};
 * afterwards the registry log verifies, versions are gap-free and unique, and everything the
 * client was told is committed is there. The retry budget is kept small (3 attempts) so that
 * some operations do exhaust it and the failure path is exercised too.
 */
class S3FaultInjectionIT {
  private static final long SEED = 20261127L;
  private static final double FAULT_RATE = 0.10;
  private static S3TestServer server;
  private static FaultInjectingProxy proxy;
  private static S3Client viaProxy;
  private static S3Client direct;

  @BeforeAll
  static void start() throws IOException {
    S3TestServer candidate = S3TestServer.start();
    // The proxy speaks plain HTTP: an https endpoint from the environment is replaced by S3Proxy.
    if (candidate.external() && !candidate.endpoint().map(e -> e.getScheme().equals("http")).orElse(false)) {
      candidate.close();
      candidate = S3TestServer.start(true);
    }
    server = candidate;
    proxy = new FaultInjectingProxy(server.endpoint().orElseThrow(), SEED, 0.0, EnumSet.allOf(Fault.class));
    viaProxy = server.newClient(Optional.of(proxy.endpoint()));
    direct = server.newSetupClient();
  }

  @AfterAll
  static void stop() throws IOException {
    viaProxy.close();
    direct.close();
    proxy.close();
    server.close();
  }

  private static S3ObjectStore faultyStore(String prefix) {
    proxy.faultRate(0); // the capability probe is not under test here
    S3ObjectStore store = server.storeBuilder(viaProxy, prefix).partSize(S3ObjectStore.MIN_PART_SIZE)
        .retries(3, Duration.ofMillis(5), Duration.ofMillis(100)).jitterSeed(SEED).build();
    proxy.faultRate(FAULT_RATE);
    return store;
  }

  private static void expectRetryable(RuntimeException e, List<String> unexpected) {
    if (!(e instanceof StorageException) || !((StorageException) e).retryable()) {
      unexpected.add(e.toString());
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void racingCreatesUnderFaultsHaveOneWinnerAndNoFalseConflict() throws Exception {
    String prefix = server.newPrefix("faults-store");
    int keys = 150;
    int writers = 2;
    // outcome per (writer, key): "ok", "exists", "failed"
    Map<String, String> outcome = new ConcurrentHashMap<>();
    List<String> unexpected = new ArrayList<>();
    Map<Fault, Integer> before = proxy.injectedCounts();
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try (S3ObjectStore store = faultyStore(prefix)) {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        futures.add(pool.submit(() -> {
          go.await();
          for (int k = 0; k < keys; k++) {
            String key = "race/k" + k;
            byte[] content = ("writer " + writer + " key " + k).getBytes(StandardCharsets.UTF_8);
            String result;
            try {
              if (k % 25 == 0) {
                byte[] big = Arrays.copyOf(content, S3ObjectStore.MIN_PART_SIZE + 1000);
                store.createFromStream(key, new ByteArrayInputStream(big));
              } else {
                store.create(key, content);
              }
              result = "ok";
            } catch (AlreadyExistsException e) {
              result = "exists";
            } catch (RuntimeException e) {
              synchronized (unexpected) {
                expectRetryable(e, unexpected);
              }
              result = "failed";
            }
            outcome.put(writer + "/" + k, result);
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
      proxy.faultRate(0);
    }
    assertThat(unexpected).as("errors other than a retryable StorageException").isEmpty();
    try (S3ObjectStore check = server.storeBuilder(direct, prefix).build()) {
      int failures = 0;
      for (int k = 0; k < keys; k++) {
        Optional<byte[]> stored = check.get("race/k" + k);
        List<Integer> winners = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          String o = outcome.get(w + "/" + k);
          if (o.equals("ok")) {
            winners.add(w);
          }
          if (o.equals("failed")) {
            failures++;
          }
        }
        assertThat(winners).as("writers told they created key %d", k).hasSizeLessThanOrEqualTo(1);
        if (!winners.isEmpty()) {
          assertThat(stored).as("key %d, created by writer %d", k, winners.get(0)).isPresent();
          assertThat(new String(stored.get(), StandardCharsets.UTF_8)).startsWith("writer " + winners.get(0) + " ");
        }
        if (stored.isPresent()) {
          int owner = new String(stored.get(), StandardCharsets.UTF_8).charAt("writer ".length()) - '0';
          // The owner was told it won, or its create failed retryably; never a false "already exists".
          assertThat(outcome.get(owner + "/" + k)).as("outcome of the writer whose content is stored at key %d", k)
              .isIn("ok", "failed");
        } else {
          for (int w = 0; w < writers; w++) {
            assertThat(outcome.get(w + "/" + k)).as("key %d is absent", k).isEqualTo("failed");
          }
        }
      }
      System.out.println("S3FaultInjectionIT (store): " + proxy.injectedCounts() + ", " + failures
          + " creates failed retryably of " + keys * writers);
    }
    for (Fault f : List.of(Fault.DROP_RESPONSE_AFTER_APPLY, Fault.RESET_BEFORE_REQUEST, Fault.SLOW_DOWN_503,
        Fault.INTERNAL_ERROR_500, Fault.DELAY)) {
      assertThat(proxy.injected(f)).as("%s injected during this test", f).isGreaterThan(before.get(f));
    }
  }

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void registryUnderFaultsLosesNothingItReportedAndVerifies() throws Exception {
    String prefix = server.newPrefix("faults-ws");
    URI uri = server.uri(prefix);
    int threads = 3;
    int each = 40;
    record Reported(int version, String op, Digest artifact, byte[] content) {}
    ConcurrentLinkedQueue<Reported> reported = new ConcurrentLinkedQueue<>();
    List<String> unexpected = new ArrayList<>();
    AtomicInteger failed = new AtomicInteger();
    Map<Fault, Integer> before = proxy.injectedCounts();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (Workspace ws = Mlops.open(uri, faultyStore(prefix))) {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          Random random = new Random(SEED + thread);
          for (int i = 0; i < each; i++) {
            String op = "t" + thread + "-" + i;
            byte[] content = new byte[i % 20 == 0 ? S3ObjectStore.MIN_PART_SIZE + 4096 : 2048];
            random.nextBytes(content);
            try {
              ArtifactRef ref = ws.artifacts().put(content);
              ModelVersion v = ws.registry().register("faulty", Registration.builder()
                  .artifact("model.bin", ref).tag("op", op).description(op).build());
              reported.add(new Reported(v.version(), op, ref.digest(), content));
              // Reads under faults: verified content or a retryable failure.
              assertThat(ws.artifacts().read(ref.digest())).isEqualTo(content);
            } catch (MlopsException e) {
              failed.incrementAndGet();
              synchronized (unexpected) {
                expectRetryable(e, unexpected);
              }
            } catch (RuntimeException e) {
              synchronized (unexpected) {
                unexpected.add(e.toString());
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
      proxy.faultRate(0);
    }
    assertThat(unexpected).as("errors other than a retryable StorageException").isEmpty();

    try (Workspace ws = Mlops.open(uri, server.storeBuilder(direct, prefix).build())) {
      List<ModelVersion> versions = ws.registry().versions("faulty");
      assertThat(versions).extracting(ModelVersion::version)
          .isEqualTo(IntStream.rangeClosed(1, versions.size()).boxed().toList());
      assertThat(versions.stream().map(v -> v.tags().get("op")).distinct().count())
          .as("no operation registered twice").isEqualTo(versions.size());
      assertThat(ws.registry().verify("faulty").ok()).as(ws.registry().verify("faulty").toString()).isTrue();
      assertThat(versions.size()).isGreaterThanOrEqualTo(reported.size());
      for (Reported r : reported) {
        ModelVersion v = versions.get(r.version() - 1);
        assertThat(v.tags().get("op")).as("version %d", r.version()).isEqualTo(r.op());
        assertThat(v.artifacts().get("model.bin").digest()).isEqualTo(r.artifact());
        assertThat(ws.artifacts().read(r.artifact())).isEqualTo(r.content());
      }
      for (Fault f : Fault.values()) {
        assertThat(proxy.injected(f)).as("%s injected during this test", f).isGreaterThan(before.get(f));
      }
      System.out.println("S3FaultInjectionIT (registry): " + proxy.injectedCounts() + "; " + reported.size()
          + " registrations reported, " + failed.get() + " failed retryably, " + versions.size() + " stored");
    }
  }
}
