package dev.glassbox.web.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.ColorScheme;
import com.microsoft.playwright.options.ReducedMotion;
import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.web.App;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pages on a phone (390 x 844) and a laptop (1366 x 900), in the light and the dark theme: a lesson, the
 * tensor browser and the attention page keep every editor usable and never scroll sideways (only heatmaps and
 * code scroll in their own boxes); axe-core finds no serious or critical problem on any page in either theme.
 * Screenshots go to target/screenshots/{lesson,tensors,attention}-{390,1366}-{light,dark}.png.
 */
class ScreensAndThemesTest {
    static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
    static final String LESSON = "vectors-in-the-notebook";
    static final String MODEL = "all-minilm-l6-v2";

    /**
     * The page's width against the window's, and every element that reaches past the window's right edge
     * without a scrolling (or clipping) box around it to hold it.
     */
    static final String OVERFLOW = """
            () => {
              const width = document.documentElement.clientWidth;
              const escaping = [];
              for (const e of document.querySelectorAll("body *")) {
                const r = e.getBoundingClientRect();
                if (r.width === 0 || r.right <= width + 1) continue;
                let held = false;
                for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
                  const o = getComputedStyle(a).overflowX;
                  if (o === "auto" || o === "scroll" || o === "hidden" || o === "clip") { held = true; break; }
                }
                if (!held) escaping.push(`${e.tagName.toLowerCase()}.${e.className} right=${Math.round(r.right)}`);
              }
              const scrolling = [...document.querySelectorAll("body *")]
                .filter(e => e.scrollWidth > e.clientWidth + 1 && ["auto", "scroll"].includes(getComputedStyle(e).overflowX))
                .map(e => e.className.toString());
              return { pageWidth: document.documentElement.scrollWidth, width, escaping: escaping.slice(0, 10), scrolling };
            }""";

    /** What may scroll sideways inside a narrow page: heatmaps, thumbnails of heads, code, tables. */
    static final List<String> SCROLL_AREAS = List.of("heatmap-frame", "model-view", "cm-scroller", "output-table-wrap", "head-view-scroll");

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
        app.awaitModels(Duration.ofMinutes(3));
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

    record Screen(String name, int width, int height) {}

    static final Screen PHONE = new Screen("390", 390, 844);
    static final Screen LAPTOP = new Screen("1366", 1366, 900);

    static void inPage(Screen screen, ColorScheme scheme, PageSteps steps) throws Exception {
        List<String> errors = new ArrayList<>();
        Browser.NewContextOptions options = new Browser.NewContextOptions()
                .setViewportSize(screen.width(), screen.height())
                .setColorScheme(scheme)
                .setReducedMotion(ReducedMotion.REDUCE)
                .setBypassCSP(true);   // axe-core is added as an inline script
        if (screen == PHONE) options.setHasTouch(true).setIsMobile(true).setDeviceScaleFactor(2);
        try (BrowserContext context = Chromium.owner(browser.newContext(options), app)) {
            context.setDefaultTimeout(60_000);
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

    @SuppressWarnings("unchecked")
    static void assertNoSidewaysScroll(Page page, String what) {
        Map<String, Object> o = (Map<String, Object>) page.evaluate(OVERFLOW);
        int pageWidth = ((Number) o.get("pageWidth")).intValue();
        int width = ((Number) o.get("width")).intValue();
        assertTrue(pageWidth <= width, what + ": the page is " + pageWidth + " px wide in a " + width + " px window; " + o.get("escaping"));
        assertEquals(List.of(), o.get("escaping"), what + ": elements past the right edge");
        for (String area : (List<String>) o.get("scrolling")) {
            assertTrue(SCROLL_AREAS.stream().anyMatch(area::contains), what + ": '" + area + "' scrolls sideways; only " + SCROLL_AREAS + " may");
        }
    }

    static void screenshot(Page page, String name, Screen screen, ColorScheme scheme) {
        String file = name + "-" + screen.name() + "-" + scheme.name().toLowerCase() + ".png";
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(file)));
    }

