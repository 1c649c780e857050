package dev.mlops.fs;

import dev.mlops.data.DataQualityStoreContract;
import dev.mlops.spi.ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data-quality store contract on {@code file:}; stored documents are tampered with by writing
 * their files on disk, behind the store's back.
 */
class FsDataQualityStoreContractTest extends DataQualityStoreContract {
  @TempDir Path root;

  @Override
  protected ObjectStore newStore() {
    return FsObjectStore.builder().root(root.resolve("store")).build();
  }

  @Override
  protected void replace(String key, byte[] bytes) throws Exception {
    Path file = FsKeys.file(root.resolve("store"), key);
    if (!Files.isRegularFile(file)) {
      throw new AssertionError("no file for key " + key + " at " + file);
    }
    Files.write(file, bytes);
  }
}
