package dev.mlops.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Mlops;
import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.ObjectStoreProvider;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsObjectStoreProviderTest {
  @TempDir Path dir;
  final FsObjectStoreProvider provider = new FsObjectStoreProvider();

  @Test
  void isFoundByServiceLoaderForTheFileScheme() {
    assertThat(ServiceLoader.load(ObjectStoreProvider.class).stream().map(ServiceLoader.Provider::type))
        .contains(FsObjectStoreProvider.class);
    assertThat(provider.scheme()).isEqualTo("file");
    assertThat(Mlops.installedSchemes()).containsEntry("file", FsObjectStoreProvider.class.getName());
  }

  @Test
  void absoluteFormsOpenTheSameDirectoryAndCreateIt() {
    Path root = dir.resolve("a b/store");
    try (ObjectStore s = provider.open(root.toUri())) {
      s.create("k", new byte[] {1});
    }
    assertThat(Files.isRegularFile(root.resolve("k"))).isTrue();
    for (String uri : new String[] {
        "file:" + root.toString().replace(" ", "%20"),
        "file://" + root.toString().replace(" ", "%20"),
        "file://localhost" + root.toString().replace(" ", "%20")}) {
      try (ObjectStore s = provider.open(URI.create(uri))) {
        assertThat(s.get("k")).as(uri).isPresent();
      }
    }
  }

  @Test
  void relativeFormIsRelativeToTheWorkingDirectory() {
    Path cwd = Path.of("").toAbsolutePath();
    Path rel = cwd.relativize(dir.resolve("rel/store"));
    assertThat(FsObjectStoreProvider.directoryOf(URI.create("file:" + rel)).toAbsolutePath().normalize())
        .isEqualTo(dir.resolve("rel/store"));
    try (ObjectStore s = provider.open(URI.create("file:" + rel))) {
      s.create("x", new byte[0]);
    }
    assertThat(Files.exists(dir.resolve("rel/store/x"))).isTrue();
    assertThat(FsObjectStoreProvider.directoryOf(URI.create("file:."))).isEqualTo(Path.of("."));
  }

  @Test
  void unknownParametersAreRejectedNamingThem() {
    assertThatThrownBy(() -> provider.open(URI.create("file:" + dir + "?fsync=false")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'fsync'").hasMessageContaining("readOnly");
    assertThatThrownBy(() -> provider.open(URI.create("file:rel/dir?regoin=x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'regoin'")
        .hasMessageContaining("'file:rel/dir?regoin=x'");
    assertThat(Files.exists(Path.of("rel"))).isFalse();
  }

  @Test
  void otherFormsAreRejectedWithAHint() {
    assertThatThrownBy(() -> provider.open(URI.create("file://server/share/dir")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'server'").hasMessageContaining("mount");
    assertThatThrownBy(() -> provider.open(URI.create("file:~/mlops")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'~'");
    assertThatThrownBy(() -> provider.open(URI.create("file:" + dir + "#frag")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fragment");
    assertThatThrownBy(() -> provider.open(URI.create("mem:x")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
