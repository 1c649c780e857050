package dev.mlops.fs;

import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.Mlops;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;
import java.util.SplittableRandom;

/**
 * A writer for {@link FsGcProcessesIT}, run in its own JVM until killed: uploads artifacts with
 * fresh content and registers most of them within 30 ms (a third stay unreferenced), forever.
 * Arguments: store URI, writer id, seed.
 *
 * <p>Not thread-safe; one per process.
 */
public final class GcWriterWorker {
  private GcWriterWorker() {}

  /** @param args store URI, writer id, seed @throws Exception on failure (the test reads stderr) */
  public static void main(String[] args) throws Exception {
    String id = args[1];
    SplittableRandom rnd = new SplittableRandom(Long.parseLong(args[2]));
    try (Workspace ws = Mlops.open(args[0], WorkspaceOptions.builder().actor("writer-" + id).build())) {
      System.out.println("READY");
      System.out.flush();
      for (long i = 0; ; i++) {
        byte[] content = new byte[64];
        rnd.nextBytes(content);
        ArtifactRef ref = ws.artifacts().put(content, ArtifactSpec.of("application/octet-stream"));
        if (rnd.nextInt(3) == 0) {
          continue; // an orphan
        }
        Thread.sleep(rnd.nextInt(30));
        ws.registry().register("w" + id, Registration.builder().artifact("model.bin", ref).build());
      }
    }
  }
}
