package dev.mlops.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.NotFoundException;
import dev.mlops.core.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files in and out of artifact storage; checksummed descriptors. Store: the real {@code mem:} store, edited through the SPI. */
class ArtifactFilesTest {
  @TempDir Path dir;
  private final MemObjectStore store = new MemObjectStore();
  private final CoreArtifacts artifacts = new CoreArtifacts(store);

  private static byte[] content(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  private void replace(String key, byte[] bytes) {
    store.delete(key);
    store.create(key, bytes);
  }

  private String[] filesIn(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
    }
  }

  @Test
  void aFileIsStoredWithItsGuessedMediaTypeAndDownloadedBack() throws IOException {
    byte[] bytes = content(3 * PipelinedSha256.CHUNK + 17);
    Path file = Files.write(dir.resolve("model.ONNX"), bytes);

    ArtifactRef ref = artifacts.put(file);
    assertThat(ref.digest()).isEqualTo(Digest.of(bytes));
    assertThat(ref.size()).isEqualTo(bytes.length);
    assertThat(ref.mediaType()).isEqualTo("application/onnx");
    assertThat(artifacts.put(file, ArtifactSpec.of("application/x-mine")).mediaType()).isEqualTo("application/x-mine");

    Path out = dir.resolve("copy.onnx");
    assertThat(artifacts.download(ref.digest(), out)).isEqualTo(bytes.length);
    assertThat(Files.readAllBytes(out)).isEqualTo(bytes);
    assertThat(filesIn(dir)).containsExactly("copy.onnx", "model.ONNX");
  }

  @Test
  void mediaTypesAreGuessedFromTheExtensionOnly() {
    assertThat(ArtifactSpec.forFileName("plots/roc.png").mediaType()).isEqualTo("image/png");
    assertThat(ArtifactSpec.forFileName("metrics.json").mediaType()).isEqualTo("application/json");
    assertThat(ArtifactSpec.forFileName("data.tar.gz").mediaType()).isEqualTo("application/gzip");
    assertThat(ArtifactSpec.forFileName("weights").mediaType()).isEqualTo(ArtifactRef.DEFAULT_MEDIA_TYPE);
    assertThat(ArtifactSpec.forFileName("a.unknownext").mediaType()).isEqualTo(ArtifactRef.DEFAULT_MEDIA_TYPE);
    assertThat(ArtifactSpec.forFileName("dir.json/file").mediaType()).isEqualTo(ArtifactRef.DEFAULT_MEDIA_TYPE);
  }

  @Test
  void anExistingTargetIsKeptUnlessReplacingIsAsked() throws IOException {
    ArtifactRef ref = artifacts.put("new".getBytes(UTF_8));
    Path out = Files.writeString(dir.resolve("model.bin"), "old");

    assertThatThrownBy(() -> artifacts.download(ref.digest(), out)).isInstanceOf(AlreadyExistsException.class)
        .hasMessageContaining(out.toString()).hasMessageContaining("REPLACE_EXISTING");
    assertThat(Files.readString(out)).isEqualTo("old");

    artifacts.download(ref.digest(), out, StandardCopyOption.REPLACE_EXISTING);
    assertThat(Files.readString(out)).isEqualTo("new");
    assertThat(filesIn(dir)).containsExactly("model.bin");
    assertThatThrownBy(() -> artifacts.download(ref.digest(), out, StandardCopyOption.COPY_ATTRIBUTES))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("COPY_ATTRIBUTES");
  }

  @Test
  void aCorruptBlobNeverLeavesAFileAtTheTarget() throws IOException {
    byte[] bytes = content(2 * PipelinedSha256.CHUNK + 5);
    ArtifactRef ref = artifacts.put(bytes);
    byte[] flipped = bytes.clone();
    flipped[bytes.length - 3] ^= 1;
    replace(CoreArtifacts.blobKey(ref.digest()), flipped);

    Path out = dir.resolve("model.bin");
    assertThatThrownBy(() -> artifacts.download(ref.digest(), out)).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(ref.digest().hex());
    assertThat(filesIn(dir)).isEmpty(); // neither the target nor a temporary part file

    Files.writeString(out, "previous good copy");
    assertThatThrownBy(() -> artifacts.download(ref.digest(), out, StandardCopyOption.REPLACE_EXISTING))
        .isInstanceOf(CorruptDataException.class);
    assertThat(Files.readString(out)).isEqualTo("previous good copy");
    assertThat(filesIn(dir)).containsExactly("model.bin");
  }

