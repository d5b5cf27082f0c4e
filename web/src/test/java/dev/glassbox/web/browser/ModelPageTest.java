package dev.glassbox.web.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.glassbox.kernel.KernelSettings;
import dev.glassbox.web.App;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The model catalog and the tensor browser in a real browser: the MiniLM page, its word embeddings picked
 * in the tensor list, their statistics, histogram and heatmap. Leaves target/screenshots/tensor-browser.png.
 * (In this package for the shared Chromium launcher; the pages themselves live in dev.glassbox.web.models.)
 */
class ModelPageTest {
    static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
    static final String WORDS = "embeddings.word_embeddings.weight";

    @TempDir
    Path dataDir;

    @Test
    void browsesTheWordEmbeddingsOfMiniLm() throws Exception {
        PlaywrightAssertions.setDefaultAssertionTimeout(30_000);
        List<String> pageErrors = new ArrayList<>();
        try (App app = App.start(new App.Settings("127.0.0.1", 0, dataDir, null,
                KernelSettings.defaults(dataDir.resolve("scratch")).withPoolSize(0)));
             Playwright playwright = Playwright.create();
             Browser browser = Chromium.launch(playwright)) {
            app.awaitModels(java.time.Duration.ofMinutes(3));   // prepared in the background
            BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900));
            Page page = context.newPage();
            page.onPageError(pageErrors::add);
            String base = "http://localhost:" + app.port();

            page.navigate(base + "/models");
            Locator card = page.locator(".model-card[data-model-id='all-minilm-l6-v2']");
            assertThat(card).containsText("all-MiniLM-L6-v2");
            assertThat(card.locator(".openness-pill")).hasCount(6);
            assertThat(card.locator(".openness-partly-open").first()).hasAttribute("title", Pattern.compile("training"));
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("model-catalog.png")));
            card.click();

            assertThat(page).hasURL(Pattern.compile("/models/all-minilm-l6-v2$"));
            assertThat(page.locator("#budget-chart svg.bars-svg")).isVisible();
            Locator words = page.locator(".tensor-item[data-tensor='" + WORDS + "']");
            words.click();
            assertThat(words).hasAttribute("aria-current", "true");
            assertThat(page.locator(".tensor-title")).hasText(WORDS);
            assertThat(page.locator(".stats-grid")).containsText("11720448");
            assertThat(page.locator("svg.histogram-svg rect.histogram-bar")).hasCount(64);
            assertThat(page.locator(".tensor-heatmap canvas.heatmap-canvas")).isVisible();
            assertThat(page.locator(".heatmap-meta")).containsText("128 × 256");
            assertThat(page.locator(".tensor-download")).hasAttribute("href",
                    "/api/models/all-minilm-l6-v2/tensors/" + WORDS + ".npy");

            page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                    new Page.GetByRoleOptions().setName("Zoom in")).click();
            assertThat(page.locator(".heatmap-meta")).containsText("64 × 128");
            page.locator(".tensor-browser").scrollIntoViewIfNeeded();
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("tensor-browser.png")).setFullPage(true));
            context.close();
        }
        assertEquals(List.of(), pageErrors, "uncaught errors in the page's scripts");
    }
}
