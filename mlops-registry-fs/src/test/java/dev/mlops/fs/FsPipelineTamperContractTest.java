package dev.mlops.fs;

import dev.mlops.pipeline.PipelineTamperContract;
import dev.mlops.spi.ObjectStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline tamper contract (untrusted log entries, cache records and index markers) on {@code file:}. */
class FsPipelineTamperContractTest extends PipelineTamperContract {
  @TempDir Path root;

  @Override
  protected ObjectStore newStore() {
    return FsObjectStore.builder().root(root.resolve("store")).build();
  }
}
