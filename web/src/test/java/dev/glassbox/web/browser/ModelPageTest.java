package dev.glassbox.web.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.AriaRole;
import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.web.App;
import dev.glassbox.web.server.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model catalog and the tensor browser in a real browser: the MiniLM page, its word embeddings picked
 * in the tensor list, their statistics, histogram and heatmap opening at the largest-norm rows with their tokens,
 * a jump by word and by row number, a red error for a bad range, the filter's counts, the histogram saved as SVG,
 * and the page on a phone. Leaves target/screenshots/tensor-browser.png (1366 x 900, full page) and
 * tensor-browser-phone.png (390 x 844).
 * (In this package for the shared Chromium launcher; the pages themselves live in dev.glassbox.web.shelf.)
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
            BrowserContext context = Chromium.owner(browser.newContext(new Browser.NewContextOptions().setViewportSize(1366, 900).setAcceptDownloads(true)), app);
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
            assertThat(page.locator(".tensor-download")).hasAttribute("href",
                    "/api/models/all-minilm-l6-v2/tensors/" + WORDS + ".npy");

            // it opens at the rows with the largest norms, each listed with its token, as the API ranks them
            JsonNode top = apiJson(app, "/api/models/all-minilm-l6-v2/tensors/" + WORDS + "/top-rows?count=64&cols=0:256");
            assertThat(page.locator(".heatmap-meta")).containsText("64 × 256");
            assertThat(page.locator(".slice-status")).containsText("largest L2 norms");
            Locator entries = page.locator(".row-index .row-entry");
            assertThat(entries).hasCount(64);
            for (int i : new int[] {0, 1, 63}) {
                String token = top.get("rowLabels").get(i).asText();
                assertThat(entries.nth(i)).hasAttribute("data-row", top.get("rowIndex").get(i).asText());
                assertThat(entries.nth(i).locator(".row-token")).hasAttribute("title", token);
            }
            assertTrue(top.get("rowIndex").get(0).asInt() >= 128, "the largest-norm row is not among the first 128: " + top.get("rowIndex"));
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Zoom in")).click();
            assertThat(page.locator(".heatmap-meta")).containsText("32 × 128");
            shoot(page, "tensor-browser-top-rows.png");

            // a word jumps to its token's row: "Hello" is BERT's token 7592, "hello"
            page.locator(".slice-word").fill("Hello");
            page.locator(".slice-word").press("Enter");
            assertThat(page.locator(".row-entry.is-target")).hasAttribute("data-row", "7592");
            assertThat(page.locator(".row-entry.is-target .row-token")).hasText("hello");
            assertThat(page.locator(".slice-input").first()).hasValue("7592:7720");
            assertThat(page.locator(".slice-status")).containsText("hello (row 7592)");
            assertThat(page.locator(".heatmap-meta")).containsText("128 × 128");
            page.locator(".slice-row-number").fill("101");
            page.locator(".slice-row-number").press("Enter");
            assertThat(page.locator(".row-entry.is-target")).hasAttribute("data-row", "101");
            assertThat(page.locator(".row-entry.is-target .row-token")).hasText("[CLS]");
            shoot(page, "tensor-browser-jump.png");

            page.locator(".tensor-browser").scrollIntoViewIfNeeded();
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("tensor-browser.png")).setFullPage(true));

            // an impossible range is a red error naming it and what is allowed, and the old map goes
            page.locator(".slice-input").first().fill("0:99999");
            page.locator(".slice-input").first().press("Enter");
            Locator status = page.locator(".slice-status");
            assertThat(status).hasClass(Pattern.compile("model-error"));
            assertThat(status).containsText("“0:99999”");
            assertThat(status).containsText("0 to 30522");
            assertThat(page.locator(".slice-figure canvas")).hasCount(0);
            shoot(page, "tensor-browser-bad-range.png");
            String red = (String) page.evaluate("() => getComputedStyle(document.querySelector('.slice-status')).color");
            String text = (String) page.evaluate("() => getComputedStyle(document.querySelector('.tensor-facts')).color");
            assertTrue(!red.equals(text) && red.matches("rgb\\((\\d+), (\\d+), (\\d+)\\)") && redder(red), "the error is red: " + red);

            // the filter counts what it shows
            Locator filter = page.locator(".tensor-filter");
            Locator summary = page.locator(".tensor-tree-summary");
            filter.fill("xyz");
            assertThat(summary).containsText("No tensor matches “xyz”");
            filter.fill("word_embeddings");
            assertThat(summary).hasText(Pattern.compile("^1 of \\d+ tensors"));
            filter.fill("attention.self.query");
            assertThat(summary).hasText(Pattern.compile("^12 of \\d+ tensors, in 6 groups"));
            filter.fill("");

            // the histogram saves as an SVG that reads outside the page: colours inlined, no classes
            Download download = page.waitForDownload(() -> page.locator(".histogram .svg-save").click());
            assertEquals(WORDS + "-histogram.svg", download.suggestedFilename());
            String svg = Files.readString(download.path());
            assertTrue(svg.contains("<svg") && svg.contains("xmlns=\"http://www.w3.org/2000/svg\"") && svg.contains("fill:rgb")
                    && !svg.contains("class="), svg.substring(0, Math.min(600, svg.length())));


            // the same page on a phone: no sideways scrolling
            page.setViewportSize(390, 844);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Largest norms")).click();
            assertThat(page.locator(".heatmap-meta")).containsText("32 × 128");
            assertThat(page.locator(".slice-input").first()).not().hasAttribute("aria-invalid", "true");
            Object wide = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
            assertEquals(0, ((Number) wide).intValue(), "the phone page does not scroll sideways");
            page.locator(".tensor-heatmap").scrollIntoViewIfNeeded();
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("tensor-browser-phone.png")));
            context.close();
        }
        assertEquals(List.of(), pageErrors, "uncaught errors in the page's scripts");
    }

    static JsonNode apiJson(App app, String path) throws Exception {
        String url = "http://localhost:" + app.port() + path;
        HttpResponse<String> response = dev.glassbox.web.OwnerLink.client(app).send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), url + " -> " + response.body());
        return Json.MAPPER.readTree(response.body());
    }

    /** rgb(r, g, b) with red well above green and blue. */
    static boolean redder(String rgb) {
        String[] parts = rgb.replaceAll("[^0-9,]", "").split(",");
        int r = Integer.parseInt(parts[0]), g = Integer.parseInt(parts[1]), b = Integer.parseInt(parts[2]);
        return r > g + 60 && r > b + 60;
    }

    static void shoot(Page page, String file) {
        page.locator(".tensor-heatmap").scrollIntoViewIfNeeded();
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(file)));
    }
}
