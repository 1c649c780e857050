package dev.mlops.tuning;

import dev.mlops.fs.FsObjectStoreProvider;
import dev.mlops.spi.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;

/** {@link StoreStudyLogTest} on the {@code file:} backend. */
class FsStoreStudyLogTest extends StoreStudyLogTest {
  private Path root;

  @Override
  ObjectStore newStore() {
    try {
      root = Files.createTempDirectory("mlops-tuning-fs");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new FsObjectStoreProvider().open(root.toUri());
  }

  @Override
  URI storeUri() {
    return root.toUri();
  }

  @AfterEach
  void deleteRoot() throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
