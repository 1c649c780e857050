package dev.mlops.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Mlops;
import dev.mlops.NotFoundException;
import dev.mlops.RunId;
import dev.mlops.Workspace;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HtmlReportsTest {
  static Workspace ws;
  static UiFixture fixture;

  @BeforeAll
  static void populate() {
    ws = Mlops.open("mem:");
    fixture = UiFixture.populate(ws);
  }

  @AfterAll
  static void close() {
    ws.close();
  }

  static int count(String html, String regex) {
    Matcher m = Pattern.compile(regex).matcher(html);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** A report must not fetch anything: no script, no src, no link to another origin. */
  static void assertSelfContained(String html) {
    assertThat(html).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<img").doesNotContainIgnoringCase(" src=\"")
        .doesNotContainIgnoringCase("<link").doesNotContainIgnoringCase("@import")
        .doesNotContainIgnoringCase("url(").contains("Content-Security-Policy");
    // the only absolute URL is the SVG namespace name, which is never fetched
    assertThat(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "")).doesNotContain("http://")
        .doesNotContain("https://");
  }

  @Test
  void driftReportDrawsTwoBarsPerBinPerFeatureAndMarksDriftedWindows() {
    String html = HtmlReports.driftReport("churn-model/1 " + UiFixture.XSS, fixture.baseline, fixture.reports);
    assertSelfContained(html);
    int bins = 0;
    for (var f : fixture.baseline.numericFeatures()) {
      bins += f.binEdges().length + 1;
    }
    bins += fixture.baseline.categoricalFeatures().get(0).bucketLabels().size();
    assertThat(count(html, "<svg class=\"chart histogram\"")).isEqualTo(3);
    assertThat(count(html, "class=\"bar-baseline\"")).isEqualTo(bins);
    assertThat(count(html, "class=\"bar-current\"")).isEqualTo(bins);
    assertThat(count(html, "<svg class=\"chart timeline\"")).isEqualTo(1);
    assertThat(count(html, "<rect class=\"window\"")).isEqualTo(UiFixture.WINDOWS);
    assertThat(count(html, "<circle class=\"marker-drift\"")).isEqualTo(UiFixture.DRIFTED_WINDOWS);
    assertThat(html).contains("DATASET DRIFT").contains("p-value").contains("&lt;b&gt;enterprise&lt;/b&gt;")
        .doesNotContain("<b>enterprise").contains("&lt;script&gt;alert(1)&lt;/script&gt;");
  }

  @Test
  void driftReportOfTheFirstWindowShowsNoDrift() {
    String html = HtmlReports.driftReport(fixture.baseline, fixture.reports.get(0));
    assertThat(html).contains("no dataset drift");
    assertThat(count(html, "<circle class=\"marker-drift\"")).isZero();
  }

  @Test
  void runComparisonEscapesTheHostileRunAndDrawsOneCurvePerRunAndMetric() {
    String html = HtmlReports.runComparison(ws, List.of(fixture.churnRuns.get(0), fixture.churnRuns.get(1),
        fixture.hostileRun));
    assertSelfContained(html);
    assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain(UiFixture.XSS)
        .doesNotContain("<img").contains("&lt;img src=x onerror=alert(2)&gt;")
        .contains("&quot;quoted&quot; &#39;single&#39; &amp; &lt;b&gt;bold&lt;/b&gt; &lt;/svg&gt;");
    // accuracy: 2 churn runs; loss: 2 churn runs + the hostile run
    assertThat(count(html, "<svg class=\"chart line-chart\"")).isEqualTo(2);
    assertThat(count(html, "<polyline class=\"series\"")).isEqualTo(5);
    assertThat(count(html, "<tr class=\"diff\"><th>learning_rate")).isEqualTo(1);
  }

  @Test
  void aRunWithoutMetricsSaysSo() {
    String html = HtmlReports.runComparison(ws, List.of(fixture.emptyRun));
    assertThat(html).contains("No metrics logged.");
    assertThat(count(html, "<svg")).isZero();
  }

  @Test
  void unknownRunIsNotFound() {
    assertThatThrownBy(() -> HtmlReports.runComparison(ws, List.of(RunId.of("no-such-run"))))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("no-such-run");
    assertThatThrownBy(() -> HtmlReports.runComparison(ws, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void modelVersionShowsApprovalAliasLineageAndVerifiedAudit() {
    String html = HtmlReports.modelVersion(ws, "churn-model", 1);
    assertSelfContained(html);
    assertThat(html).contains("APPROVED").contains("alice").contains("<code>prod</code>")
        .contains(fixture.churnRuns.get(0).value()).contains("verified")
        .contains("first gradient-boosted model &lt;script&gt;").doesNotContain(UiFixture.XSS);
    assertThat(count(html, "<tr><td class=\"num\">\\d+</td><td>")).isGreaterThanOrEqualTo(3);
    String v2 = HtmlReports.modelVersion(ws, "churn-model", 2);
    assertThat(v2).contains("PENDING_MANUAL_APPROVAL").contains("parent version").doesNotContain("<form");
  }

  @Test
  void aHugeTagValueIsCutNotRenderedWhole() {
    String huge = "x".repeat(10 * 1024 * 1024);
    ws.registry().update("churn-model", 2, java.util.Map.of("huge", huge), java.util.Optional.empty());
    String html = HtmlReports.modelVersion(ws, "churn-model", 2);
    assertThat(html.length()).isLessThan(200_000);
    assertThat(html).contains("[truncated: 10,485,760 characters in all]");
  }

  @Test
  void featureViewShowsDefinitionAndHistory() {
    String html = HtmlReports.featureView(ws, "customer_stats");
    assertSelfContained(html);
    assertThat(html).contains("customer_stats").contains("DOUBLE").contains("data-team")
        .contains("per-customer aggregates &lt;script&gt;");
    assertThatThrownBy(() -> HtmlReports.featureView(ws, "nope")).isInstanceOf(NotFoundException.class);
  }
}
