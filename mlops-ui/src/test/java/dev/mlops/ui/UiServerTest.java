package dev.mlops.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ApprovalStatus;
import dev.mlops.Mlops;
import dev.mlops.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UiServerTest {
  static Workspace ws;
  static UiFixture fixture;
  static UiServer server;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() {
    ws = Mlops.open("mem:");
    fixture = UiFixture.populate(ws);
    server = UiServer.start(ws, UiOptions.defaults());
  }

  @AfterAll
  static void stop() {
    server.close();
    ws.close();
  }

  static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(server.uri().resolve(pathAndQuery)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static void assertErrorPage(HttpResponse<String> r, int status, String message) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(r.body()).contains("<h1>" + status + " ").contains(message)
        .doesNotContain("\tat ").doesNotContain("at dev.mlops").doesNotContain("Exception:");
  }

  @Test
  void boundToLoopbackByDefault() {
    assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
    assertThat(server.port()).isPositive();
  }

  @Test
  void homeListsExperiments() throws Exception {
    HttpResponse<String> r = get("/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v)
        .contains("default-src 'none'"));
    assertThat(r.body()).contains("href=\"/runs?experiment=churn\"").contains("hostile");
  }

  @Test
  void runsPageSortsByAMetric() throws Exception {
    HttpResponse<String> r = get("/runs?experiment=churn&sort=metric.accuracy&order=desc");
    assertThat(r.statusCode()).isEqualTo(200);
    Matcher m = Pattern.compile("<tr class=\"run\">.*?<a href=\"/runs/[^\"]+\">(gbm-\\d)</a>").matcher(r.body());
    StringBuilder order = new StringBuilder();
    while (m.find()) {
      order.append(m.group(1)).append(' ');
    }
    // later runs learn faster, so their final accuracy is higher
    assertThat(order.toString().trim()).isEqualTo("gbm-7 gbm-6 gbm-5 gbm-4 gbm-3 gbm-2 gbm-1 gbm-0");
    HttpResponse<String> asc = get("/runs?experiment=churn&sort=metric.accuracy&order=asc&size=1");
    assertThat(asc.body()).contains(">gbm-0</a>").doesNotContain(">gbm-7</a>").contains("id=\"next-page\"");
  }

  @Test
  void runsPageFilters() throws Exception {
    HttpResponse<String> r = get("/runs?experiment=churn&f=" + Html.url("tag.team=risk") + "&f="
        + Html.url("metric.accuracy>=0.8"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains(">gbm-7</a>").doesNotContain(">gbm-6</a>").doesNotContain(">gbm-0</a>");
  }

  @Test
  void hostileRunNameIsText() throws Exception {
    HttpResponse<String> r = get("/runs?experiment=hostile");
    assertThat(r.body()).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain(UiFixture.XSS);
    HttpResponse<String> run = get("/runs/" + fixture.hostileRun.value());
    assertThat(run.statusCode()).isEqualTo(200);
    assertThat(run.body()).contains("<span id=\"run-name\">&lt;script&gt;alert(1)&lt;/script&gt;</span>")
        .doesNotContain("<img").doesNotContain(UiFixture.XSS);
  }

  @Test
  void comparePageAndModelAndDriftAndFeaturePages() throws Exception {
    HttpResponse<String> c = get("/compare?run=" + fixture.churnRuns.get(0) + "&run=" + fixture.churnRuns.get(1));
    assertThat(c.statusCode()).isEqualTo(200);
    assertThat(c.body()).contains("<polyline class=\"series\"");
    assertThat(get("/models").body()).contains("href=\"/models/churn-model\"").contains("prod\u21921");
    assertThat(get("/models/churn-model").body()).contains("PENDING_MANUAL_APPROVAL").contains("verified");
    assertThat(get("/models/churn-model/1").body()).contains("APPROVED").contains("alice");
    assertThat(get("/drift").body()).contains("href=\"/drift/churn-model/1\"");
    HttpResponse<String> d = get("/drift/churn-model/1");
    assertThat(d.statusCode()).isEqualTo(200);
    assertThat(d.body()).contains("DATASET DRIFT").contains("<svg class=\"chart timeline\"");
    assertThat(HtmlReportsTest.count(d.body(), "<circle class=\"marker-drift\"")).isEqualTo(UiFixture.DRIFTED_WINDOWS);
    assertThat(get("/features/customer_stats").body()).contains("data-team");
    assertThat(get("/features").body()).contains("<a href=\"/features/customer_stats\">customer_stats</a>");
    HttpResponse<String> lookup = get("/features?view=customer_stats");
    assertThat(lookup.statusCode()).isEqualTo(303);
    assertThat(lookup.headers().firstValue("Location")).hasValue("/features/customer_stats");
  }

  @Test
  void malformedQueryParametersAre400() throws Exception {
    assertErrorPage(get("/runs?size=abc"), 400, "size=&#39;abc&#39; must be a whole number from 1 to 500");
    assertErrorPage(get("/runs?size=0"), 400, "must be a whole number");
    assertErrorPage(get("/runs?size=99999999999999999999"), 400, "must be a whole number");
    assertErrorPage(get("/runs?order=sideways"), 400, "must be asc or desc");
    assertErrorPage(get("/runs?sort=color"), 400, "must be start, metric.&lt;key&gt; or param.&lt;key&gt;");
    assertErrorPage(get("/runs?sort=metric.%3Cscript%3E"), 400, "metric key &#39;&lt;script&gt;&#39; is invalid");
    assertErrorPage(get("/runs?f=metric.acc%3Eabc"), 400, "is not a number");
    assertErrorPage(get("/runs?f=nonsense"), 400, "is not &lt;metric|param|tag&gt;");
    assertErrorPage(get("/runs?f=status%3DDANCING"), 400, "status must be one of");
    assertErrorPage(get("/runs?page=not-a-token"), 400, "was not issued for this query");
    assertErrorPage(get("/runs?experiment=bad%2Fname"), 400, "experiment name");
    // java.net.http refuses to send a malformed URI, so these go over a socket
    // (the JDK's server itself answers a malformed request URI with a bare 400)
    assertThat(raw("/runs?x=%ZZ", "127.0.0.1")).startsWith("HTTP/1.1 400").doesNotContain("\tat ");
    assertThat(raw("/runs/%ZZ", "127.0.0.1")).startsWith("HTTP/1.1 400").doesNotContain("\tat ");
    assertErrorPage(get("/runs/bad%20id"), 400, "run id");
    assertErrorPage(get("/compare?run=" + fixture.churnRuns.get(0)), 400, "compare needs 2 to 10 runs");
    assertErrorPage(get("/models/churn-model/abc"), 400, "is not a number &gt;= 1");
    assertErrorPage(get("/models/churn-model/0"), 400, "is not a number &gt;= 1");
    assertErrorPage(get("/drift/churn-model/x"), 400, "is not a number");
    assertErrorPage(get("/runs?f=" + "a".repeat(Request.MAX_QUERY_CHARS)), 400, "query string has");
  }

  @Test
  void unknownObjectsAre404() throws Exception {
    assertErrorPage(get("/runs/no-such-run"), 404, "no run no-such-run");
    assertErrorPage(get("/models/no-such-model"), 404, "no model no-such-model");
    assertErrorPage(get("/models/churn-model/99"), 404, "churn-model/99");
    assertErrorPage(get("/drift/churn-model/2"), 404, "has no baseline");
    assertErrorPage(get("/features/nope"), 404, "no feature view nope");
    assertErrorPage(get("/compare?run=" + fixture.churnRuns.get(0) + "&run=ghost"), 404, "ghost");
    assertErrorPage(get("/no/such/page"), 404, "no page");
    assertErrorPage(get("/runs/a/b"), 404, "no page");
  }

  @Test
  void writesAreRefusedWhileReadOnly() throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(server.uri().resolve("/models/churn-model/2/review"))
        .POST(HttpRequest.BodyPublishers.ofString("actor=mallory&decision=APPROVED"))
        .header("Content-Type", "application/x-www-form-urlencoded").build(), HttpResponse.BodyHandlers.ofString());
    assertErrorPage(r, 405, "read-only");
    assertThat(ws.registry().get("churn-model", 2).status()).isEqualTo(ApprovalStatus.PENDING_MANUAL_APPROVAL);
    HttpResponse<String> del = HTTP.send(HttpRequest.newBuilder(server.uri().resolve("/runs")).DELETE().build(),
        HttpResponse.BodyHandlers.ofString());
    assertErrorPage(del, 405, "DELETE");
  }

  @Test
  void aForeignHostHeaderIsRefused() throws Exception {
    // java.net.http does not let a caller set Host, so speak HTTP/1.1 on a socket
    assertThat(raw("/", "evil.example")).startsWith("HTTP/1.1 403").contains("bound to loopback");
    assertThat(raw("/", "localhost")).startsWith("HTTP/1.1 200");
  }

  /** One GET over a plain socket, with the given Host; the whole response. */
  static String raw(String target, String host) throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + target + " HTTP/1.1\r\nHost: " + host + ":" + server.port() + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void writesGoThroughTheRegistryWhenAllowed() throws Exception {
    try (Workspace other = Mlops.open("mem:"); UiServer rw = UiServer.start(other, UiOptions.builder().allowWrites(true).build())) {
      UiFixture.populate(other);
      String form = HTTP.send(HttpRequest.newBuilder(rw.uri().resolve("/models/churn-model/2")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(form).contains("<form method=\"post\" action=\"/models/churn-model/2/review\">");
      HttpRequest.Builder post = HttpRequest.newBuilder(rw.uri().resolve("/models/churn-model/2/review"))
          .POST(HttpRequest.BodyPublishers.ofString("actor=bob&decision=APPROVED&comment=ship+it"))
          .header("Content-Type", "application/x-www-form-urlencoded");
      HttpResponse<String> noOrigin = HTTP.send(post.build(), HttpResponse.BodyHandlers.ofString());
      assertErrorPage(noOrigin, 403, "must come from a page of this UI");
      String origin = "http://127.0.0.1:" + rw.port();
      HttpResponse<String> ok = HTTP.send(post.header("Origin", origin).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(303);
      assertThat(other.registry().get("churn-model", 2).status()).isEqualTo(ApprovalStatus.APPROVED);
      assertThat(other.registry().get("churn-model", 2).approval().orElseThrow().actor()).isEqualTo("bob");
      HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(rw.uri().resolve("/models/churn-model/2/review"))
          .POST(HttpRequest.BodyPublishers.ofString("actor=bob&decision=MAYBE")).header("Origin", origin)
          .header("Content-Type", "application/x-www-form-urlencoded").build(), HttpResponse.BodyHandlers.ofString());
      assertErrorPage(again, 400, "must be APPROVED or REJECTED");
    }
  }

  @Test
  void pagingWalksManyRunsWithTokensAndNeverRepeats() throws Exception {
    try (Workspace big = Mlops.open("mem:"); UiServer ui = UiServer.start(big, UiOptions.defaults())) {
      int runs = 1_203;
      for (int i = 0; i < runs; i++) {
        int n = i;
        big.experiments().runWithoutResult("many", "r" + i, run -> run.logMetric("m", n));
      }
      Set<String> seen = new HashSet<>();
      String next = "/runs?experiment=many&sort=metric.m&order=asc&size=500";
      int pages = 0;
      Pattern row = Pattern.compile("name=\"run\" value=\"([^\"]+)\"");
      Pattern link = Pattern.compile("id=\"next-page\" href=\"([^\"]+)\"");
      while (next != null) {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(ui.uri().resolve(next.replace("&amp;", "&")))
            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        pages++;
        Matcher m = row.matcher(r.body());
        while (m.find()) {
          assertThat(seen.add(m.group(1))).isTrue();
        }
        Matcher l = link.matcher(r.body());
        next = l.find() ? l.group(1) : null;
      }
      assertThat(pages).isEqualTo(3);
      assertThat(seen).hasSize(runs);
    }
  }

  @Test
  void extraViewIsOneRegistration() throws Exception {
    View hello = new View() {
      @Override
      public String path() {
        return "/hello";
      }

      @Override
      public Optional<String> navLabel() {
        return Optional.of("Hello");
      }

      @Override
      public Response render(Request request) {
        return Response.page("Hello", "<p id=\"greeting\">hello " + Request.escape(request.param("name").orElse("?"))
            + "</p>");
      }
    };
    try (UiServer ui = UiServer.start(ws, UiOptions.builder().view(hello).build())) {
      String body = HTTP.send(HttpRequest.newBuilder(ui.uri().resolve("/hello?name=%3Cb%3E")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(body).contains("<p id=\"greeting\">hello &lt;b&gt;</p>").contains("<a href=\"/hello\">Hello</a>");
    }
    assertThatThrownBy(() -> UiServer.start(ws, UiOptions.builder().view(new RunsView()).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/runs");
  }

  @Test
  void aFailingViewIsA500WithoutStackTrace() throws Exception {
    View broken = new View() {
      @Override
      public String path() {
        return "/broken";
      }

      @Override
      public Response render(Request request) {
        throw new NullPointerException("secret internal detail");
      }
    };
    try (UiServer ui = UiServer.start(ws, UiOptions.builder().view(broken).build())) {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(ui.uri().resolve("/broken")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertErrorPage(r, 500, "internal error (NullPointerException)");
      assertThat(r.body()).doesNotContain("secret internal detail");
    }
  }

  @Test
  void closeStopsListening() throws IOException {
    UiServer ui = UiServer.start(ws, UiOptions.defaults());
    URI uri = ui.uri();
    ui.close();
    assertThatThrownBy(() -> HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
  }
}
