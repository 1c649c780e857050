package dev.mlops.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * End-to-end tests in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}),
 * on a {@code file:} store. Without the browser they are skipped with a message, unless the
 * environment variable {@code MLOPS_REQUIRE_BROWSER=1} (set by {@code .ci/run}) makes that a failure.
 * With {@code -Dmlops.ui.screenshots=<dir>} the PNGs are also written there (the README's
 * screenshots come from {@code -Dmlops.ui.screenshots=../docs/screenshots}); they always go to
 * {@code target/screenshots}.
 */
class BrowserTest {
  static final Path CHROMIUM = Path.of(System.getProperty("mlops.ui.chromium", "/usr/bin/chromium"));
  static final Path CHROMEDRIVER = Path.of(System.getProperty("mlops.ui.chromedriver", "/usr/bin/chromedriver"));

  @TempDir
  static Path dir;
  static Workspace ws;
  static UiFixture fixture;
  static UiServer server;
  static WebDriver browser;

  static final boolean PRESENT = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  static final String MISSING = "browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
      + " (Debian: apt-get install -y chromium chromium-driver)";

  @BeforeAll
  static void start() {
    if (!PRESENT) {
      if ("1".equals(System.getenv("MLOPS_REQUIRE_BROWSER"))) {
        fail(MISSING + "; MLOPS_REQUIRE_BROWSER=1 makes their absence a failure");
      }
      return; // each test is skipped with the message, see requireBrowser()
    }
    ws = Mlops.open(dir.toUri().toString());
    fixture = UiFixture.populate(ws);
    server = UiServer.start(ws, UiOptions.defaults());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1280,1000", "--hide-scrollbars");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
  }

  @BeforeEach
  void requireBrowser() {
    assumeTrue(PRESENT, MISSING + "; skipped");
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
    if (ws != null) {
      ws.close();
    }
  }

  static void open(String path) {
    browser.get(server.uri().resolve(path).toString());
  }

  /**
   * Clicks an element that navigates and waits for the new page: the old document must go stale
   * and the new one finish loading, so the next assertion never reads the page being left.
   */
  static void navigate(By by) {
    WebElement oldPage = browser.findElement(By.tagName("html"));
    browser.findElement(by).click();
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    wait.until(ExpectedConditions.stalenessOf(oldPage));
    wait.until(d -> "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
  }

  static List<WebElement> all(String css) {
    return browser.findElements(By.cssSelector(css));
  }

  static List<String> runNames() {
    return all("tr.run td.run-name").stream().map(WebElement::getText).toList();
  }

  static void screenshot(String name) throws IOException {
    byte[] png = ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES);
    Path target = Path.of("target", "screenshots");
    Files.createDirectories(target);
    Files.write(target.resolve(name), png);
    String docs = System.getProperty("mlops.ui.screenshots");
    if (docs != null && !docs.isBlank()) {
      Files.createDirectories(Path.of(docs));
      Files.copy(target.resolve(name), Path.of(docs, name), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Test
  void navigateFromExperimentsToRunsAndSortByAMetric() throws IOException {
    open("/");
    navigate(By.linkText(UiFixture.EXPERIMENT));
    assertThat(browser.getCurrentUrl()).contains("/runs?experiment=churn");
    assertThat(runNames()).hasSize(UiFixture.CHURN_RUNS);
    navigate(By.cssSelector("a.sort[data-sort='metric.accuracy']"));
    assertThat(runNames()).containsExactly("gbm-7", "gbm-6", "gbm-5", "gbm-4", "gbm-3", "gbm-2", "gbm-1", "gbm-0");
    screenshot("runs.png");
    navigate(By.cssSelector("a.sort[data-sort='metric.accuracy']"));
    assertThat(runNames()).first().isEqualTo("gbm-0");
    navigate(By.cssSelector("a.sort[data-sort='param.max_depth']"));
    assertThat(browser.getCurrentUrl()).contains("sort=param.max_depth");
    assertThat(runNames()).hasSize(UiFixture.CHURN_RUNS);
  }

  @Test
  void compareTwoRunsDrawsOneCurvePerRunPerMetric() throws IOException {
    open("/runs?experiment=churn&sort=metric.accuracy&order=desc");
    List<WebElement> boxes = all("tr.run input[type=checkbox]");
    boxes.get(0).click();
    boxes.get(7).click();
    navigate(By.id("compare"));
    assertThat(browser.getCurrentUrl()).contains("/compare?run=");
    assertThat(all("table.compare th a")).extracting(WebElement::getText).containsExactly("gbm-7", "gbm-0");
    assertThat(all("svg.line-chart")).hasSize(2);
    assertThat(all("svg.line-chart polyline.series")).hasSize(4);
    assertThat(all("tr.diff")).isNotEmpty();
    screenshot("compare.png");
  }

  @Test
  void driftReportRendersItsCharts() throws IOException {
    open("/drift");
    navigate(By.cssSelector("a.drift-report"));
    assertThat(browser.getCurrentUrl()).endsWith("/drift/churn-model/1");
    int bins = fixture.baseline.numericFeatures().stream().mapToInt(f -> f.binEdges().length + 1).sum()
        + fixture.baseline.categoricalFeatures().get(0).bucketLabels().size();
    assertThat(all("svg.histogram")).hasSize(3);
    assertThat(all("svg.histogram rect.bar-baseline")).hasSize(bins);
    assertThat(all("svg.histogram rect.bar-current")).hasSize(bins);
    assertThat(all("svg.timeline rect.window")).hasSize(UiFixture.WINDOWS);
    assertThat(all("svg.timeline circle.marker-drift")).hasSize(UiFixture.DRIFTED_WINDOWS);
    // a bar has a size: the SVG was laid out, not just present in the DOM
    assertThat(all("svg.histogram rect.bar-baseline").get(0).getRect().getWidth()).isPositive();
    assertThat(browser.findElement(By.tagName("main")).getText()).contains("DATASET DRIFT")
        .contains("<b>enterpr");
    browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1500));
    try {
      screenshot("drift.png");
    } finally {
      browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1000));
    }
  }

  @Test
  void aRunNamedScriptIsShownAsText() {
    open("/runs?experiment=hostile");
    assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    assertThat(runNames()).contains(UiFixture.XSS);
    navigate(By.linkText(UiFixture.XSS));
    assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    assertThat(browser.findElement(By.id("run-name")).getText()).isEqualTo(UiFixture.XSS);
    assertThat(browser.findElement(By.tagName("main")).getText()).contains("<img src=x onerror=alert(2)>");
    assertThat(all("main img")).isEmpty();
    assertThat(all("main script")).isEmpty();
  }

  @Test
  void badInputShowsAnErrorPage() {
    open("/runs?size=lots");
    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("400 Bad request");
    open("/runs/no-such-run");
    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("404 Not found");
  }
}
