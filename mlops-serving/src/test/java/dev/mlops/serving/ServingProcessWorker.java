package dev.mlops.serving;

import dev.mlops.ConflictException;
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
 * A child JVM for {@link ServingProcessesIT}. {@code serve <uri> <refreshMillis|default>}: serves
 * {@code fraud@production} with a background request load, answering {@code STATUS} with its
 * routes, {@code FAIL <v>} by making version v's predictor throw, {@code EXIT}; {@code default}
 * opens the workspace and builds the endpoint with default options.
 * {@code canary <uri> <version> <percent>}: starts a canary (bake one hour) and exits.
 * {@code race <uri> <version> <percent> [default]}: prints {@code ARMED} once ready, waits for
 * {@code GO}, starts a canary and prints {@code OUTCOME STARTED} or
 * {@code OUTCOME ConflictException: <message>}.
 */
public final class ServingProcessWorker {
  private ServingProcessWorker() {
  }

  /** @param args see the class comment @throws Exception on any failure (the test sees the exit code) */
  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[1]);
    boolean defaults = args[0].equals("serve") ? args[2].equals("default")
        : args[0].equals("race") && args.length > 4 && args[4].equals("default");
    WorkspaceOptions.Builder options = WorkspaceOptions.builder().actor("worker-" + ProcessHandle.current().pid());
    if (!defaults) {
      options.refreshInterval(Duration.ofMillis(200));
    }
    try (Workspace ws = Mlops.open(uri, options.build())) {
      if (args[0].equals("race")) {
        Deployments d = Deployments.open(ws, Fixture.MODEL, "production");
        d.active(); // reads the store: both racers decide on the same state
        System.out.println("ARMED");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (!"GO".equals(in.readLine())) {
          throw new IllegalStateException("expected GO");
        }
        try {
          d.start(DeploymentPlan.canary(Integer.parseInt(args[2]), Double.parseDouble(args[3]), Duration.ofHours(1)));
          System.out.println("OUTCOME STARTED");
        } catch (ConflictException e) {
          System.out.println("OUTCOME ConflictException: " + e.getMessage());
        }
        return;
      }
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
      Endpoint.Builder<String, Integer> b = Endpoint.builder(ws, Fixture.MODEL, "production", loader)
          .guardrail(Guardrail.errorRate(0.2, 20));
      if (!defaults) {
        b.refreshInterval(Duration.ofMillis(Long.parseLong(args[2])));
      }
      try (Endpoint<String, Integer> ep = b.build()) {
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
