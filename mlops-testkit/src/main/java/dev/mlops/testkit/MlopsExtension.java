package dev.mlops.testkit;

import dev.mlops.Artifacts;
import dev.mlops.Experiments;
import dev.mlops.Mlops;
import dev.mlops.ModelRegistry;
import dev.mlops.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.AnnotatedElement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives each test a fresh, empty {@link Workspace} and closes it after
 * the test. Declare a parameter of type {@link Workspace} — or {@link ModelRegistry},
 * {@link Experiments}, {@link Artifacts} for one of its services — on a test method or a
 * {@code @BeforeEach}/{@code @AfterEach} method:
 *
 * <pre>{@code
 * @ExtendWith(MlopsExtension.class)
 * class TrainingTest {
 *   @Test
 *   void registersTheModel(Workspace workspace) {
 *     new Trainer(workspace).train();
 *     assertThat(workspace.registry().versions("fraud")).hasSize(1);
 *   }
 * }
 * }</pre>
 *
 * <p>The workspace is {@code mem:} unless {@link WorkspaceUri} on the parameter, the method or the
 * class, or the URI given to {@link #withUri(String)}, says otherwise; {@value #TEMP_DIR} in a URI
 * becomes a fresh temporary directory that is deleted afterwards:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final MlopsExtension MLOPS = MlopsExtension.withUri("file:{tempDir}");
 * }</pre>
 *
 * <p>Every parameter of one test that resolves to the same URI gets the same workspace (so a
 * {@code Workspace} and a {@code ModelRegistry} parameter are views of one store); the workspace
 * lives until the end of the test (or, when injected into a {@code static @BeforeAll} method, until
 * the end of the class). Parameters whose annotations differ get distinct workspaces.
 *
 * <p>Immutable and thread-safe.
 */
public final class MlopsExtension implements ParameterResolver {
  /** Placeholder for a fresh temporary directory in a workspace URI. */
  public static final String TEMP_DIR = "{tempDir}";

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(MlopsExtension.class);
  private static final Set<Class<?>> SUPPORTED = Set.of(Workspace.class, ModelRegistry.class, Experiments.class,
      Artifacts.class);

  private final String uri;

  /** An extension that injects {@code mem:} workspaces; used by {@code @ExtendWith(MlopsExtension.class)}. */
  public MlopsExtension() {
    this("mem:");
  }

  private MlopsExtension(String uri) {
    this.uri = uri;
  }

  /**
   * @param uri the URI of every injected workspace without a {@link WorkspaceUri}; may contain
   *     {@value #TEMP_DIR}
   * @return an extension for {@code @RegisterExtension}
   * @throws IllegalArgumentException if uri is blank
   */
  public static MlopsExtension withUri(String uri) {
    Objects.requireNonNull(uri, "uri");
    if (uri.isBlank()) {
      throw new IllegalArgumentException("workspace URI must not be blank");
    }
    return new MlopsExtension(uri);
  }

  /** @return the URI used where no {@link WorkspaceUri} applies */
  public String uri() {
    return uri;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return SUPPORTED.contains(parameterContext.getParameter().getType());
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    String template = uriFor(parameterContext, extensionContext);
    OpenWorkspace open = extensionContext.getStore(NAMESPACE)
        .getOrComputeIfAbsent(template, OpenWorkspace::open, OpenWorkspace.class);
    Workspace w = open.workspace;
    Class<?> type = parameterContext.getParameter().getType();
    if (type == Workspace.class) {
      return w;
    } else if (type == ModelRegistry.class) {
      return w.registry();
    } else if (type == Experiments.class) {
      return w.experiments();
    } else if (type == Artifacts.class) {
      return w.artifacts();
    }
    throw new ParameterResolutionException("MlopsExtension cannot inject " + type.getName());
  }

  private String uriFor(ParameterContext parameter, ExtensionContext context) {
    Optional<WorkspaceUri> onParameter = parameter.findAnnotation(WorkspaceUri.class);
    if (onParameter.isPresent()) {
      return onParameter.get().value();
    }
    Optional<String> onMethodOrClass = Stream.concat(
            context.getTestMethod().map(m -> (AnnotatedElement) m).stream(),
            Stream.<ExtensionContext>iterate(context, c -> c.getParent().orElse(null))
                .takeWhile(Objects::nonNull)
                .flatMap(c -> c.getTestClass().stream()))
        .map(e -> e.getAnnotation(WorkspaceUri.class))
        .filter(Objects::nonNull)
        .map(WorkspaceUri::value)
        .findFirst();
    return onMethodOrClass.orElse(uri);
  }

  /** A workspace opened for a test and what to clean up with it; closed by JUnit with its context. */
  static final class OpenWorkspace implements AutoCloseable {
    final Workspace workspace;
    private final Optional<Path> tempDir;

    private OpenWorkspace(Workspace workspace, Optional<Path> tempDir) {
      this.workspace = workspace;
      this.tempDir = tempDir;
    }

    static OpenWorkspace open(String template) {
      Optional<Path> dir = Optional.empty();
      String uri = template;
      if (template.contains(TEMP_DIR)) {
        try {
          dir = Optional.of(Files.createTempDirectory("mlops-test-"));
        } catch (IOException e) {
          throw new UncheckedIOException("cannot create a temporary directory for " + template, e);
        }
        String path = dir.get().toAbsolutePath().toUri().getRawPath();
        if (path.endsWith("/")) {
          path = path.substring(0, path.length() - 1);
        }
        uri = template.replace(TEMP_DIR, path);
      }
      try {
        return new OpenWorkspace(Mlops.open(uri), dir);
      } catch (RuntimeException e) {
        dir.ifPresent(OpenWorkspace::deleteRecursively);
        throw new ParameterResolutionException("MlopsExtension cannot open workspace '" + uri + "': " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      try {
        workspace.close();
      } finally {
        tempDir.ifPresent(OpenWorkspace::deleteRecursively);
      }
    }

    private static void deleteRecursively(Path dir) {
      if (!Files.exists(dir)) {
        return;
      }
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete the temporary workspace directory " + dir, e);
      }
    }
  }
}
