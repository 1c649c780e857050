package dev.mlops.examples;

import com.sun.net.httpserver.HttpServer;
import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.drift.BaselineProfile;
import dev.mlops.drift.PredictionMonitor;
import dev.mlops.drift.Windowing;
import dev.mlops.micrometer.ModelRegistryMetrics;
import dev.mlops.micrometer.PredictionMonitorMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Exports a prediction monitor's drift metrics and the registry's cache metrics in Prometheus's
 * text format: binds the mlops binders to a {@link PrometheusMeterRegistry}, records a window of
 * shifted traffic, and prints the scrape. With {@code --serve <port>} it also serves
 * {@code /metrics} on 127.0.0.1 for a Prometheus server to scrape.
 */
public final class PrometheusExample {
  private PrometheusExample() {}

  /**
   * @param args optional {@code --serve <port>}
   * @throws IOException if the HTTP server cannot start
   */
  public static void main(String[] args) throws IOException {
    PrometheusMeterRegistry prometheus = run(System.out);
    if (args.length == 2 && args[0].equals("--serve")) {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1])), 0);
      server.createContext("/metrics", exchange -> {
        byte[] body = prometheus.scrape().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      });
      server.start();
      System.out.println("serving http://127.0.0.1:" + server.getAddress().getPort() + "/metrics; Ctrl-C to stop");
    }
  }

  /**
   * Binds, records one window, prints the mlops lines of the scrape.
   *
   * @param out where to print
   * @return the registry, for serving
   */
  public static PrometheusMeterRegistry run(PrintStream out) {
    Random rnd = new Random(7);
    double[][] training = new double[5_000][];
    for (int i = 0; i < training.length; i++) {
      training[i] = new double[] {Math.abs(rnd.nextGaussian() * 100), rnd.nextGaussian()};
    }
    BaselineProfile baseline = BaselineProfile.fit(List.of("amount", "score"), training);
    PredictionMonitor monitor = PredictionMonitor.builder(baseline).windowing(Windowing.manual()).build();

    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new PredictionMonitorMetrics(monitor, Tags.of("model", "fraud")).bindTo(prometheus);
    Workspace ws = Mlops.open("mem:");
    new ModelRegistryMetrics(ws.registry(), Tags.of("store", "mem")).bindTo(prometheus);

    for (int i = 0; i < 10_000; i++) {
      monitor.record(new double[] {Math.abs(rnd.nextGaussian() * 100) * 1.5, rnd.nextGaussian()}, 0); // amounts grew
    }
    monitor.closeWindow();
    prometheus.scrape().lines().filter(l -> l.startsWith("mlops_monitor_feature") || l.startsWith("mlops_monitor_window_records "))
        .forEach(out::println);
    return prometheus;
  }
}
