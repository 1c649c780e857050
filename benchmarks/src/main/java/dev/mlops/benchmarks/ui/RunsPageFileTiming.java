package dev.mlops.benchmarks.ui;

import dev.mlops.Mlops;
import dev.mlops.RunPage;
import dev.mlops.Workspace;
import dev.mlops.ui.UiOptions;
import dev.mlops.ui.UiServer;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runs pages of the UI over a {@code file:} store filled by {@link RunStoreFiller}, timed
 * like {@link RunsPageTiming}: first the process's first sorted search (it reads the run search
 * index from the store), then 5 timings of each page after one untimed request.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.mlops.benchmarks.ui.RunsPageFileTiming <dir>}
 */
public final class RunsPageFileTiming {
  private RunsPageFileTiming() {}

  /**
   * @param args the store directory
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    try (Workspace ws = Mlops.open("file:" + dir.toAbsolutePath())) {
      long t = System.nanoTime();
      RunPage first = ws.experiments().search(RunSearchIndexBenchmark.SORTED);
      System.out.printf(Locale.ROOT, "%-48s %8.1f ms  (%d runs)%n", "first sorted search of the process",
          (System.nanoTime() - t) / 1e6, first.runs().size());
      t = System.nanoTime();
      RunPage filtered = ws.experiments().search(RunSearchIndexBenchmark.FILTERED);
      System.out.printf(Locale.ROOT, "%-48s %8.1f ms  (%d runs)%n", "then the first filtered search",
          (System.nanoTime() - t) / 1e6, filtered.runs().size());
      try (UiServer ui = UiServer.start(ws, UiOptions.defaults())) {
        HttpClient http = HttpClient.newHttpClient();
        String newest = "/runs?experiment=big&size=50";
        String sorted = "/runs?experiment=big&sort=metric.accuracy&order=desc&size=50";
        String filter = "/runs?experiment=big&size=50&f=" + enc("metric.accuracy>=0.5") + "&f=" + enc("tag.team=a")
            + "&f=" + enc("param.depth<5");
        String body = RunsPageTiming.get(http, ui.uri(), sorted);
        Matcher next = Pattern.compile("id=\"next-page\" href=\"([^\"]+)\"").matcher(body);
        String nextPage = next.find() ? next.group(1).replace("&amp;", "&") : sorted;
        RunsPageTiming.time("GET " + newest, () -> RunsPageTiming.get(http, ui.uri(), newest));
        RunsPageTiming.time("GET /runs sorted by metric.accuracy", () -> RunsPageTiming.get(http, ui.uri(), sorted));
        RunsPageTiming.time("GET next page of it (token)", () -> RunsPageTiming.get(http, ui.uri(), nextPage));
        RunsPageTiming.time("GET /runs filtered (3 conditions)", () -> RunsPageTiming.get(http, ui.uri(), filter));
      }
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
