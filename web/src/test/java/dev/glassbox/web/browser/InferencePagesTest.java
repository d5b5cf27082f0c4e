package dev.glassbox.web.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
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
 * The pages that run models, in a real browser: the attention explorer and the layer-by-layer view on MiniLM,
 * the tokenizer comparison, and generation on tiny-llama-random. Saves screenshots to look at in
 * target/screenshots (attention.png, layers.png, tokens.png, generate.png: copy them to docs/images when the
 * pages change).
 */
class InferencePagesTest {
    static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
    /** Counts the canvas pixels that are not white or transparent. */
    static final String INKED_PIXELS = """
            canvas => {
              const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
              let inked = 0;
              for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245)) inked++;
              return inked;
            }""";

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

    /** Runs {@code steps} in a fresh page and fails on any uncaught script error. */
    static void inPage(PageSteps steps) throws Exception {
        List<String> errors = new ArrayList<>();
        try (BrowserContext context = Chromium.owner(browser.newContext(new Browser.NewContextOptions().setViewportSize(1360, 900)), app)) {
            Page page = context.newPage();
            page.onPageError(errors::add);
            steps.run(page);
        }
        assertEquals(List.of(), errors, "uncaught errors in the page's scripts");
    }

    @FunctionalInterface
    interface PageSteps {
        void run(Page page) throws Exception;
    }

    @Test
    void attentionExplorerDrawsHeadsAndAblatesOne() throws Exception {
        inPage(page -> {
            page.navigate(base + "/models/all-minilm-l6-v2");
            page.locator(".model-views a", new Page.LocatorOptions().setHasText("Attention")).click();
            assertThat(page).hasURL(Pattern.compile("/models/all-minilm-l6-v2/attention$"));

            page.locator("#attention-text").fill("The animal didn't cross the street because it was too tired.");
            page.keyboard().press("Enter");
            Locator heatmap = page.locator("#attention-heatmap canvas.heatmap-canvas");
            assertThat(heatmap).isVisible();
            assertThat(page.locator("#attention-status")).containsText("16 tokens");   // [CLS] the animal didn ' t ... [SEP]
            int inked = ((Number) heatmap.evaluate(INKED_PIXELS)).intValue();
            assertTrue(inked > 5_000, "the heatmap is drawn, " + inked + " coloured pixels");
            assertThat(page.locator(".thumb")).hasCount(6 * 12);

            page.locator(".thumb[data-layer='2'][data-head='3']").click();
            assertThat(page.locator(".thumb[data-layer='2'][data-head='3']")).hasAttribute("aria-current", "true");
            assertThat(page.locator("#attention-heatmap .heatmap-title")).containsText("layer 2 · head 3");
            page.keyboard().press("ArrowRight");
            assertThat(page.locator("#attention-heatmap .heatmap-title")).containsText("layer 2 · head 4");
            int thumbInk = ((Number) page.locator(".thumb[data-layer='2'][data-head='4'] canvas").evaluate(INKED_PIXELS)).intValue();
            assertTrue(thumbInk > 100, "thumbnails are drawn too: " + thumbInk);

            page.locator(".head-view-query").nth(9).hover();
            assertThat(page.locator(".head-view-caption")).containsText("token 9");

            page.locator("#ablate-toggle").click();
            assertThat(page.locator("#ablate-toggle")).hasAttribute("aria-pressed", "true");
            assertThat(page.locator("#ablation-effect")).containsText("cosine");
            assertThat(page.locator(".thumb-ablated")).hasCount(1);
            assertThat(page.locator(".thumb-moved").first()).isVisible();
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("attention.png")).setFullPage(true));

            page.locator(".ablated-heads .chip-button").click();
            assertThat(page.locator(".thumb-ablated")).hasCount(0);
        });
    }

    @Test
    void layerByLayerStepsWithTheArrowKeys() throws Exception {
        inPage(page -> {
            page.navigate(base + "/models/all-minilm-l6-v2/layers");
            assertThat(page.locator(".arch-stage")).hasCount(1 + 6 + 1);
            assertThat(page.locator("#step-caption")).containsText("Embedding");
            page.locator("#step-caption").click();
            page.keyboard().press("ArrowRight");
            assertThat(page.locator("#step-caption")).containsText("Block 0 (1 of 6)");
            assertThat(page.locator(".arch-stage[data-step='1']")).hasAttribute("aria-current", "step");
            page.keyboard().press("ArrowRight");
            page.keyboard().press("ArrowRight");
            page.keyboard().press("ArrowRight");
            assertThat(page.locator("#step-caption")).containsText("Block 3 (4 of 6)");
            assertThat(page.locator("#contrib-chart rect.columns-attn")).hasCount(9);
            assertThat(page.locator("#lens-list .prob-row")).hasCount(5);
            page.keyboard().press("ArrowLeft");
            assertThat(page.locator("#step-caption")).containsText("Block 2 (3 of 6)");

            page.locator(".token-pick").nth(1).click();                      // "paris"
            assertThat(page.locator(".token-pick").nth(1)).hasAttribute("aria-checked", "true");
            assertThat(page.locator("#lens-title")).containsText("token 1");
            assertThat(page.locator("#step-caption")).containsText("Block 2 (3 of 6)");
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("layers.png")).setFullPage(true));

            page.navigate(base + "/models/tiny-llama-random/layers");
            assertThat(page.locator(".arch-stage")).hasCount(1 + 2 + 1);
            assertThat(page.locator(".arch-output")).containsText("unembedding");
        });
    }

    @Test
    void tokenizerViewComparesEveryModel() throws Exception {
        inPage(page -> {
            page.navigate(base + "/tokenizers");
            Locator minilm = page.locator(".tokenizer-panel[data-models='all-minilm-l6-v2']");
            assertThat(minilm.locator(".token-chip").first()).hasAttribute("data-id", "101");
            page.locator("#tokenizers-text").fill("Hello world");
            assertThat(minilm.locator(".token-chip")).hasCount(4);
            assertThat(minilm.locator(".tokenizer-count")).hasText("4 tokens");
            Locator bytes = page.locator(".tokenizer-panel", new Page.LocatorOptions().setHasText("tiny-llama-random (GGUF"));
            assertThat(bytes.locator(".token-chip")).hasCount(11);
            minilm.locator(".token-chip").nth(2).hover();
            assertThat(minilm.locator(".token-readout")).containsText("id 2088 · characters 6–11 “world”");
            page.locator("#tokenizers-text").fill("Tokenizers split unbelievable words, naïve café and 12345 too!");
            assertThat(minilm.locator(".token-chip", new Locator.LocatorOptions().setHasText("##"))).not().hasCount(0);
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("tokens.png")).setFullPage(true));
        });
    }

    @Test
    void generateStreamsTokensWithTheirCandidates() throws Exception {
        inPage(page -> {
            page.navigate(base + "/models/tiny-llama-random/generate");
            page.locator("#generate-max").fill("16");
            page.locator("#generate-run").click();
            assertThat(page.locator(".gen-token")).hasCount(16);
            assertThat(page.locator("#generate-status")).containsText("16 tokens");
            assertThat(page.locator("#generate-step .prob-row").first()).isVisible();
            assertThat(page.locator("#generate-step .prob-row-chosen")).hasCount(1);
            page.locator(".gen-token").nth(3).click();
            assertThat(page.locator(".gen-token").nth(3)).hasAttribute("aria-pressed", "true");
            assertThat(page.locator(".gen-step-head")).containsText("Step 4");
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("generate.png")).setFullPage(true));
        });
    }
}
