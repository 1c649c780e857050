package dev.mlops.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Workspace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link MlopsExtension#withUri} through {@code @RegisterExtension}. */
class MlopsExtensionWithUriTest {
  @RegisterExtension
  static final MlopsExtension MLOPS = MlopsExtension.withUri("mem:{tempDir}");

  private static final List<Path> DIRS = new ArrayList<>();

  @AfterAll
  static void tempDirsAreDeleted() {
    assertThat(DIRS).hasSize(1);
    DIRS.forEach(d -> assertThat(d).doesNotExist());
  }

  @Test
  void usesTheConfiguredUri(Workspace workspace) {
    assertThat(MLOPS.uri()).isEqualTo("mem:{tempDir}");
    Path dir = Path.of(workspace.uri().getPath());
    assertThat(dir).isDirectory();
    DIRS.add(dir);
  }

  @Test
  void blankUrisAreRejected() {
    assertThatThrownBy(() -> MlopsExtension.withUri(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
