package dev.mlops.junit;

import dev.mlops.Artifacts;
import dev.mlops.Experiments;
import dev.mlops.Mlops;
import dev.mlops.ModelRegistry;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;
import dev.mlops.features.FeatureStore;
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
 * {@link Experiments}, {@link Artifacts}, {@link FeatureStore} for one of its services, or
 * {@link MutableClock} for the test's clock — on a test method or a
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
 * <p><b>Time.</b> Each test has one {@link MutableClock}, starting at the system time when the test
 * (or, for {@code static @BeforeAll} injection, the class) first needs it and standing still until
 * the test moves it; every workspace the extension opens for that test uses it
 * ({@link WorkspaceOptions#clock()}). Advance it to make feature rows expire, ages grow and
 * timestamps move:
 *
 * <pre>{@code
 * @Test
 * void rowsExpireAfterTheirTtl(FeatureStore features, MutableClock clock) {
 *   features.push("user", List.of(FeatureRow.of("u1", clock.instant(), Map.of("age", 42L))));
 *   clock.advance(Duration.ofDays(2));
 *   assertThat(features.online("u1", "user:age").get("user:age")).isExpired();
 * }
 * }</pre>
 *
 * <p>The feature store is only touched when a {@link FeatureStore} parameter is declared, through
 * {@link Workspace#features()}; the implementation that serves it must be on the test class path.
 *
 * <p>Immutable and thread-safe.
 */
public final class MlopsExtension implements ParameterResolver {
  /** Placeholder for a fresh temporary directory in a workspace URI. */
  public static final String TEMP_DIR = "{tempDir}";

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(MlopsExtension.class);
  private static final Set<Class<?>> SUPPORTED = Set.of(Workspace.class, ModelRegistry.class, Experiments.class,
      Artifacts.class, FeatureStore.class, MutableClock.class);
  private static final String CLOCK_KEY = "clock";

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
    Class<?> type = parameterContext.getParameter().getType();
    ExtensionContext.Store store = extensionContext.getStore(NAMESPACE);
    // Looked up through the parent contexts too: a class-wide clock, if @BeforeAll made one, is the test's clock.
    MutableClock clock = store.getOrComputeIfAbsent(CLOCK_KEY, k -> MutableClock.atSystemTime(), MutableClock.class);
    if (type == MutableClock.class) {
      return clock;
    }
    String template = uriFor(parameterContext, extensionContext);
    OpenWorkspace open = store.getOrComputeIfAbsent(template, t -> OpenWorkspace.open(t, clock), OpenWorkspace.class);
    Workspace w = open.workspace;
    if (type == Workspace.class) {
      return w;
    } else if (type == ModelRegistry.class) {
      return w.registry();
    } else if (type == Experiments.class) {
      return w.experiments();
    } else if (type == Artifacts.class) {
      return w.artifacts();
    } else if (type == FeatureStore.class) {
      try {
        return w.features();
      } catch (RuntimeException e) {
        throw new ParameterResolutionException("MlopsExtension cannot inject the feature store of " + w.uri()
            + ": " + e.getMessage(), e);
      }
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

    static OpenWorkspace open(String template, MutableClock clock) {
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
        return new OpenWorkspace(Mlops.open(uri, WorkspaceOptions.builder().clock(clock).build()), dir);
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
