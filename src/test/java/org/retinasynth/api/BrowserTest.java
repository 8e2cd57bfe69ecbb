package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.jayway.jsonpath.JsonPath;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.retinasynth.testsupport.IntegrationTest;
import org.retinasynth.testsupport.ServiceProcess;

/**
 * What a person sees in a browser: Swagger UI driven headless through Authorize, Try it out and Execute, a
 * dataset's grid PNG, and a study's HTML report with every figure decoded. Uses Debian's chromium and
 * chromium-driver (.ci/run installs them) at fixed paths, so Selenium Manager never downloads a browser;
 * skipped with -Dbrowser.skip=true or when they are not installed.
 */
@IntegrationTest
class BrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    // executeCdpCommand sends raw CDP through chromedriver, so Selenium's versioned devtools bindings
    // (none for this chromium) are not needed; without this each start warns that they are missing
    private static final List<Logger> QUIET = List.of(Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder"),
            Logger.getLogger("org.openqa.selenium.chromium.ChromiumDriver"));

    static {
        QUIET.forEach(l -> l.setLevel(Level.SEVERE));
    }

    @TempDir
    Path tmp;

    @Test
    void swaggerUiCreatesADemoDatasetAndItsGridAndAStudyReportRender() throws Exception {
        assumeFalse(Boolean.getBoolean("browser.skip"), "browser tests skipped (-Dbrowser.skip=true)");
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does)");

        try (ServiceProcess service = ServiceProcess.start(Files.createDirectories(tmp.resolve("data")), "service.log")) {
            ChromeDriver browser = start();
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
                browser.get(service.uri("/swagger-ui.html").toString());

                // Authorize with the API key
                wait.until(d -> d.findElement(By.cssSelector(".auth-wrapper .authorize"))).click();
                WebElement keyInput = wait.until(d -> d.findElement(By.cssSelector(".modal-ux-content input")));
                keyInput.sendKeys(ServiceProcess.KEY);
                browser.findElement(By.cssSelector(".modal-ux-content .auth-btn-wrapper button.authorize")).click();
                wait.until(d -> d.findElement(By.cssSelector(".modal-ux-content .auth-btn-wrapper button.btn-done")))
                        .click();

                // POST /api/v1/datasets/demo with the example body
                WebElement op = wait.until(d -> d.findElement(By.id("operations-Datasets-createDemoDataset")));
                op.findElement(By.cssSelector(".opblock-summary-control")).click();
                wait.until(d -> op.findElement(By.cssSelector(".try-out__btn"))).click();
                wait.until(d -> op.findElement(By.cssSelector("button.execute"))).click();
                WebElement status = wait.until(d -> op.findElement(
                        By.cssSelector(".live-responses-table .response .response-col_status")));
                String body = op.findElement(By.cssSelector(".live-responses-table .response-col_description pre"))
                        .getText();
                assertThat(status.getText().trim()).as(body).isEqualTo("201");
                String dataset = JsonPath.read(body, "$.id");

                // the browser sends the key itself from here on
                browser.executeCdpCommand("Network.enable", Map.of());
                browser.executeCdpCommand("Network.setExtraHTTPHeaders",
                        Map.of("headers", Map.of("X-API-Key", ServiceProcess.KEY)));

                browser.get(service.uri("/api/v1/datasets/" + dataset + "/grid.png").toString());
                Object gridWidth = wait.until(d -> script(d, "const i = document.images[0];"
                        + " return i && i.complete ? i.naturalWidth : null;"));
                assertThat(((Number) gridWidth).intValue()).as("grid.png naturalWidth").isPositive();

                String study = study(service, dataset);
                browser.get(service.uri("/api/v1/studies/" + study + "/report.html").toString());
                wait.until(d -> Boolean.TRUE.equals(script(d, "return document.readyState === 'complete'"
                        + " && [...document.images].every(i => i.complete);")));
                List<?> images = (List<?>) browser.executeScript(
                        "return [...document.images].map(i => i.naturalWidth);");
                assertThat(images).as("report figures").hasSizeGreaterThanOrEqualTo(3)
                        .allSatisfy(w -> assertThat(((Number) w).intValue()).isPositive());
                assertThat(browser.getTitle()).startsWith("Study ");

                List<String> severe = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                        // the browser asks for /favicon.ico by itself on the bare PNG page; no page of ours links one
                        .filter(e -> !e.getMessage().contains("/favicon.ico "))
                        .map(LogEntry::toString).toList();
                assertThat(severe).as("console errors").isEmpty();
                System.out.printf("BrowserTest: Swagger UI POST /api/v1/datasets/demo 201, grid %d px wide, report %d figures%n",
                        ((Number) gridWidth).intValue(), images.size());
            } finally {
                browser.quit();
            }
        }
    }

    private static Object script(org.openqa.selenium.WebDriver d, String js) {
        return ((JavascriptExecutor) d).executeScript(js);
    }

    /** A small succeeded study of the dataset (REAL and REAL_CLASSIC arms: no generative model to train). */
    private static String study(ServiceProcess service, String dataset) throws Exception {
        String created = service.postJson("/api/v1/studies", "{\"datasetId\":\"" + dataset + "\","
                + "\"arms\":[\"REAL\",\"REAL_CLASSIC\"],\"seeds\":2,\"allowTwoSeeds\":true,"
                + "\"robustnessCorruptions\":[\"gaussian\"],\"classifier\":{\"epochs\":1,\"batchSize\":16,\"width\":16}}");
        String id = JsonPath.read(created, "$.id");
        long end = System.currentTimeMillis() + 300_000;
        while (System.currentTimeMillis() < end) {
            String s = service.send(HttpRequest.newBuilder(service.uri("/api/v1/studies/" + id))).body();
            String state = JsonPath.read(s, "$.state");
            if (!state.equals("QUEUED") && !state.equals("RUNNING")) {
                assertThat(state).as(s).isEqualTo("SUCCEEDED");
                return id;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("study " + id + " did not finish");
    }

    private static ChromeDriver start() {
        ChromeDriverService driver = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
                        "--no-first-run", "--disable-background-networking", "--disable-component-update");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        return new ChromeDriver(driver, options);
    }
}
