package dev.mlops.s3;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One S3 server (and one client) shared by the contract-kit classes, started on first use and
 * stopped when the test JVM exits. Lazy rather than {@code @BeforeAll} because the kit's jqwik
 * properties run outside JUnit Jupiter's lifecycle.
 *
 * <p>Thread-safe.
 */
final class SharedS3Server {
  private static S3TestServer server;
  private static S3Client client;
  private static final Map<S3ObjectStore, String> PREFIXES = new ConcurrentHashMap<>();

  private SharedS3Server() {}

  static synchronized S3TestServer server() {
    if (server == null) {
      server = S3TestServer.start();
      client = server.newClient();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        client.close();
        server.close();
      }));
    }
    return server;
  }

  /** @return a new store under a fresh prefix */
  static S3ObjectStore newStore(String name) {
    S3TestServer s = server();
    String prefix = s.newPrefix(name);
    S3ObjectStore store = s.storeBuilder(client, prefix).build();
    PREFIXES.put(store, prefix);
    return store;
  }

  /** @return a second store object over the same bucket and prefix as {@code store} */
  static S3ObjectStore openAgain(S3ObjectStore store) {
    String prefix = PREFIXES.get(store);
    if (prefix == null) {
      throw new IllegalArgumentException("not a store from SharedS3Server: " + store);
    }
    S3ObjectStore again = server().storeBuilder(client, prefix).build();
    PREFIXES.put(again, prefix);
    return again;
  }
}
