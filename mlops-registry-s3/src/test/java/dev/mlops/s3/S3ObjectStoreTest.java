package dev.mlops.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.AlreadyExistsException;
import dev.mlops.CorruptDataException;
import dev.mlops.StorageException;
import dev.mlops.s3.FaultInjectingProxy.Fault;
import dev.mlops.spi.BlobSink;
import dev.mlops.spi.ListPage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/** Focused tests of {@link S3ObjectStore} against a real S3 server (S3Proxy 4 by default). */
class S3ObjectStoreTest {
  private static final int PART = S3ObjectStore.MIN_PART_SIZE;
  private static S3TestServer server;
  private static S3Client direct;
  private static FaultInjectingProxy proxy;
  private static S3Client viaProxy;

  private String prefix;
  private S3ObjectStore store;

  @BeforeAll
  static void startServer() throws IOException {
    server = S3TestServer.start(true);
    direct = server.newSetupClient();
    proxy = new FaultInjectingProxy(server.endpoint().orElseThrow(), 7, 0.0, Set.of());
    viaProxy = server.newClient(Optional.of(proxy.endpoint()));
  }

  @AfterAll
  static void stopServer() throws IOException {
    viaProxy.close();
    proxy.close();
    direct.close();
    server.close();
  }

  @BeforeEach
  void openStore() {
    prefix = server.newPrefix("store");
    store = server.storeBuilder(viaProxy, prefix).partSize(PART)
        .retries(6, Duration.ofMillis(1), Duration.ofMillis(20)).build();
  }

  @AfterEach
  void closeStore() {
    store.close();
    proxy.faultRate(0);
  }

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private HeadObjectResponse rawHead(String key) {
    return direct.headObject(r -> r.bucket(server.bucket()).key(store.objectKey(key)));
  }

