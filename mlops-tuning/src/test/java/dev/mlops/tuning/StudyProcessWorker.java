package dev.mlops.tuning;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.ObjectStoreProvider;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ServiceLoader;

/**
 * A worker process for multi-process study tests on any backend ({@code FsStudyProcessesIT},
 * {@code S3StudyProcessesIT}): works the study on the store at a URI until it holds the wanted
 * number of trials, printing {@code READY}, {@code IN n} when a trial has started, {@code TRIAL n
 * state}, {@code LOOPED}; then on {@code CHECK} prints {@code BEST n value} and {@code DONE}.
 * Arguments: store URI, study name, total trials, lease in milliseconds.
 *
 * <p>Not thread-safe; a process main.
 */
public final class StudyProcessWorker {
  private StudyProcessWorker() {}

  /**
   * @param args store URI, study name, total trials, lease in milliseconds
   * @throws Exception on any failure (the test reads the exit code and stderr)
   */
  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0]);
    String name = args[1];
    int total = Integer.parseInt(args[2]);
    Duration lease = Duration.ofMillis(Long.parseLong(args[3]));
    ObjectStore store = provider(uri.getScheme()).open(uri);
    try (Workspace ws = Mlops.open(uri, store)) {
      Study study = Study.builder(ws, name).log(StoreStudyLog.open(store, name)).lease(lease)
          .sampler(new TpeSampler(7)).build();
      System.out.println("READY");
      while (study.trials().size() < total) {
        for (TrialRecord t : study.optimize(StudyProcessWorker::branin, 1)) {
          System.out.println("TRIAL " + t.number() + " " + t.state());
        }
      }
      System.out.println("LOOPED");
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        if (line.equals("CHECK")) {
          TrialRecord best = study.bestTrial().orElseThrow();
          System.out.println("BEST " + best.number() + " " + best.value().orElseThrow());
          System.out.println("DONE");
          System.out.flush();
          return;
        }
      }
    }
  }

  private static ObjectStoreProvider provider(String scheme) {
    for (ObjectStoreProvider p : ServiceLoader.load(ObjectStoreProvider.class)) {
      if (p.scheme().equalsIgnoreCase(scheme)) {
        return p;
      }
    }
    throw new IllegalStateException("no storage provider for scheme " + scheme + " on the class path");
  }

  static double branin(Trial t) throws InterruptedException {
    double x1 = t.suggestFloat("x1", -5, 10);
    double x2 = t.suggestFloat("x2", 0, 15);
    double b = 5.1 / (4 * Math.PI * Math.PI);
    double c = 5 / Math.PI;
    double term = x2 - b * x1 * x1 + c * x1 - 6;
    double value = term * term + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
    for (int step = 0; step < 3; step++) {
      Thread.sleep(10); // a trial takes a while, so a kill lands inside one
      t.report(step, value + 1.0 / (step + 1));
      if (step == 0) {
        System.out.println("IN " + t.number());
        System.out.flush();
      }
    }
    return value;
  }
}
