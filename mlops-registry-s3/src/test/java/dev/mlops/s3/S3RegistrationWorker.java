package dev.mlops.s3;

import dev.mlops.Mlops;
import dev.mlops.ModelVersion;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A child JVM of {@link S3ManyProcessesIT}: opens {@code s3://...} (a real {@code Mlops.open},
 * provider discovery and capability probe included), prints {@code READY}, waits for a line on
 * standard input, registers {@code count} versions of one model and prints {@code VERSION n} for
 * each, then {@code DONE}.
 */
final class S3RegistrationWorker {
  private S3RegistrationWorker() {}

  public static void main(String[] args) throws Exception {
    String uri = args[0];
    String model = args[1];
    int count = Integer.parseInt(args[2]);
    String worker = args[3];
    try (Workspace ws = Mlops.open(uri)) {
      System.out.println("READY");
      System.out.flush();
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      for (int i = 0; i < count; i++) {
        ModelVersion v = ws.registry().register(model, Registration.builder()
            .description(worker).tag("worker", worker).tag("n", Integer.toString(i)).build());
        System.out.println("VERSION " + v.version() + " " + worker + " " + i);
      }
    }
    System.out.println("DONE");
    System.out.flush();
  }
}
