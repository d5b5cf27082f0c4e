package dev.glassbox.web.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.LocatorAssertions;
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
 * The fine-tuning page in a real browser: from tiny-stories' page to a short LoRA run whose sea loss falls on the
 * chart, generations before and after side by side, the weights that moved, and Save, which puts a model naming its
 * base model in the catalog; a model that cannot be fine-tuned says why.
 * Screenshots: target/screenshots/finetune-running.png, finetune-finished.png.
 */
class FineTunePageTest {
    static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
    static final String SEA_POINTS = "Number(document.querySelector('#finetune-chart svg')?.dataset.seaPoints || 0)";

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
        app.awaitModels(java.time.Duration.ofMinutes(3));
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

    static void waitFor(Page page, String condition, double millis) {
        page.waitForFunction("() => " + condition, null, new Page.WaitForFunctionOptions().setTimeout(millis));
    }

    @Test
    void fineTuneWatchBothLossesCompareGenerationsAndSave() throws Exception {
        List<String> errors = new ArrayList<>();
        try (BrowserContext context = Chromium.owner(browser.newContext(new Browser.NewContextOptions().setViewportSize(1360, 900)), app)) {
            Page page = context.newPage();
            page.onPageError(errors::add);
            page.navigate(base + "/models/tiny-stories");
            page.locator(".model-views a", new Page.LocatorOptions().setHasText("Fine-tune")).click();
            assertThat(page).hasURL(Pattern.compile("/models/tiny-stories/finetune$"));
            assertThat(page.locator("h1")).containsText("Fine-tune tiny-stories");
            assertThat(page.locator("input[name='method'][value='lora']")).isChecked();
            assertThat(page.locator("#finetune-rank")).hasValue("8");
            assertThat(page.locator("#finetune-targets input:checked")).hasCount(7);

            // A rank out of range is refused with its limits.
            page.locator("#finetune-rank").fill("99");
            page.locator("#finetune-start").click();
            assertThat(page.locator("#finetune-error")).containsText("rank in [1, 64]");

            // A short LoRA run on q and v: the chart gains held-out points, the before column fills at once.
            page.locator("#finetune-rank").fill("8");
            page.locator("#finetune-steps").fill("20");
            page.locator("#finetune-targets input[value='k_proj']").uncheck();
            page.locator("#finetune-targets input[value='o_proj']").uncheck();
            page.locator("#finetune-targets input[value='gate_proj']").uncheck();
            page.locator("#finetune-targets input[value='up_proj']").uncheck();
            page.locator("#finetune-targets input[value='down_proj']").uncheck();
            page.locator("#finetune-start").click();
            assertThat(page.locator("#finetune-stop")).isEnabled();
            waitFor(page, SEA_POINTS + " >= 2", 120_000);
            assertThat(page.locator("#finetune-size")).containsText("parameters train");
            assertThat(page.locator(".finetune-before").first()).not().isEmpty();
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("finetune-running.png")).setFullPage(true));

            waitFor(page, "document.querySelector('#finetune-state').dataset.state === 'finished'", 300_000);
            assertThat(page.locator("#finetune-state")).containsText("Finished: 20 steps");
            double first = Double.parseDouble((String) page.evaluate("document.querySelector('#finetune-chart svg').dataset.firstSea"));
            double last = Double.parseDouble((String) page.evaluate("document.querySelector('#finetune-chart svg').dataset.lastSea"));
            assertTrue(last < first - 0.3, "the sea loss fell on the chart: " + first + " -> " + last);
            assertTrue(page.locator("#finetune-chart circle.finetune-plain-dot").count() >= 2, "the plain loss is drawn too");
            assertThat(page.locator(".finetune-generation")).hasCount(2);
            String before = page.locator(".finetune-before").first().textContent();
            String after = page.locator(".finetune-after").first().textContent();
            assertTrue(!after.equals("…") && !after.equals(before), "the fine-tuned model writes something else: " + before + " / " + after);
            assertTrue(page.locator(".finetune-moved-cell").count() >= 20, "one cell per weight tensor");
            double q = Double.parseDouble(page.locator(".finetune-moved-cell[title^='model.layers.0.self_attn.q_proj']").getAttribute("data-change"));
            double k = Double.parseDouble(page.locator(".finetune-moved-cell[title^='model.layers.0.self_attn.k_proj']").getAttribute("data-change"));
            assertTrue(q > 0 && k == 0, "LoRA on q and v moved q_proj, not k_proj: " + q + ", " + k);

            // Save: the new model is in the catalog and its card names its base model.
            page.locator("#finetune-name").fill("Browser sea");
            page.locator("#finetune-save").click();
            assertThat(page.locator(".train-saved-link")).hasText("browser-sea", new LocatorAssertions.HasTextOptions().setTimeout(120_000));
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("finetune-finished.png")).setFullPage(true));
            page.locator(".train-saved-link").click();
            assertThat(page).hasURL(Pattern.compile("/models/browser-sea$"));
            assertThat(page.locator("body")).containsText("tiny-stories");

            // A model that reads other tokens says so and offers no start.
            page.navigate(base + "/models/sorter/finetune");
            assertThat(page.locator("#finetune-unavailable")).containsText("cannot be fine-tuned");
            waitFor(page, "document.querySelector('#finetune-settings input') !== null", 30_000);
            assertThat(page.locator("#finetune-start")).isDisabled();
        }
        assertEquals(List.of(), errors, "uncaught errors in the page's scripts");
    }
}