    @Test
    void aLessonFitsAPhoneAndALaptop() throws Exception {
        for (Screen screen : List.of(PHONE, LAPTOP)) {
            for (ColorScheme scheme : List.of(ColorScheme.LIGHT, ColorScheme.DARK)) {
                inPage(screen, scheme, page -> {
                    page.navigate(base + "/lessons/" + LESSON);
                    Locator editors = page.locator(".cell-editor");
                    assertThat(editors.first()).isVisible();
                    List<Integer> widths = ((List<?>) editors.evaluateAll("es => es.map(e => Math.round(e.getBoundingClientRect().width))"))
                            .stream().map(w -> ((Number) w).intValue()).toList();
                    assertEquals(10, widths.size(), "the vectors lesson has 10 cells");
                    int least = screen == PHONE ? 280 : 800;
                    for (int w : widths) assertTrue(w >= least, screen + ": every cell's editor is at least " + least + " px wide: " + widths);
                    double toolbar = ((Number) page.locator(".notebook-toolbar").evaluate("e => e.getBoundingClientRect().height")).doubleValue();
                    assertTrue(toolbar <= 64, screen + ": the sticky toolbar is one row (" + toolbar + " px)");
                    assertNoSidewaysScroll(page, "lesson at " + screen);
                    page.locator("section.cell").nth(1).scrollIntoViewIfNeeded();
                    screenshot(page, "lesson", screen, scheme);
                    assertEquals(List.of(), Axe.violations(page), "axe on the lesson at " + screen + ", " + scheme);
                });
            }
        }
    }

    @Test
    void theTensorBrowserFitsAndTakesTheLearnerToTheTensor() throws Exception {
        for (Screen screen : List.of(PHONE, LAPTOP)) {
            for (ColorScheme scheme : List.of(ColorScheme.LIGHT, ColorScheme.DARK)) {
                inPage(screen, scheme, page -> {
                    page.navigate(base + "/models/" + MODEL);
                    Locator item = page.locator(".tensor-item[data-tensor*='word_embeddings']").first();
                    if (screen == PHONE) item.tap();
                    else item.click();
                    assertThat(page.locator(".slice-figure canvas.heatmap-canvas")).isVisible();
                    double top = ((Number) page.locator("#tensor-detail").evaluate("e => e.getBoundingClientRect().top")).doubleValue();
                    assertTrue(top >= -1 && top < screen.height() / 2.0, screen + ": the tensor's details are in view after the tap (top " + top + ")");
                    assertNoSidewaysScroll(page, "tensor browser at " + screen);
                    double frame = ((Number) page.locator(".slice-figure .heatmap-frame").evaluate("e => e.getBoundingClientRect().right")).doubleValue();
                    assertTrue(frame <= screen.width(), "the heatmap's frame ends inside the window: " + frame);
                    screenshot(page, "tensors", screen, scheme);
                    assertEquals(List.of(), Axe.violations(page), "axe on the tensor browser at " + screen + ", " + scheme);

                    // A filter that matches nothing says so; a wrong range is an error, and the old map goes.
                    page.locator(".tensor-filter").fill("no-such-tensor");
                    assertThat(page.locator(".tensor-tree-summary")).hasText("No tensor matches “no-such-tensor” (104 tensors in all).");
                    page.locator(".tensor-filter").fill("query.weight");
                    assertThat(page.locator(".tensor-tree-summary")).hasText("6 of 104 tensors, in 6 groups");
                    page.locator(".slice-input").first().fill("9:2");
                    page.locator(".slice-form button[type=submit]").click();
                    assertThat(page.locator(".slice-status")).containsText("rows “9:2” is empty");
                    assertThat(page.locator(".slice-figure canvas")).hasCount(0);
                });
            }
        }
    }

