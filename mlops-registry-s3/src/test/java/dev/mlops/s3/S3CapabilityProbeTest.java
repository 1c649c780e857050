package dev.mlops.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.StorageException;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The capability probe at open, against a server that ignores {@code If-None-Match: *}: S3Proxy
 * behind a proxy that drops the header (S3Proxy runs without signature checks here, since the
 * header is signed).
 */
class S3CapabilityProbeTest {
  private static S3TestServer server;
  private static FaultInjectingProxy proxy;

  @BeforeAll
  static void start() throws IOException {
    server = S3TestServer.startUnauthenticatedS3Proxy();
    proxy = new FaultInjectingProxy(server.endpoint().orElseThrow(), 1, 0.0, Set.of());
  }

  @AfterAll
  static void stop() throws IOException {
    proxy.close();
    server.close();
  }

  @Test
  void aServerThatHonoursConditionalWritesPassesTheProbe() {
    proxy.stripConditionalHeaders(false);
    try (S3Client client = server.newClient(Optional.of(proxy.endpoint()));
        S3ObjectStore store = server.storeBuilder(client, server.newPrefix("probe")).build()) {
      store.create("k", new byte[] {1});
      assertThat(store.get("k")).hasValue(new byte[] {1});
    }
  }

  @Test
  void aServerThatIgnoresConditionalWritesIsRefusedNamingTheEndpoint() {
    proxy.stripConditionalHeaders(true);
    try (S3Client client = server.newClient(Optional.of(proxy.endpoint()))) {
      String prefix = server.newPrefix("probe");
      assertThatThrownBy(() -> server.storeBuilder(client, prefix).build())
          .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.retryable()).isFalse())
          .hasMessageContaining(proxy.endpoint().toString())
          .hasMessageContaining("If-None-Match")
          .hasMessageContaining("PutObject");
      // The probe cleaned up after itself.
      assertThat(client.listObjectsV2(r -> r.bucket(server.bucket()).prefix(prefix + "/")).contents()).isEmpty();
    } finally {
      proxy.stripConditionalHeaders(false);
    }
  }

  @Test
  void aServerThatIgnoresConditionalCompletionOfMultipartUploadsIsRefused() {
    proxy.stripConditionalHeaders(r -> r.method().equals("POST"));
    try (S3Client client = server.newClient(Optional.of(proxy.endpoint()))) {
      assertThatThrownBy(() -> server.storeBuilder(client, server.newPrefix("probe")).build())
          .isInstanceOf(StorageException.class)
          .hasMessageContaining(proxy.endpoint().toString())
          .hasMessageContaining("CompleteMultipartUpload");
      // A refused client is probed again at its next open, not remembered as good.
      assertThatThrownBy(() -> server.storeBuilder(client, server.newPrefix("probe")).build())
          .isInstanceOf(StorageException.class);
    } finally {
      proxy.stripConditionalHeaders(false);
    }
  }
}
