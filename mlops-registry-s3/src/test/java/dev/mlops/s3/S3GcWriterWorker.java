package dev.mlops.s3;

import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.Mlops;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;
import java.util.SplittableRandom;

/**
 * A writer for {@link S3GcProcessesIT}, run in its own JVM until killed: uploads artifacts with
 * fresh content and registers most of them within 30 ms (a third stay unreferenced), forever.
 * Arguments: store URI, writer id, seed, pause in ms after each artifact (S3 passes are slower
 * than {@code file:} ones, so the test paces its writers to let several passes run).
 *
 * <p>Not thread-safe; one per process. Credentials and endpoint come from the environment the test sets (S3TestServer.childEnvironment).
 */
public final class S3GcWriterWorker {
  private S3GcWriterWorker() {}

  /** @param args store URI, writer id, seed, pause in ms @throws Exception on failure (the test reads stderr) */
  public static void main(String[] args) throws Exception {
    String id = args[1];
    SplittableRandom rnd = new SplittableRandom(Long.parseLong(args[2]));
    long pause = Long.parseLong(args[3]);
    try (Workspace ws = Mlops.open(args[0], WorkspaceOptions.builder().actor("writer-" + id).build())) {
      System.out.println("READY");
      System.out.flush();
      for (long i = 0; ; i++) {
        byte[] content = new byte[64];
        rnd.nextBytes(content);
        ArtifactRef ref = ws.artifacts().put(content, ArtifactSpec.of("application/octet-stream"));
        Thread.sleep(pause);
        if (rnd.nextInt(3) == 0) {
          continue; // an orphan
        }
        Thread.sleep(rnd.nextInt(30));
        ws.registry().register("w" + id, Registration.builder().artifact("model.bin", ref).build());
      }
    }
  }
}
