package dev.mlops.fs;

import dev.mlops.pipeline.trigger.TriggerContract;
import dev.mlops.spi.ObjectStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The retrain-trigger contract (de-duplication and history through the store) on {@code file:}. */
class FsTriggerContractTest extends TriggerContract {
  @TempDir Path root;

  @Override
  protected ObjectStore newStore() {
    return FsObjectStore.builder().root(root.resolve("store")).build();
  }
}