    @Test
    void theAttentionPageFits() throws Exception {
        for (Screen screen : List.of(PHONE, LAPTOP)) {
            for (ColorScheme scheme : List.of(ColorScheme.LIGHT, ColorScheme.DARK)) {
                inPage(screen, scheme, page -> {
                    page.navigate(base + "/models/" + MODEL + "/attention");
                    page.locator("#attention-text").fill("The animal didn't cross the street because it was too tired.");
                    page.locator("#attention-form button[type=submit]").click();
                    assertThat(page.locator("#attention-heatmap canvas.heatmap-canvas")).isVisible();
                    assertThat(page.locator("#layer-select option").first()).hasText("0");   // the label says "layer"
                    assertNoSidewaysScroll(page, "attention at " + screen);
                    page.locator("#attention-heatmap").scrollIntoViewIfNeeded();
                    screenshot(page, "attention", screen, scheme);
                    assertEquals(List.of(), Axe.violations(page), "axe on the attention page at " + screen + ", " + scheme);
                    if (screen == LAPTOP && scheme == ColorScheme.DARK) {
                        // Save PNG downloads the map as drawn.
                        Download download = page.waitForDownload(() -> page.locator("#attention-heatmap .heatmap-save").click());
                        assertEquals("layer-0-head-0.png", download.suggestedFilename());
                        byte[] png = java.nio.file.Files.readAllBytes(download.path());
                        assertTrue(png.length > 2_000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG of " + png.length + " bytes");
                    }
                });
            }
        }
    }

    /** Every page a learner can open in single-user mode, in both themes, after its first screen has drawn. */
    @Test
    void axeFindsNothingSeriousOnAnyPageInEitherTheme() throws Exception {
        List<String> paths = new ArrayList<>(List.of("/", "/models", "/models/" + MODEL, "/models/" + MODEL + "/layers",
                "/models/tiny-llama-random/generate", "/models/" + MODEL + "/quantize", "/models/tiny-stories/finetune",
                "/tokenizers", "/train", "/course", "/glossary", "/search?q=attention", "/teacher", "/no-such-page"));
        inPage(LAPTOP, ColorScheme.LIGHT, page -> {
            page.navigate(base + "/");
            for (Object id : (List<?>) page.locator("a.lesson-card").evaluateAll("as => as.map(a => a.dataset.lessonId)")) {
                paths.add("/lessons/" + id);
            }
        });
        assertTrue(paths.size() >= 14 + 20, "the home page lists the lessons: " + paths);
        List<String> problems = new ArrayList<>();
        for (ColorScheme scheme : List.of(ColorScheme.LIGHT, ColorScheme.DARK)) {
            inPage(LAPTOP, scheme, page -> {
                for (String path : paths) {
                    page.navigate(base + path);
                    page.waitForLoadState();
                    // a lesson's buttons come disabled from the server until the page's script has set up its cells
                    page.waitForFunction("() => !document.querySelector('section.cell .cell-run[disabled]')");
                    for (String v : Axe.violations(page)) problems.add(scheme + " " + path + ": " + v);
                }
            });
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void theThemeSwitchOverridesTheSystemAndIsRemembered() throws Exception {
        inPage(LAPTOP, ColorScheme.LIGHT, page -> {
            page.navigate(base + "/");
            // hasCSS waits: with reduced motion every change still passes through a 0.01 ms transition.
            Locator body = page.locator("body");
            assertThat(body).hasCSS("background-color", "rgb(247, 248, 250)");
            assertThat(page.locator("#theme-label")).hasText("Theme: auto");
            page.locator("#theme-toggle").click();                       // auto -> light
            page.locator("#theme-toggle").click();                       // light -> dark
            assertThat(page.locator("#theme-label")).hasText("Theme: dark");
            assertThat(body).hasCSS("background-color", "rgb(15, 18, 23)");
            page.navigate(base + "/lessons/" + LESSON);
            assertThat(body).hasCSS("background-color", "rgb(15, 18, 23)");   // the choice holds on the next page
            assertThat(page.locator(".cm-editor").first()).hasCSS("background-color", "rgb(23, 27, 34)");   // the editor is dark too
            page.locator("#text-toggle").click();
            assertThat(page.locator("html")).hasAttribute("data-text", "large");
            assertNoSidewaysScroll(page, "large text");
        });
    }
}
