package dev.mlops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.Mlops;

import dev.mlops.Registration;
import dev.mlops.RunId;
import dev.mlops.Workspace;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code mlops} command line, run in this JVM against a real {@code file:} store. */
class MlopsCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  String store;
  RunId bestRun;

  /** What one invocation printed and returned. */
  record Result(int code, String out, String err) {}

  Result cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = MlopsCli.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(code, out.toString(), err.toString());
  }

  Result withStore(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--store");
    all.add(store);
    return cli(all.toArray(String[]::new));
  }

  @BeforeEach
  void populate() {
    store = "file:" + dir.resolve("store");
    try (Workspace ws = Mlops.open(store)) {
      ArtifactRef weights = ws.artifacts().put("w".getBytes(StandardCharsets.UTF_8), ArtifactSpec.of("text/plain"));
      for (int k = 0; k < 5; k++) {
        int i = k;
        double auc = 0.80 + i * 0.02;
        RunId id = ws.experiments().run("fraud", "lr-" + i, run -> {
          run.logParam("lr", Double.toString(0.01 * (i + 1)));
          run.logMetric("auc", auc, 0);
          run.setTag("team", i % 2 == 0 ? "risk" : "ads");
          return run.id();
        });
        if (i == 4) {
          bestRun = id;
        }
      }
      for (int v = 0; v < 2; v++) {
        ws.registry().register("fraud", Registration.builder().artifact("model.bin", weights).trainingRun(bestRun)
            .description("version " + (v + 1)).tag("note", "line1\u001b[31mred\nforged line").build());
      }
    }
  }

  @Test
  void listsModelsVersionsAndAliasesAsTextAndJson() throws IOException {
    assertThat(withStore("approve", "fraud", "1", "-m", "ok", "--actor", "alice").code()).isZero();
    assertThat(withStore("alias", "set", "fraud", "production", "1").code()).isZero();

    Result models = withStore("models");
    assertThat(models.code()).isZero();
    assertThat(models.out()).contains("fraud").contains("production=1");
    JsonNode json = JSON.readTree(withStore("models", "--json").out());
    assertThat(json.get(0).get("model").asText()).isEqualTo("fraud");
    assertThat(json.get(0).get("versions").asInt()).isEqualTo(2);
    assertThat(json.get(0).get("aliases").get("production").asInt()).isEqualTo(1);

    JsonNode versions = JSON.readTree(withStore("versions", "fraud", "--json").out());
    assertThat(versions).hasSize(2);
    assertThat(versions.get(0).get("status").asText()).isEqualTo("APPROVED");
    assertThat(versions.get(0).get("approval").get("actor").asText()).isEqualTo("alice");
    assertThat(versions.get(1).get("status").asText()).isEqualTo("PENDING_MANUAL_APPROVAL");

    JsonNode shown = JSON.readTree(withStore("show", "fraud@production", "--json").out());
    assertThat(shown.get("version").asInt()).isEqualTo(1);
    assertThat(shown.get("lineage").get("trainingRun").asText()).isEqualTo(bestRun.value());
    assertThat(JSON.readTree(withStore("aliases", "fraud", "--json").out()).get("production").asInt()).isEqualTo(1);
  }

  @Test
  void textOutputEscapesControlCharactersFromTheStore() {
    Result shown = withStore("show", "fraud/1");
    assertThat(shown.code()).isZero();
    assertThat(shown.out()).contains("line1\\u001b[31mred\\u000aforged line").doesNotContain("\u001b").doesNotContain("\nforged");
  }

  @Test
  void changesGoThroughTheRegistrysRules() {
    // an alias needs an Approved version; a version is reviewed once; a conditional move that lost
    Result unapproved = withStore("alias", "set", "fraud", "production", "2");
    assertThat(unapproved.code()).isEqualTo(ExitCodes.REFUSED);
    assertThat(unapproved.err()).contains("fraud").contains("2");
    assertThat(withStore("approve", "fraud", "1").code()).isZero();
    Result twice = withStore("reject", "fraud", "1");
    assertThat(twice.code()).isEqualTo(ExitCodes.REFUSED);
    assertThat(withStore("alias", "set", "fraud", "production", "1", "--expect", "0").code()).isZero();
    assertThat(withStore("approve", "fraud", "2").code()).isZero();
    Result lost = withStore("alias", "set", "fraud", "production", "2", "--expect", "7");
    assertThat(lost.code()).isEqualTo(ExitCodes.REFUSED);
    assertThat(withStore("alias", "set", "fraud", "production", "2", "--expect", "1").code()).isZero();
    assertThat(withStore("alias", "delete", "fraud", "production").code()).isZero();
    assertThat(withStore("aliases", "fraud").out()).doesNotContain("production");

    Result audit = withStore("audit", "fraud");
    assertThat(audit.out()).contains("REVIEW").contains("SET_ALIAS");
  }

  @Test
  void auditExportIsJsonLinesChainedByHash() throws IOException {
    withStore("approve", "fraud", "1");
    List<JsonNode> lines = new ArrayList<>();
    for (String line : withStore("audit", "fraud", "--json").out().split("\n")) {
      lines.add(JSON.readTree(line));
    }
    assertThat(lines).hasSize(3);
    for (int i = 1; i < lines.size(); i++) {
      assertThat(lines.get(i).get("previousHash").asText()).isEqualTo(lines.get(i - 1).get("hash").asText());
      assertThat(lines.get(i).get("seq").asLong()).isEqualTo(i + 1);
    }
  }

  @Test
  void verifyExitsOneOnATamperedLogAndNamesTheEntry() throws IOException {
    Result clean = withStore("verify");
    assertThat(clean.code()).isZero();
    assertThat(clean.out()).contains("ok");
    String head = JSON.readTree(withStore("verify", "--json").out()).get(0).get("headHash").asText();
    assertThat(withStore("verify", "fraud", "--anchor", "2:" + head).code()).isZero();
    assertThat(withStore("verify", "--anchor", "2:" + head).code()).as("anchor with every model").isEqualTo(ExitCodes.USAGE);
    assertThat(withStore("verify", "fraud", "--anchor", "two").code()).isEqualTo(ExitCodes.USAGE);

    Path entry;
    try (Stream<Path> files = Files.walk(dir.resolve("store"))) {
      entry = files.filter(p -> p.toString().contains("fraud") && p.toString().contains("log")
          && p.getFileName().toString().endsWith("1.json")).findFirst().orElseThrow();
    }
    String text = Files.readString(entry).replace("version 1", "version 9");
    entry.toFile().setWritable(true);
    Files.writeString(entry, text);
    Result broken = withStore("verify", "fraud");
    assertThat(broken.code()).isEqualTo(ExitCodes.CHECK_FAILED);
    assertThat(broken.out()).contains("BROKEN");
  }

  @Test
  void runsArePagedFilteredAndOrdered() throws IOException {
    JsonNode page1 = JSON.readTree(withStore("runs", "-e", "fraud", "-o", "metric:auc:desc", "-n", "2", "--json").out());
    assertThat(page1.get("runs")).hasSize(2);
    assertThat(page1.get("runs").get(0).get("id").asText()).isEqualTo(bestRun.value());
    String token = page1.get("nextPageToken").asText();
    JsonNode page2 = JSON.readTree(withStore("runs", "-e", "fraud", "-o", "metric:auc:desc", "-n", "2",
        "--page-token", token, "--json").out());
    assertThat(page2.get("runs").get(0).get("metrics").get("auc").asDouble()).isEqualTo(0.84, org.assertj.core.data.Offset.offset(1e-9));

    JsonNode filtered = JSON.readTree(withStore("runs", "-w", "metric.auc>=0.85", "-w", "tag.team=risk", "--json").out());
    assertThat(filtered.get("runs")).hasSize(1);
    assertThat(withStore("run", bestRun.value()).out()).contains("metric auc").contains("0.88");
    assertThat(withStore("experiments").out().trim()).isEqualTo("fraud");
  }

  @ParameterizedTest
  @ValueSource(strings = {"metric.auc>>1", "auc>1", "tag.team>a"})
  void badConditionsAreUsageErrorsNamingTheValue(String where) {
    Result r = withStore("runs", "-w", where);
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains(where);
  }

  @Test
  void errorsAreOneLineWithTheirExitCode() {
    assertThat(withStore("show", "nope/1").code()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(withStore("versions", "nope").code()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(withStore("run", "r-missing").code()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(withStore("runs", "-o", "sideways").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli("models").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli("models").err()).contains("MLOPS_STORE");
    Result missing = cli("models", "--store", "file:" + dir.resolve("absent"));
    assertThat(missing.code()).isEqualTo(ExitCodes.STORE_ERROR);
    assertThat(missing.err()).contains("absent").doesNotContain("\tat ");
    Result scheme = cli("models", "--store", "nosuch:x");
    assertThat(scheme.code()).isEqualTo(ExitCodes.STORE_ERROR);
    assertThat(scheme.err()).contains("nosuch");
    assertThat(cli("frobnicate").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli("alias").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(withStore("approve", "fraud", "one").code()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void readsDoNotWriteTheStore() throws IOException {
    long before;
    try (Stream<Path> files = Files.walk(dir.resolve("store"))) {
      before = files.count();
    }
    withStore("models");
    withStore("verify");
    withStore("runs");
    try (Stream<Path> files = Files.walk(dir.resolve("store"))) {
      assertThat(files.count()).isEqualTo(before);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"models", "versions", "show", "aliases", "experiments", "runs", "run", "approve", "reject",
      "alias", "verify", "audit", "ui", "report"})
  void everyCommandHasHelp(String command) {
    Result r = cli(command, "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Usage: mlops " + command);
  }


  @Test
  void reportsAreSelfContainedFilesWithEscapedText() throws IOException {
    RunId hostile;
    try (Workspace ws = Mlops.open(store)) {
      hostile = ws.experiments().run("fraud", "<script>alert(1)</script>", run -> {
        run.logMetric("auc", 0.5, 0);
        return run.id();
      });
    }
    Path out = dir.resolve("reports/compare.html");
    Result r = withStore("report", "runs", bestRun.value(), hostile.value(), "-o", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    String html = Files.readString(out);
    assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>alert(1)")
        .contains("<svg").doesNotContainPattern("(src|href)=\"https?:");
    Result model = withStore("report", "model", "fraud/1");
    assertThat(model.code()).isZero();
    assertThat(model.out()).startsWith("<!DOCTYPE html>").contains("fraud");

    assertThat(withStore("report", "runs", "r-missing").code()).isEqualTo(ExitCodes.NOT_FOUND);
    Result noBaseline = withStore("report", "drift", "fraud/1");
    assertThat(noBaseline.code()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(noBaseline.err()).contains("baseline");
    assertThat(withStore("report", "features", "nope").code()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(cli("report").code()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void uiServesTheStoreUntilStopped() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int[] code = {-1};
    Thread ui = new Thread(() -> code[0] = MlopsCli.execute(new PrintWriter(out), new PrintWriter(err),
        "ui", "--port", "0", "--store", store));
    ui.start();
    String url = null;
    for (int i = 0; i < 600 && url == null; i++) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("mlops UI at (\\S+)").matcher(out.toString());
      if (m.find()) {
        url = m.group(1);
      } else {
        Thread.sleep(50);
      }
    }
    assertThat(url).as(err.toString()).isNotNull().startsWith("http://127.0.0.1:");
    java.net.http.HttpResponse<String> page = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "runs")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("lr-4");
    ui.interrupt();
    ui.join(30_000);
    assertThat(ui.isAlive()).isFalse();
    assertThat(code[0]).isZero();
    assertThat(cli("ui", "--port", "70000", "--store", store).code()).isEqualTo(ExitCodes.USAGE);
  }
}
