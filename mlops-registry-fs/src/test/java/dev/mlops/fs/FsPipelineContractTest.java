package dev.mlops.fs;

import dev.mlops.pipeline.PipelineContract;
import dev.mlops.spi.ObjectStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline contract (executions, cache, resume, callbacks) on {@code file:}. */
class FsPipelineContractTest extends PipelineContract {
  @TempDir Path root;

  @Override
  protected ObjectStore newStore() {
    return FsObjectStore.builder().root(root.resolve("store")).build();
  }
}