  @Test
  void createThenGetRoundTripsAndSecondCreateIsRefused() {
    byte[] v1 = "first".getBytes(StandardCharsets.UTF_8);
    store.create("models/m/log/0001.json", v1);
    assertThat(store.get("models/m/log/0001.json")).hasValue(v1);
    assertThatThrownBy(() -> store.create("models/m/log/0001.json", "second".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(AlreadyExistsException.class).hasMessageContaining("models/m/log/0001.json");
    assertThat(store.get("models/m/log/0001.json")).hasValue(v1);
    assertThat(store.get("models/m/log/0002.json")).isEmpty();
    assertThat(store.openStream("models/m/log/0002.json")).isEmpty();
  }

  @Test
  void everyObjectCarriesItsCommitIdAndDigest() {
    store.create("a/b", new byte[] {1, 2, 3});
    Map<String, String> metadata = rawHead("a/b").metadata();
    assertThat(metadata.get(S3ObjectStore.COMMIT_METADATA)).matches("[0-9a-f]{32}");
    assertThat(metadata.get(S3ObjectStore.SHA256_METADATA))
        .isEqualTo("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81");
  }

  @Test
  void createWhoseAnswerWasLostIsRecognisedAsOwnSuccess() {
    proxy.faultNext(r -> r.method().equals("PUT"), Fault.DROP_RESPONSE_AFTER_APPLY);
    byte[] content = "registered".getBytes(StandardCharsets.UTF_8);
    store.create("log/0001.json", content);
    assertThat(proxy.injected(Fault.DROP_RESPONSE_AFTER_APPLY)).isPositive();
    assertThat(store.get("log/0001.json")).hasValue(content);
    // Another writer is still refused.
    assertThatThrownBy(() -> store.create("log/0001.json", new byte[] {9}))
        .isInstanceOf(AlreadyExistsException.class);
  }

  @Test
  void throttlingAndServerErrorsAreRetried() {
    proxy.faultNext(r -> r.method().equals("PUT"), Fault.SLOW_DOWN_503);
    proxy.faultNext(r -> r.method().equals("PUT"), Fault.INTERNAL_ERROR_500);
    proxy.faultNext(r -> r.method().equals("GET"), Fault.RESET_BEFORE_REQUEST);
    int before503 = proxy.injected(Fault.SLOW_DOWN_503);
    store.create("k", new byte[] {4});
    assertThat(store.get("k")).hasValue(new byte[] {4});
    assertThat(proxy.injected(Fault.SLOW_DOWN_503)).isEqualTo(before503 + 1);
  }

  @Test
  void afterTheRetryBudgetTheErrorIsRetryableAndNamesTheKey() throws IOException {
    try (FaultInjectingProxy alwaysBusy = new FaultInjectingProxy(server.endpoint().orElseThrow(), 1, 0.0,
            Set.of(Fault.SLOW_DOWN_503));
        S3Client client = server.newClient(Optional.of(alwaysBusy.endpoint()));
        S3ObjectStore s = server.storeBuilder(client, prefix).retries(3, Duration.ofMillis(1), Duration.ofMillis(2))
            .build()) {
      alwaysBusy.faultRate(1.0);
      assertThatThrownBy(() -> s.create("busy/key", new byte[] {1}))
          .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.retryable()).isTrue())
          .hasMessageContaining("busy/key").hasMessageContaining("3 attempts").hasMessageContaining("503");
      assertThatThrownBy(() -> s.get("busy/key"))
          .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.retryable()).isTrue());
    }
  }

  @Test
  void missingBucketAndBadCredentialsAreNotRetryable() {
    assertThatThrownBy(() -> S3ObjectStore.builder().client(direct).bucket("no-such-bucket-mlops").build())
        .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining("no-such-bucket-mlops").hasMessageContaining("does not exist");
    try (S3Client wrong = S3Client.builder().endpointOverride(server.endpoint().orElseThrow()).forcePathStyle(true)
        .region(software.amazon.awssdk.regions.Region.US_EAST_1)
        .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
        .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("nobody", "wrong")))
        .build()) {
      assertThatThrownBy(() -> server.storeBuilder(wrong, prefix).build())
          .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.retryable()).isFalse())
          .hasMessageContaining("403");
    }
  }

  @Test
  void corruptContentIsDetectedOnGetAndWhileStreaming() throws IOException {
    String objectKey = store.objectKey("bad");
    direct.putObject(r -> r.bucket(server.bucket()).key(objectKey).metadata(Map.of(
            S3ObjectStore.COMMIT_METADATA, "x", S3ObjectStore.SHA256_METADATA, "0".repeat(64))),
        RequestBody.fromString("tampered"));
    assertThatThrownBy(() -> store.get("bad")).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining("'bad'").hasMessageContaining("SHA-256");
    try (InputStream in = store.openStream("bad").orElseThrow()) {
      assertThatThrownBy(in::readAllBytes).isInstanceOf(CorruptDataException.class).hasMessageContaining("'bad'");
    }
    direct.putObject(r -> r.bucket(server.bucket()).key(store.objectKey("foreign")), RequestBody.fromString("no digest"));
    assertThatThrownBy(() -> store.get("foreign")).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining("'foreign'").hasMessageContaining("not written by mlops");
  }

  @Test
  void largeContentGoesUpInPartsAndIsCreatedOnce() throws IOException {
    byte[] big = bytes(2 * PART + 12345, 1);
    store.createFromStream("blobs/big", new ByteArrayInputStream(big));
    assertThat(rawHead("blobs/big").eTag()).endsWith("-3\"");
    assertThat(store.get("blobs/big")).hasValue(big);
    try (InputStream in = store.openStream("blobs/big").orElseThrow()) {
      assertThat(in.readAllBytes()).isEqualTo(big);
    }
    assertThatThrownBy(() -> store.createFromStream("blobs/big", new ByteArrayInputStream(bytes(PART + 1, 2))))
        .isInstanceOf(AlreadyExistsException.class).hasMessageContaining("blobs/big");
    assertThat(store.get("blobs/big")).hasValue(big);
    assertThat(direct.listMultipartUploads(r -> r.bucket(server.bucket()).prefix(prefix)).uploads()).isEmpty();
  }

  @Test
  void smallStreamsGoUpInOnePut() throws IOException {
    byte[] small = bytes(1000, 3);
    store.createFromStream("blobs/small", new ByteArrayInputStream(small));
    assertThat(rawHead("blobs/small").eTag()).doesNotContain("-");
    assertThat(store.get("blobs/small")).hasValue(small);
  }

  @Test
  void lostCompletionAnswerIsRecognisedAsOwnSuccess() {
    proxy.faultNext(r -> r.method().equals("POST") && r.target().contains("uploadId="),
        Fault.DROP_RESPONSE_AFTER_APPLY);
    byte[] big = bytes(PART + 10, 4);
    store.createFromStream("blobs/lost", new ByteArrayInputStream(big));
    assertThat(store.get("blobs/lost")).hasValue(big);
  }

  @Test
  void blobSinkPublishesLargeContentUnderTheKeyChosenAfterwards() throws IOException {
    byte[] big = bytes(PART + 77, 5);
    try (BlobSink sink = store.newBlobSink()) {
      sink.stream().write(big);
      sink.publish("blobs/sha256/ab/cdef");
    }
    assertThat(store.get("blobs/sha256/ab/cdef")).hasValue(big);
    try (BlobSink sink = store.newBlobSink()) {
      sink.stream().write(big);
      assertThatThrownBy(() -> sink.publish("blobs/sha256/ab/cdef")).isInstanceOf(AlreadyExistsException.class);
    }
    try (BlobSink sink = store.newBlobSink()) {
      sink.stream().write(new byte[] {1, 2});
    } // closed without publishing: nothing stored
    assertThat(store.list("blobs/", "", 10).keys()).containsExactly("blobs/sha256/ab/cdef");
  }

  @Test
  void concurrentCreatesOfOneKeyHaveExactlyOneWinner() throws Exception {
    int writers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      for (boolean large : new boolean[] {false, true}) {
        String key = large ? "race/large" : "race/small";
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<byte[]> winners = new ConcurrentLinkedQueue<>();
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          byte[] content = bytes(large ? PART + 100 : 100, 100 + w);
          futures.add(pool.submit(() -> {
            start.await();
            try {
              if (large) {
                store.createFromStream(key, new ByteArrayInputStream(content));
              } else {
                store.create(key, content);
              }
              winners.add(content);
            } catch (AlreadyExistsException lost) {
              // expected for all but one
            }
            return null;
          }));
        }
        start.countDown();
        for (Future<?> f : futures) {
          f.get();
        }
        assertThat(winners).hasSize(1);
        assertThat(store.get(key)).hasValue(winners.peek());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aGetWhoseBodyIsCutOffMidwayIsRetried() {
    byte[] content = bytes(64 * 1024, 8);
    store.create("blobs/cut", content);
    int before = proxy.injected(Fault.RESET_MID_RESPONSE);
    proxy.faultNext(r -> r.method().equals("GET") && r.target().contains("blobs/cut"), Fault.RESET_MID_RESPONSE);
    assertThat(store.get("blobs/cut")).hasValue(content);
    assertThat(proxy.injected(Fault.RESET_MID_RESPONSE)).isEqualTo(before + 1);
  }

  @Test
  void aGetOfAnObjectTooLargeForAnArrayIsRefusedUnread() {
    // The server cannot hold 3 GiB here; the client is told the object has that many bytes.
    ExecutionInterceptor claimsHuge = new ExecutionInterceptor() {
      @Override
      public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        if (context.httpRequest().method() == SdkHttpMethod.GET && context.httpRequest().encodedPath().contains("huge")) {
          return context.httpResponse().toBuilder().putHeader("Content-Length", String.valueOf(3L << 30)).build();
        }
        return context.httpResponse();
      }
    };
    try (S3Client client = server.newClient(Optional.of(proxy.endpoint()), List.of(claimsHuge));
        S3ObjectStore s = server.storeBuilder(client, prefix).build()) {
      s.create("blobs/huge", new byte[] {1, 2, 3});
      assertThatThrownBy(() -> s.get("blobs/huge"))
          .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.retryable()).isFalse())
          .hasMessageContaining("'blobs/huge'").hasMessageContaining("3221225472 bytes")
          .hasMessageContaining("use openStream");
      assertThat(s.get("blobs/not-large")).isEmpty();
    }
  }

  @Test
  void aStreamCutOffMidwayResumesWhereItStopped() throws IOException {
    byte[] big = bytes(PART + 4096, 6);
    store.createFromStream("blobs/resume", new ByteArrayInputStream(big));
    proxy.faultNext(r -> r.method().equals("GET") && r.target().contains("blobs/resume"), Fault.RESET_MID_RESPONSE);
    try (InputStream in = store.openStream("blobs/resume").orElseThrow()) {
      assertThat(in.readAllBytes()).isEqualTo(big);
    }
    assertThat(proxy.injected(Fault.RESET_MID_RESPONSE)).isPositive();
  }

  @Test
  void listPagesRelativeKeysInOrder() {
    for (String k : List.of("runs/b", "runs/a", "runs/c/1", "runs/c/2", "models/x", "runsx")) {
      store.create(k, new byte[] {1});
    }
    direct.putObject(r -> r.bucket(server.bucket()).key(store.objectKey("runs/not valid")), RequestBody.fromString("x"));
    direct.putObject(r -> r.bucket(server.bucket()).key(prefix + "/runs/unterminated"), RequestBody.fromString("x"));
    assertThat(store.list("runs/", "", 1000)).isEqualTo(new ListPage(List.of("runs/a", "runs/b", "runs/c/1", "runs/c/2"), false));
    assertThat(store.list("runs/", "runs/a", 2)).isEqualTo(new ListPage(List.of("runs/b", "runs/c/1"), true));
    assertThat(store.list("runs/", "runs/c/1", 2)).isEqualTo(new ListPage(List.of("runs/c/2"), false));
    assertThat(store.list("", "", 1000).keys()).containsExactly("models/x", "runs/a", "runs/b", "runs/c/1", "runs/c/2", "runsx");
    assertThat(store.listAll("runs").toList()).containsExactly("runs/a", "runs/b", "runs/c/1", "runs/c/2", "runsx");
    assertThat(store.list("nothing/", "", 10)).isEqualTo(new ListPage(List.of(), false));
    assertThatThrownBy(() -> store.list("runs/", "", 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.list("../", "", 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aKeyAndKeysBelowItCoexistAndListInKeyOrder() {
    for (String k : List.of("a/b/c", "a/b", "a/b-x", "a/b.y", "a/b0")) {
      store.create(k, k.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(store.list("a/", "", 100).keys()).containsExactly("a/b", "a/b-x", "a/b.y", "a/b/c", "a/b0");
    assertThat(store.list("a/b", "a/b", 100).keys()).containsExactly("a/b-x", "a/b.y", "a/b/c", "a/b0");
    assertThat(store.get("a/b")).hasValue("a/b".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void storesUnderDifferentPrefixesDoNotSeeEachOther() {
    store.create("shared/key", new byte[] {1});
    try (S3ObjectStore other = server.storeBuilder(viaProxy, server.newPrefix("other")).build()) {
      assertThat(other.get("shared/key")).isEmpty();
      assertThat(other.list("", "", 10).keys()).isEmpty();
      other.create("shared/key", new byte[] {2});
    }
    assertThat(store.get("shared/key")).hasValue(new byte[] {1});
  }

  @Test
  void deleteSaysWhetherSomethingWasDeleted() {
    store.create("gc/me", new byte[] {1});
    assertThat(store.delete("gc/me")).isTrue();
    assertThat(store.delete("gc/me")).isFalse();
    assertThat(store.get("gc/me")).isEmpty();
    store.create("gc/me", new byte[] {2});
    assertThat(store.get("gc/me")).hasValue(new byte[] {2});
  }

  @Test
  void theProbeLeavesNothingBehindAndCapabilitiesAreDeclared() {
    assertThat(store.list("", "", 10).keys()).isEmpty();
    assertThat(direct.listObjectsV2(r -> r.bucket(server.bucket()).prefix(prefix + "/")).contents()).isEmpty();
    assertThat(direct.listMultipartUploads(r -> r.bucket(server.bucket()).prefix(prefix)).uploads()).isEmpty();
    assertThat(store.capabilities().persistent()).isTrue();
    assertThat(store.capabilities().multiProcess()).isTrue();
  }

  @Test
  void invalidKeysAreRejectedBeforeAnyRequest() {
    int before = proxy.requests();
    for (String bad : List.of("", "/a", "a/", "a//b", "a/../b", "a b", "ä")) {
      assertThatThrownBy(() -> store.create(bad, new byte[0])).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.get(bad)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(proxy.requests()).isEqualTo(before);
  }

  @Test
  void closeEndsTheStoreButNotTheCallersClient() {
    store.close();
    store.close();
    assertThatThrownBy(() -> store.get("k")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.create("k", new byte[0])).isInstanceOf(IllegalStateException.class);
    assertThat(viaProxy.listBuckets().buckets()).isNotEmpty();
  }

  @Test
  void builderRejectsBadSettingsNamingThem() {
    assertThatThrownBy(() -> S3ObjectStore.builder().bucket("Bad_Bucket")).hasMessageContaining("Bad_Bucket");
    assertThatThrownBy(() -> S3ObjectStore.builder().prefix("a/../b")).hasMessageContaining("a/../b");
    assertThatThrownBy(() -> S3ObjectStore.builder().partSize(1024)).hasMessageContaining("1024");
    assertThatThrownBy(() -> S3ObjectStore.builder().endpoint(java.net.URI.create("ftp://x")))
        .hasMessageContaining("ftp://x");
    assertThatThrownBy(() -> S3ObjectStore.builder().build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("bucket");
    assertThatThrownBy(() -> S3ObjectStore.builder().bucket("abc").client(direct).region("eu-west-1").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("client");
  }
}
