package dev.glassbox.web.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.web.App;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Train page in a real browser: a short sorter run whose loss curve grows and falls, samples that appear,
 * a reload that finds the run again, Stop, Save, and the saved model in the catalog; then the page on a phone.
 * Screenshots: target/screenshots/train-running.png, train-saved.png, train-phone.png.
 */
class TrainPageTest {
    static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
    static final String POINTS = "Number(document.querySelector('#train-chart svg')?.dataset.points || 0)";

    @TempDir
    static Path dataDir;
    static App app;
    static Playwright playwright;
    static Browser browser;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        PlaywrightAssertions.setDefaultAssertionTimeout(30_000);
        app = App.start(new App.Settings("127.0.0.1", 0, dataDir, null, KernelSettings.defaults(dataDir.resolve("scratch")).withPoolSize(0)));
        app.awaitModels(java.time.Duration.ofMinutes(3));   // prepared in the background
        base = "http://localhost:" + app.port();
        playwright = Playwright.create();
        browser = Chromium.launch(playwright);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (playwright != null) playwright.close();
        if (app != null) app.close();
    }

    static int points(Page page) {
        return ((Number) page.evaluate(POINTS)).intValue();
    }

    static void waitFor(Page page, String condition, double millis) {
        page.waitForFunction("() => " + condition, null, new Page.WaitForFunctionOptions().setTimeout(millis));
    }

    @Test
    void trainWatchReloadSaveAndFindTheModelInTheCatalog() throws Exception {
        List<String> errors = new ArrayList<>();
        try (BrowserContext context = Chromium.owner(browser.newContext(new Browser.NewContextOptions().setViewportSize(1360, 900)), app)) {
            Page page = context.newPage();
            page.onPageError(errors::add);
            page.navigate(base + "/");
            page.locator(".site-header a", new Page.LocatorOptions().setHasText("Train")).click();
            assertThat(page).hasURL(Pattern.compile("/train$"));
            assertThat(page.locator("h1")).hasText("Train a model");
            assertThat(page.locator("input[name='recipe'][value='sorter']")).isChecked();
            assertThat(page.locator("#train-steps")).hasValue("300");                      // the sorter's quick settings
            assertThat(page.locator("#train-seqLen")).isDisabled();                        // fixed by the recipe
            assertThat(page.locator(".train-setting", new Page.LocatorOptions().setHasText("steps")).first()).containsText("1 – 20000");

            // A bad value is refused with the field and its limits, and nothing starts.
            page.locator("#train-layers").fill("9");
            page.locator("#train-start").click();
            assertThat(page.locator("#train-error")).containsText("layers in [1, 4] expected, found 9");
            page.locator("#train-quick").click();
            assertThat(page.locator("#train-layers")).hasValue("2");

            // Start: the curve grows while the loss falls, samples appear, the progress bar and the figures move.
            page.locator("#train-start").click();
            assertThat(page.locator("#train-stop")).isEnabled();
            assertThat(page.locator("#train-start")).isDisabled();
            waitFor(page, POINTS + " >= 5", 60_000);
            int early = points(page);
            waitFor(page, POINTS + " >= " + (early + 20), 60_000);
            assertThat(page.locator(".train-fig-speed dd")).containsText("tokens/s");
            assertThat(page.locator(".train-fig-time-left dd")).containsText(Pattern.compile("about|–"));
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("train-running.png")).setFullPage(true));

            // The run lives on the server: a reload finds it and goes on drawing.
            page.reload();
            waitFor(page, POINTS + " > 0", 30_000);
            int afterReload = points(page);
            assertTrue(afterReload >= early + 20, "the reloaded page shows the whole curve so far: " + afterReload);
            waitFor(page, "document.querySelector('#train-state').dataset.state === 'finished'", 180_000);
            assertThat(page.locator("#train-state")).containsText("Finished: 300 steps");
            assertEquals(300, points(page), "every step is a point (fewer than 500)");
            double first = Double.parseDouble((String) page.evaluate("document.querySelector('#train-chart svg').dataset.firstLoss"));
            double last = Double.parseDouble((String) page.evaluate("document.querySelector('#train-chart svg').dataset.lastLoss"));
            assertTrue(last < first / 2, "the loss fell: " + first + " -> " + last);
            assertTrue(page.locator(".train-sample").count() >= 1, "samples appeared");
            assertThat(page.locator(".train-sample").first()).containsText(Pattern.compile("step \\d+"));
            assertTrue(page.locator("#train-chart circle.held-dot").count() >= 1, "held-out losses are drawn");
            assertThat(page.locator("#train-chart")).containsText("training step");

            // Save it, then find it in the catalog.
            assertThat(page.locator("#train-name")).hasValue("my-sorter");
            page.locator("#train-name").fill("Browser sorter");
            page.locator("#train-save").click();
            assertThat(page.locator(".train-saved-link")).hasText("browser-sorter", new com.microsoft.playwright.assertions.LocatorAssertions.HasTextOptions().setTimeout(120_000));
            assertThat(page.locator("#train-save")).isDisabled();
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("train-saved.png")).setFullPage(true));
            page.locator(".train-saved-link").click();
            assertThat(page).hasURL(Pattern.compile("/models/browser-sorter$"));
            assertThat(page.locator("body")).containsText("Browser sorter");
            page.navigate(base + "/models");
            assertThat(page.locator(".model-card[data-model-id='browser-sorter']")).isVisible();

            // Stop: a long run ends at the next step and can be saved as it is.
            page.navigate(base + "/train");
            page.locator("#train-steps").fill("20000");
            page.locator("#train-start").click();
            waitFor(page, POINTS + " >= 3", 60_000);
            page.locator("#train-stop").click();
            assertThat(page.locator("#train-state")).containsText("Stopped after", new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(60_000));
            assertThat(page.locator("#train-state")).containsText("you stopped it");
            assertThat(page.locator("#train-save")).isEnabled();

            // A phone: everything fits in 390 px.
            page.setViewportSize(390, 844);
            page.reload();
            waitFor(page, POINTS + " > 0", 30_000);
            int overflow = ((Number) page.evaluate("document.documentElement.scrollWidth - window.innerWidth")).intValue();
            assertTrue(overflow <= 0, "no horizontal scrolling on a phone: " + overflow + " px too wide");
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("train-phone.png")).setFullPage(true));
        }
        assertEquals(List.of(), errors, "uncaught errors in the page's scripts");
    }
}
