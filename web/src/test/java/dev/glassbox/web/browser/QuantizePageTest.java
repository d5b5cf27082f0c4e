package dev.glassbox.web.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.quantization.QuantizationLab;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.tinymodels.ModelEntry;
import dev.glassbox.tinymodels.QuantizationInputs;
import dev.glassbox.web.App;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quantization lab page in a real browser: from the model page to the lab, a run on tiny-stories whose
 * histograms, table and generations are drawn; then MiniLM, whose cosine and retrieval numbers on the page are the
 * ones the library computes. Screenshots: target/screenshots/quantize-tiny-stories.png, quantize-minilm.png.
 */
class QuantizePageTest {
    static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
    static final ObjectMapper JSON = new ObjectMapper();

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
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (playwright != null) playwright.close();
        if (app != null) app.close();
    }

    /** Runs the lab from the page and waits for its report. */
    static void runLab(Page page) {
        page.locator("#quantize-start").click();
        page.waitForFunction("() => document.querySelectorAll('svg.quantize-hist').length > 0", null,
                new Page.WaitForFunctionOptions().setTimeout(180_000));
    }

    @Test
    void tinyStoriesHistogramsTableAndGenerations() {
        List<String> errors = new ArrayList<>();
        try (BrowserContext context = Chromium.owner(browser.newContext(new Browser.NewContextOptions().setViewportSize(1360, 900)), app)) {
            Page page = context.newPage();
            page.onPageError(errors::add);
            page.navigate(base + "/models/tiny-stories");
            page.locator(".model-views a", new Page.LocatorOptions().setHasText("Quantize")).click();
            assertThat(page).hasURL(Pattern.compile("/models/tiny-stories/quantize$"));
            assertThat(page.locator("h1")).containsText("Quantization lab");
            runLab(page);
            assertThat(page.locator("#quantize-status")).containsText("Done");
            // one figure per matrix and type: 30 matrices of tiny-stories, each as Q8_0 and Q4_0
            assertEquals(60, page.locator("svg.quantize-hist").count());
            int bars = page.locator("svg.quantize-hist").first().locator("rect").count();
            assertEquals(QuantizationLab.BINS, bars);
            assertThat(page.locator(".quantize-variants tbody tr")).hasCount(3);
            assertThat(page.locator(".quantize-variants tbody tr[data-type='Q4_0']")).containsText("%");
            assertThat(page.locator(".quantize-generation[data-type='F32']").first()).containsText("Once");
            assertEquals(3, page.locator(".quantize-generation-row").first().locator(".quantize-generation").count());
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("quantize-tiny-stories.png")).setFullPage(false));
            page.locator("#tensors-title").scrollIntoViewIfNeeded();
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("quantize-tiny-stories-tensors.png")));

            // a reload finds the finished run again
            page.reload();
            page.waitForFunction("() => document.querySelectorAll('svg.quantize-hist').length === 60", null,
                    new Page.WaitForFunctionOptions().setTimeout(30_000));
        }
        assertEquals(List.of(), errors, "uncaught errors in the page's scripts");
    }

    /** The MiniLM numbers the page shows are the library's: printed here, compared with the page's API and table. */
    @Test
    void miniLmCosineAndRetrievalAgreeWithTheLibrary() throws Exception {
        ModelEntry entry = app.deps().models().find("all-minilm-l6-v2").orElseThrow();
        QuantizationLab.Report[] run = new QuantizationLab.Report[1];
        Exception[] failed = new Exception[1];
        Kernels.onCallingThreadOnly(() -> {             // as the server runs the lab: every kernel on one thread
            try {
                run[0] = QuantizationLab.run(entry.file(), List.of(DType.Q8_0, DType.Q4_0), QuantizationInputs.of(entry), p -> {});
            } catch (Exception e) {
                failed[0] = e;
            }
        });
        if (failed[0] != null) throw failed[0];
        QuantizationLab.Report expected = run[0];
        List<String> errors = new ArrayList<>();
        try (BrowserContext context = Chromium.owner(browser.newContext(new Browser.NewContextOptions().setViewportSize(1360, 900)), app)) {
            Page page = context.newPage();
            page.onPageError(errors::add);
            page.navigate(base + "/models/all-minilm-l6-v2/quantize");
            runLab(page);
            JsonNode view = JSON.readTree((String) page.evaluate("async () => JSON.stringify(await (await fetch('/api/models/all-minilm-l6-v2/quantize')).json())"));
            for (int i = 0; i < 3; i++) {
                QuantizationLab.Variant v = expected.variants().get(i);
                QuantizationLab.Embeddings e = v.embeddings();
                JsonNode shown = view.path("variants").path(i);
                System.out.printf(Locale.ROOT, "MiniLM %-5s cosine to F32 mean %.6f min %.6f, same top sentence %d/%d (page: %.6f, %.6f, %d/%d)%n",
                        v.type(), e.meanCosine(), e.minCosine(), e.sameTop(), e.queries(), shown.path("embeddings").path("meanCosine").asDouble(),
                        shown.path("embeddings").path("minCosine").asDouble(), shown.path("embeddings").path("sameTop").asInt(),
                        shown.path("embeddings").path("queries").asInt());
                assertEquals(v.type().name(), shown.path("type").asText());
                // not bit for bit: the JIT's vector exp and the interpreter's differ in the last bits, run to run
                assertEquals(e.meanCosine(), shown.path("embeddings").path("meanCosine").asDouble(), 1e-6);
                assertEquals(e.minCosine(), shown.path("embeddings").path("minCosine").asDouble(), 1e-6);
                assertEquals(e.sameTop(), shown.path("embeddings").path("sameTop").asInt());
                assertThat(page.locator(".quantize-variants tbody tr[data-type='" + v.type() + "']"))
                        .containsText(String.format(Locale.ROOT, "%.6f", shown.path("embeddings").path("meanCosine").asDouble()));
                assertThat(page.locator(".quantize-variants tbody tr[data-type='" + v.type() + "']"))
                        .containsText(e.sameTop() + " / " + e.queries());
            }
            assertTrue(page.locator("svg.quantize-hist").count() > 70, "two histograms per MiniLM matrix");
            assertThat(page.locator(".quantize-retrieval tbody tr").first()).containsText("?");
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("quantize-minilm.png")));
        }
        assertEquals(List.of(), errors, "uncaught errors in the page's scripts");
    }
}
