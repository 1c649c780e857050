package dev.mlops.serving;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A child JVM for {@link ServingProcessesIT}. {@code serve <uri> <refreshMillis>}: serves
 * {@code fraud@production} with a background request load, answering {@code STATUS} with its
 * routes, {@code FAIL <v>} by making version v's predictor throw, {@code EXIT}.
 * {@code canary <uri> <version> <percent>}: starts a canary (bake one hour) and exits.
 */
public final class ServingProcessWorker {
  private ServingProcessWorker() {
  }

  /** @param args see the class comment @throws Exception on any failure (the test sees the exit code) */
  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0].equals("serve") || args[0].equals("canary") ? args[1] : args[0]);
    Duration refresh = Duration.ofMillis(200);
    try (Workspace ws = Mlops.open(uri, WorkspaceOptions.builder().refreshInterval(refresh)
        .actor("worker-" + ProcessHandle.current().pid()).build())) {
      if (args[0].equals("canary")) {
        Deployments.open(ws, Fixture.MODEL, "production")
            .start(DeploymentPlan.canary(Integer.parseInt(args[2]), Double.parseDouble(args[3]), Duration.ofHours(1)));
        System.out.println("STARTED");
        return;
      }
      Set<Integer> failing = ConcurrentHashMap.newKeySet();
      PredictorLoader<String, Integer> loader = v -> in -> {
        if (failing.contains(v.version())) {
          throw new IllegalStateException("injected failure in " + v.version());
        }
        return v.version();
      };
      try (Endpoint<String, Integer> ep = Endpoint.builder(ws, Fixture.MODEL, "production", loader)
          .refreshInterval(Duration.ofMillis(Long.parseLong(args[2])))
          .guardrail(Guardrail.errorRate(0.2, 20)).build()) {
        Thread load = new Thread(() -> {
          long i = 0;
          while (!Thread.currentThread().isInterrupted()) {
            try {
              ep.predict("k" + i++, "x");
            } catch (RuntimeException e) {
              // counted by the endpoint
            }
            if (i % 50 == 0) {
              try {
                Thread.sleep(1);
              } catch (InterruptedException e) {
                return;
              }
            }
          }
        });
        load.setDaemon(true);
        load.start();
        System.out.println("READY");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
          if (line.equals("STATUS")) {
            System.out.println("STATUS " + new java.util.TreeMap<>(ep.status().routes()));
          } else if (line.startsWith("FAIL ")) {
            failing.add(Integer.parseInt(line.substring(5)));
            System.out.println("FAILING");
          } else if (line.equals("EXIT")) {
            break;
          }
        }
        load.interrupt();
      }
    }
  }
}
