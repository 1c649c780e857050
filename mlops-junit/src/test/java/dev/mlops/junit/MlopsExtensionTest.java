package dev.mlops.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Artifacts;
import dev.mlops.Experiments;
import dev.mlops.ModelRegistry;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/** The user-facing JUnit extension: fresh workspaces per test, closed afterwards, URI choice. */
@ExtendWith(MlopsExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MlopsExtensionTest {
  private static final List<Workspace> INJECTED = new CopyOnWriteArrayList<>();
  private static final List<Path> TEMP_DIRS = new CopyOnWriteArrayList<>();

  private Workspace fromBeforeEach;

  @BeforeEach
  void rememberWorkspace(Workspace workspace) {
    fromBeforeEach = workspace;
  }

  @AfterAll
  static void everyWorkspaceWasClosedAndEveryTempDirDeleted() {
    assertThat(INJECTED).hasSizeGreaterThanOrEqualTo(5);
    for (Workspace w : INJECTED) {
      assertThatThrownBy(() -> w.registry().models()).as("%s is closed", w).isInstanceOf(IllegalStateException.class);
    }
    assertThat(TEMP_DIRS).isNotEmpty();
    for (Path dir : TEMP_DIRS) {
      assertThat(dir).doesNotExist();
    }
  }

  @Test
  @Order(1)
  void injectsAMemWorkspaceAndItsServices(Workspace workspace, ModelRegistry registry, Experiments experiments,
      Artifacts artifacts) {
    INJECTED.add(workspace);
    assertThat(workspace.uri().getScheme()).isEqualTo("mem");
    assertThat(workspace).isSameAs(fromBeforeEach);
    assertThat(registry).isSameAs(workspace.registry());
    assertThat(experiments).isSameAs(workspace.experiments());
    assertThat(artifacts).isSameAs(workspace.artifacts());
    registry.register("left-behind", Registration.builder().build());
  }

  @Test
  @Order(2)
  void eachTestGetsAFreshWorkspaceAndThePreviousOneIsClosed(Workspace workspace) {
    INJECTED.add(workspace);
    assertThat(workspace.registry().models()).isEmpty();
    Workspace previous = INJECTED.get(0);
    assertThat(previous).isNotSameAs(workspace);
    assertThatThrownBy(() -> previous.registry().models()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  @Order(3)
  @WorkspaceUri("mem:{tempDir}")
  void methodAnnotationChoosesTheUriAndTempDirIsAFreshDirectory(Workspace workspace) {
    INJECTED.add(workspace);
    Path dir = Path.of(workspace.uri().getPath());
    assertThat(dir).isDirectory().isEmptyDirectory();
    assertThat(dir.getFileName().toString()).startsWith("mlops-test-");
    TEMP_DIRS.add(dir);
  }

  @Test
  @Order(4)
  void parameterAnnotationWinsAndDistinctUrisGetDistinctWorkspaces(
      @WorkspaceUri("mem:{tempDir}") Workspace annotated, Workspace plain) {
    INJECTED.add(annotated);
    INJECTED.add(plain);
    assertThat(annotated).isNotSameAs(plain);
    assertThat(plain).isSameAs(fromBeforeEach);
    assertThat(annotated.uri().getPath()).contains("mlops-test-");
    TEMP_DIRS.add(Path.of(annotated.uri().getPath()));
    assertThat(Files.isDirectory(Path.of(annotated.uri().getPath()))).isTrue();
  }

  @Nested
  @WorkspaceUri("mem:nested-class")
  class ClassAnnotation {
    @Test
    void classAnnotationApplies(Workspace workspace) {
      INJECTED.add(workspace);
      assertThat(workspace.uri().toString()).isEqualTo("mem:nested-class");
      assertThat(workspace.registry().models()).isEmpty();
    }

    @Test
    @WorkspaceUri("mem:method")
    void methodAnnotationBeatsClassAnnotation(Workspace workspace) {
      INJECTED.add(workspace);
      assertThat(workspace.uri().toString()).isEqualTo("mem:method");
    }
  }
}
