package dev.mlops.fs;

import dev.mlops.spi.ObjectStore;
import dev.mlops.tuning.StudyLogContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The study contract (trials shared through the store) on {@code file:}. */
class FsStudyLogContractTest extends StudyLogContract {
  @TempDir Path root;

  @Override
  protected ObjectStore newStore() {
    return FsObjectStore.builder().root(root.resolve("store")).build();
  }
}