  @Test
  void anUnknownDigestIsNotFoundAndWritesNothing() throws IOException {
    Digest d = Digest.of("absent".getBytes(UTF_8));
    assertThatThrownBy(() -> artifacts.download(d, dir.resolve("x"))).isInstanceOf(NotFoundException.class)
        .hasMessageContaining(d.hex());
    assertThat(filesIn(dir)).isEmpty();
  }

  @Test
  void anEditedDescriptorIsRefusedNamingItsKey() {
    ArtifactRef ref = artifacts.put("weights".getBytes(UTF_8), new ArtifactSpec("application/json", Map.of("f", "xgb")));
    String key = CoreArtifacts.metaKey(ref.digest());
    byte[] original = store.get(key).orElseThrow();
    String json = new String(original, UTF_8);
    for (String[] edit : new String[][] {{"application/json", "application/jsoN"}, {"\"xgb\"", "\"xgc\""},
        {"\"size\":7", "\"size\":8"}}) {
      assertThat(json).contains(edit[0]);
      replace(key, json.replace(edit[0], edit[1]).getBytes(UTF_8));
      assertThatThrownBy(() -> artifacts.find(ref.digest())).as(edit[1]).isInstanceOf(CorruptDataException.class)
          .hasMessageContaining(key);
    }
    for (int i = 0; i < original.length; i++) {
      byte[] b = original.clone();
      b[i] ^= 0x01;
      replace(key, b);
      int at = i;
      assertThatThrownBy(() -> artifacts.find(ref.digest())).as("byte %d flipped", at)
          .isInstanceOf(CorruptDataException.class).hasMessageContaining(key);
    }
    replace(key, original);
    assertThat(artifacts.find(ref.digest())).contains(ref);
  }

  @Test
  void aLegacyDescriptorIsReadAndItsSizeIsCheckedOnDownload() throws IOException {
    byte[] bytes = "legacy weights".getBytes(UTF_8);
    ArtifactRef ref = artifacts.put(bytes);
    String key = CoreArtifacts.metaKey(ref.digest());
    record V1(int format, String digest, long size, String mediaType, Map<String, String> metadata) {}
    replace(key, Json.write(new V1(1, ref.digest().toString(), bytes.length, "text/plain", Map.of())));
    assertThat(artifacts.get(ref.digest()).mediaType()).isEqualTo("text/plain");

    replace(key, Json.write(new V1(1, ref.digest().toString(), bytes.length + 1, "text/plain", Map.of())));
    Path out = dir.resolve("w.txt");
    assertThatThrownBy(() -> artifacts.download(ref.digest(), out)).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(key).hasMessageContaining("size " + (bytes.length + 1));
    assertThat(filesIn(dir)).isEmpty();
  }

  /**
   * The descriptor format is pinned: this literal was computed outside Java (Python's hashlib over
   * the documented canonical JSON), so a change to the JSON mapper cannot silently make stored
   * descriptors fail their check, nor new ones differ from what the documentation says.
   */
  @Test
  void theDescriptorFormatIsPinnedByAFixture() {
    String fixture = "{\"format\":2,\"digest\":\"sha256:9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c\","
        + "\"size\":7,\"mediaType\":\"application/onnx\",\"metadata\":{\"a\":\"1\",\"fw\":\"torch\"},"
        + "\"sha256\":\"85fdff10b13eacd3d4fcbfe888f283ae145cc19854b210949d595c821343a5a0\"}";
    ArtifactRef ref = artifacts.put("weights".getBytes(UTF_8), new ArtifactSpec("application/onnx", Map.of("fw", "torch", "a", "1")));
    assertThat(new String(store.get(CoreArtifacts.metaKey(ref.digest())).orElseThrow(), UTF_8)).isEqualTo(fixture);
    assertThat(CoreArtifacts.describe("k", ref.digest(), fixture.getBytes(UTF_8))).isEqualTo(ref);
  }
}
