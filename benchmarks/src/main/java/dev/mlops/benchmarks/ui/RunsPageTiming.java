package dev.mlops.benchmarks.ui;

import dev.mlops.Mlops;
import dev.mlops.RunInfo;
import dev.mlops.RunPage;
import dev.mlops.RunQuery;
import dev.mlops.Workspace;
import dev.mlops.ui.UiOptions;
import dev.mlops.ui.UiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one UI request costs on a store with many runs: a timed local run, not JMH (each request
 * takes long enough to time with System.nanoTime). Populates {@code mem:} with N runs in one
 * experiment (2 params, 2 metrics each), starts the UI, and times 5 requests of each kind after
 * one untimed warm-up: the first page of {@code /runs} (50 runs, newest first), the first page
 * sorted by a metric, the next page by its token, one run's page, and the search call alone.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.mlops.benchmarks.ui.RunsPageTiming [runs]}
 */
public final class RunsPageTiming {
  private RunsPageTiming() {}

  /**
   * @param args the number of runs (default 100,000)
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    try (Workspace ws = Mlops.open("mem:")) {
      long t0 = System.nanoTime();
      int threads = 2;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t;
        done.add(pool.submit(() -> {
          for (int i = first; i < runs; i += threads) {
            int n = i;
            ws.experiments().runWithoutResult("big", "run-" + i, r -> {
              r.logParam("lr", Double.toString((n % 100) / 1000.0));
              r.logParam("depth", Integer.toString(n % 10));
              r.logMetric("accuracy", (n * 7919 % runs) / (double) runs);
              r.logMetric("loss", 1 - (n * 7919 % runs) / (double) runs);
            });
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      pool.shutdown();
      System.out.printf(Locale.ROOT, "populated %,d runs in %.1f s%n", runs, (System.nanoTime() - t0) / 1e9);
      try (UiServer ui = UiServer.start(ws, UiOptions.defaults())) {
        HttpClient http = HttpClient.newHttpClient();
        String first = "/runs?experiment=big&size=50";
        String sorted = "/runs?experiment=big&sort=metric.accuracy&order=desc&size=50";
        String body = get(http, ui.uri(), sorted);
        Matcher next = Pattern.compile("id=\"next-page\" href=\"([^\"]+)\"").matcher(body);
        String nextPage = next.find() ? next.group(1).replace("&amp;", "&") : sorted;
        Matcher run = Pattern.compile("href=\"(/runs/[0-9a-f]+)\"").matcher(body);
        String runPage = run.find() ? run.group(1) : "/";
        time("GET " + first, () -> get(http, ui.uri(), first));
        time("GET /runs sorted by metric.accuracy", () -> get(http, ui.uri(), sorted));
        time("GET next page (token)", () -> get(http, ui.uri(), nextPage));
        time("GET /runs/<id>", () -> get(http, ui.uri(), runPage));
        time("Experiments.search alone (50, by start time)", () -> {
          RunPage p = ws.experiments().search(RunQuery.builder().experiment("big").orderByStartTime(true).pageSize(50)
              .build());
          return p.runs().stream().map(RunInfo::name).findFirst().orElse("");
        });
      }
    }
  }

  interface Call {
    String call() throws Exception;
  }

  static void time(String what, Call call) throws Exception {
    call.call();
    double[] ms = new double[5];
    for (int i = 0; i < ms.length; i++) {
      long t = System.nanoTime();
      String out = call.call();
      ms[i] = (System.nanoTime() - t) / 1e6;
      if (out.isEmpty()) {
        throw new IllegalStateException(what + " returned nothing");
      }
    }
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    System.out.printf(Locale.ROOT, "%-48s median %8.1f ms  (%s)%n", what, sorted[2],
        String.join(", ", Arrays.stream(ms).mapToObj(v -> String.format(Locale.ROOT, "%.1f", v)).toList()));
  }

  static String get(HttpClient http, URI base, String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + " answered " + r.statusCode());
    }
    return r.body();
  }
}
