package dev.mlops.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Mlops;
import dev.mlops.ProviderNotFoundException;
import dev.mlops.Workspace;
import org.junit.jupiter.api.Test;

/**
 * mlops-core alone (no {@code mlops-features} on this module's test class path): the registry works
 * and {@code features()} names the artifact to add instead of failing obscurely.
 */
class FeatureStoreAbsentTest {

  @Test
  void featuresWithoutTheFeatureModuleNamesTheArtifactToAdd() {
    try (Workspace ws = Mlops.open("mem:")) {
      assertThat(ws.registry()).isNotNull();
      assertThatThrownBy(ws::features).isInstanceOf(ProviderNotFoundException.class)
          .hasMessageContaining("dev.mlops:mlops-features");
    }
  }

  @Test
  void coreDoesNotBringTheFeatureStoresLibraries() {
    assertThatThrownBy(() -> Class.forName("org.apache.avro.Schema"))
        .as("Avro belongs to mlops-features").isInstanceOf(ClassNotFoundException.class);
  }
}
