package dev.mlops.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UiMainTest {
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  int run(String... args) throws InterruptedException {
    return UiMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), new CountDownLatch(0));
  }

  @Test
  void aStoreThatDoesNotOpenIsAClearMessageAndExitCode2() throws Exception {
    assertThat(run("--store", "nosuch://bucket/x")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot open store 'nosuch://bucket/x'")
        .contains("no mlops storage provider for scheme 'nosuch'").doesNotContain("\tat ");
  }

  @Test
  void badArgumentsAreExitCode2WithUsage() throws Exception {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--store <uri> is required").contains("usage:");
    assertThat(run("--store", "mem:", "--port", "http")).isEqualTo(2);
    assertThat(run("--store", "mem:", "--port", "70000")).isEqualTo(2);
    assertThat(run("--frobnicate")).isEqualTo(2);
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("usage:");
  }

  @Test
  void servesAFileStoreReadOnlyUntilStopped(@TempDir Path dir) throws Exception {
    String uri = dir.toUri().toString();
    try (Workspace ws = Mlops.open(uri)) {
      ws.experiments().runWithoutResult("exp", "first", r -> r.logMetric("m", 1));
    }
    CountDownLatch stop = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> code = pool.submit(() -> UiMain.run(new String[] {"--store", uri, "--port", "0"},
          new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), stop));
      Pattern at = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+/)");
      Matcher m = at.matcher("");
      for (int i = 0; i < 200 && !m.find(); i++) {
        Thread.sleep(50);
        m = at.matcher(out.toString(StandardCharsets.UTF_8));
      }
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("(read-only)");
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(m.group(1) + "runs"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.body()).contains(">first</a>");
      stop.countDown();
      assertThat(code.get(10, TimeUnit.SECONDS)).isZero();
    } finally {
      stop.countDown();
      pool.shutdownNow();
    }
  }
}
