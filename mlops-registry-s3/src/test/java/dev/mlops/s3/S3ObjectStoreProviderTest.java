package dev.mlops.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Mlops;
import dev.mlops.ModelVersion;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** The {@code s3:} URI: parsing and rejection without a server, then a real open through {@link Mlops}. */
class S3ObjectStoreProviderTest {

  @Test
  void isFoundByScheme() {
    assertThat(Mlops.installedSchemes()).containsEntry("s3", S3ObjectStoreProvider.class.getName());
  }

  @Test
  void unknownParametersAreRejectedNamingThem() {
    assertThatThrownBy(() -> new S3ObjectStoreProvider().open(URI.create("s3://bucket/p?regoin=eu-west-1")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("regoin")
        .hasMessageContaining("region").hasMessageContaining("endpoint").hasMessageContaining("pathStyle");
  }

  @Test
  void malformedUrisAreRejectedNamingTheBadPart() {
    assertThatThrownBy(() -> new S3ObjectStoreProvider().open(URI.create("s3:opaque")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no bucket");
    assertThatThrownBy(() -> new S3ObjectStoreProvider().open(URI.create("s3://Bad_Bucket/p")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Bad_Bucket");
    assertThatThrownBy(() -> new S3ObjectStoreProvider().open(URI.create("s3://bucket:9000/p")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endpoint=");
    assertThatThrownBy(() -> new S3ObjectStoreProvider().open(URI.create("s3://bucket/p?pathStyle=yes")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pathStyle").hasMessageContaining("yes");
    assertThatThrownBy(() -> new S3ObjectStoreProvider().open(URI.create("s3://bucket/p?endpoint=ftp://h")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ftp://h");
    assertThatThrownBy(() -> new S3ObjectStoreProvider().open(URI.create("s3://bucket/a/../b")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a/../b");
    assertThatThrownBy(() -> new S3ObjectStoreProvider().open(URI.create("s3://bucket/p?region=EU WEST".replace(" ", "%20"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EU WEST");
  }

  @Test
  void opensAWorkspaceThroughMlopsOpen() {
    try (S3TestServer server = S3TestServer.start()) {
      String prefix = server.newPrefix("provider");
      // The URI path resolves credentials through the AWS default chain; system properties are part of it.
      String oldKey = System.getProperty("aws.accessKeyId");
      String oldSecret = System.getProperty("aws.secretAccessKey");
      server.childEnvironment().forEach((k, v) -> System.setProperty(
          k.equals("AWS_ACCESS_KEY_ID") ? "aws.accessKeyId" : "aws.secretAccessKey", v));
      try {
        try (Workspace ws = Mlops.open(server.uri(prefix))) {
          ModelVersion v = ws.registry().register("via-uri", Registration.builder().description("x").build());
          assertThat(v.version()).isEqualTo(1);
        }
        try (Workspace ws = Mlops.open(server.uri(prefix).toString())) {
          assertThat(ws.registry().versions("via-uri")).hasSize(1);
          assertThat(ws.registry().verify("via-uri").ok()).isTrue();
        }
      } finally {
        restore("aws.accessKeyId", oldKey);
        restore("aws.secretAccessKey", oldSecret);
      }
    }
  }

  private static void restore(String name, String value) {
    if (value == null) {
      System.clearProperty(name);
    } else {
      System.setProperty(name, value);
    }
  }
}
