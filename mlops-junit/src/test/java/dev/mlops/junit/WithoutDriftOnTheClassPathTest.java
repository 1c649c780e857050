package dev.mlops.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * mlops-drift is an optional dependency: a user's test class path may lack it. Everything but
 * {@link DriftAssertions} and {@link DriftReportAssert} must load and link without it.
 */
class WithoutDriftOnTheClassPathTest {
  static final List<String> USER_CLASSES = List.of("MlopsExtension", "MlopsExtension$OpenWorkspace", "WorkspaceUri",
      "MutableClock", "MlopsAssertions", "ModelRegistryAssert", "RunInfoAssert", "VerifyReportAssert",
      "ArtifactsAssert", "ArtifactRefAssert", "FeatureValueAssert", "OnlineResultAssert");

  @Test
  void everythingButTheDriftAssertionsLinksWithoutMlopsDrift() throws Exception {
    URL[] urls = Stream.of(MlopsAssertions.class, dev.mlops.Workspace.class, org.assertj.core.api.AbstractAssert.class,
            org.junit.jupiter.api.extension.ExtensionContext.class, org.opentest4j.AssertionFailedError.class,
            org.junit.platform.commons.util.Preconditions.class, org.apiguardian.api.API.class,
            net.bytebuddy.ByteBuddy.class)
        .map(c -> c.getProtectionDomain().getCodeSource().getLocation()).distinct().toArray(URL[]::new);
    try (URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
      assertThatThrownBy(() -> loader.loadClass("dev.mlops.drift.DriftReport")).isInstanceOf(ClassNotFoundException.class);
      for (String name : USER_CLASSES) {
        Class<?> c = Class.forName("dev.mlops.junit." + name, true, loader);
        // Resolves every type in the signatures: a drift type would throw NoClassDefFoundError here.
        assertThat(c.getDeclaredMethods()).as(name).isNotNull();
        assertThat(c.getDeclaredFields()).as(name).isNotNull();
        assertThat(c.getDeclaredConstructors()).as(name).isNotNull();
      }
      Class<?> drift = Class.forName("dev.mlops.junit.DriftAssertions", false, loader);
      assertThatThrownBy(drift::getDeclaredMethods).isInstanceOf(NoClassDefFoundError.class)
          .hasMessageContaining("dev/mlops/drift/DriftReport");
    }
  }
}
