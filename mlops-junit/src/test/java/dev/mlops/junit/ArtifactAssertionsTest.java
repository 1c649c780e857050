package dev.mlops.junit;

import static dev.mlops.junit.MlopsAssertions.assertThat;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.Artifacts;
import dev.mlops.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Artifact assertions pass on matching content and fail with messages that name the digest and what was found. */
@ExtendWith(MlopsExtension.class)
class ArtifactAssertionsTest {
  static final Digest ABSENT = Digest.of("never stored".getBytes(UTF_8));

  @Test
  void existenceContentAndSize(Artifacts artifacts) {
    ArtifactRef ref = artifacts.put("weights".getBytes(UTF_8), new ArtifactSpec("application/x-model", Map.of()));

    assertThatCode(() -> assertThat(artifacts)
        .contains(ref)
        .contains(ref.digest())
        .containsContent("weights".getBytes(UTF_8))
        .doesNotContain(ABSENT)
        .hasSize(ref.digest(), 7)
        .hasMediaType(ref.digest(), "application/x-model")
        .hasContent(ref.digest(), "weights")
        .hasContent(ref.digest(), "weights".getBytes(UTF_8))
        .isIntact(ref.digest())).doesNotThrowAnyException();

    assertThatThrownBy(() -> assertThat(artifacts).contains(ABSENT)).isInstanceOf(AssertionError.class)
        .hasMessageContaining(ABSENT.toString()).hasMessageContaining("is not");
    assertThatThrownBy(() -> assertThat(artifacts).containsContent("other".getBytes(UTF_8)))
        .isInstanceOf(AssertionError.class).hasMessageContaining("none is stored");
    assertThatThrownBy(() -> assertThat(artifacts).doesNotContain(ref.digest())).isInstanceOf(AssertionError.class)
        .hasMessageContaining(ref.digest().toString()).hasMessageContaining("7 bytes");
    assertThatThrownBy(() -> assertThat(artifacts).hasSize(ref.digest(), 8)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("to be 8 bytes but it is 7 bytes");
    assertThatThrownBy(() -> assertThat(artifacts).hasContent(ref.digest(), "weighty")).isInstanceOf(AssertionError.class)
        .hasMessageContaining("\"weighty\"").hasMessageContaining("\"weights\"");
    assertThatThrownBy(() -> assertThat(artifacts).hasContent(ref.digest(), "weighty".getBytes(UTF_8)))
        .isInstanceOf(AssertionError.class).hasMessageContaining("first difference at offset 6");
    assertThatThrownBy(() -> assertThat(artifacts).hasMediaType(ref.digest(), "text/plain"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("'application/x-model'");
    assertThatThrownBy(() -> assertThat(artifacts).hasContent(ABSENT, "x")).isInstanceOf(AssertionError.class)
        .hasMessageContaining(ABSENT.toString());
  }

  @Test
  void damagedContentFailsIntactness(@WorkspaceUri("file:{tempDir}") dev.mlops.Workspace workspace) throws Exception {
    ArtifactRef ref = workspace.artifacts().put("exact bytes".getBytes(UTF_8));
    assertThat(workspace.artifacts()).isIntact(ref.digest());
    Path blob;
    try (Stream<Path> files = Files.walk(Path.of(workspace.uri().getPath()))) {
      blob = files.filter(p -> p.getFileName().toString().equals(ref.digest().hex().substring(2))).findFirst()
          .orElseThrow();
    }
    Files.writeString(blob, "exact bytez");
    assertThatThrownBy(() -> assertThat(workspace.artifacts()).isIntact(ref.digest()))
        .isInstanceOf(AssertionError.class).hasMessageContaining(ref.digest().toString()).hasMessageContaining("damaged");
    assertThatThrownBy(() -> assertThat(workspace.artifacts()).hasContent(ref.digest(), "exact bytes"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("damaged");
  }

  @Test
  void refAssertions(Artifacts artifacts) {
    byte[] bytes = "abc".getBytes(UTF_8);
    ArtifactRef ref = artifacts.put(bytes, new ArtifactSpec("text/plain", Map.of("source", "unit")));
    assertThatCode(() -> assertThat(ref).isContentOf(bytes).hasDigest(Digest.of(bytes)).hasSize(3)
        .hasMediaType("text/plain").hasMetadata("source", "unit")).doesNotThrowAnyException();
    assertThatThrownBy(() -> assertThat(ref).isContentOf("abd".getBytes(UTF_8))).isInstanceOf(AssertionError.class)
        .hasMessageContaining(Digest.of("abd".getBytes(UTF_8)).toString()).hasMessageContaining(ref.digest().toString());
    assertThatThrownBy(() -> assertThat(ref).hasDigest(ABSENT)).isInstanceOf(AssertionError.class)
        .hasMessageContaining(ABSENT.toString());
    assertThatThrownBy(() -> assertThat(ref).hasSize(4)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("to be 4 bytes but it is 3 bytes");
    assertThatThrownBy(() -> assertThat(ref).hasMediaType("text/csv")).isInstanceOf(AssertionError.class)
        .hasMessageContaining("'text/plain'");
    assertThatThrownBy(() -> assertThat(ref).hasMetadata("source", "prod")).isInstanceOf(AssertionError.class)
        .hasMessageContaining("source=unit");
  }
}
