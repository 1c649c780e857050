package dev.mlops.fs;

import dev.mlops.Mlops;
import dev.mlops.Run;
import dev.mlops.RunStatus;
import dev.mlops.Workspace;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;

/**
 * The worker {@link FsRunIndexProcessesIT} spawns: opens {@code file:<root>} and, until killed,
 * starts runs in one shared experiment, logs a param and a metric and ends them. Prints
 * {@code STARTED <id>} once {@code startRun} returned and {@code ENDED <id> <status> <score>}
 * once {@code end} returned: promises the store must keep after a {@code kill -9}.
 *
 * <p>Not thread-safe; one loop per process.
 */
public final class RunIndexWorker {
  static final String EXPERIMENT = "idx-it";
  private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  private RunIndexWorker() {}

  /** @param args {@code <root> <worker> <seed>} */
  public static void main(String[] args) {
    int worker = Integer.parseInt(args[1]);
    Random random = new Random(Long.parseLong(args[2]));
    try (Workspace ws = Mlops.open("file:" + args[0])) {
      OUT.println("READY");
      for (long i = 0; ; i++) {
        Run run = ws.experiments().startRun(EXPERIMENT, "w" + worker + "-" + i,
            Map.of("worker", Integer.toString(worker)), Map.of());
        OUT.println("STARTED " + run.id().value());
        run.logParam("bucket", "b" + random.nextInt(4));
        double score = random.nextDouble();
        run.logMetric("score", score, 0);
        RunStatus status = random.nextInt(4) == 0 ? RunStatus.FAILED : RunStatus.FINISHED;
        run.end(status);
        OUT.println("ENDED " + run.id().value() + " " + status + " " + score);
      }
    }
  }
}
