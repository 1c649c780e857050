package dev.mlops.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ArtifactSpec;
import dev.mlops.CorruptDataException;
import dev.mlops.Mlops;
import dev.mlops.ModelAttachments;
import dev.mlops.NotFoundException;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelAttachmentsTest {

  @Test
  void attachesFindsAndReplacesADocumentOfAVersion() {
    try (Workspace ws = Mlops.open("mem:")) {
      ws.registry().register("m", Registration.builder().build());
      assertThat(ModelAttachments.find(ws, "m", 1, "mlops.card")).isEmpty();
      var first = ModelAttachments.attach(ws, "m", 1, "mlops.card", "v1".getBytes(StandardCharsets.UTF_8),
          ArtifactSpec.of("text/markdown"));
      assertThat(ws.registry().get("m", 1).tags()).containsEntry("mlops.card", first.digest().toString());
      ModelAttachments.attach(ws, "m", 1, "mlops.card", "v2".getBytes(StandardCharsets.UTF_8), ArtifactSpec.of("text/markdown"));
      assertThat(ModelAttachments.find(ws, "m", 1, "mlops.card")).hasValueSatisfying(
          b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("v2"));
      assertThat(ws.artifacts().find(first.digest())).as("the earlier document stays stored").isPresent();
    }
  }

  @Test
  void aMissingVersionStoresNothingAndABadLinkIsCorruption() {
    try (Workspace ws = Mlops.open("mem:")) {
      assertThatThrownBy(() -> ModelAttachments.attach(ws, "m", 1, "mlops.card", new byte[] {1}, ArtifactSpec.defaults()))
          .isInstanceOf(NotFoundException.class);
      assertThat(ws.artifacts().find(dev.mlops.Digest.of(new byte[] {1}))).isEmpty();
      ws.registry().register("m", Registration.builder().build());
      ws.registry().update("m", 1, Map.of("mlops.card", "not-a-digest"), Optional.empty());
      assertThatThrownBy(() -> ModelAttachments.find(ws, "m", 1, "mlops.card")).isInstanceOf(CorruptDataException.class)
          .hasMessageContaining("m/1").hasMessageContaining("not-a-digest");
    }
  }
}
