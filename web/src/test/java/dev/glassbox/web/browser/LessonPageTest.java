package dev.glassbox.web.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.web.App;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lesson page in a real browser against the real server: editing and running cells from the
 * keyboard, time limits, errors, rich outputs, exercises, and edits that survive a reload and a
 * server restart. Each test is a new learner (a fresh browser context) on a fresh server and database.
 */
class LessonPageTest {
    static final String LESSON = "vectors-in-the-notebook";
    static final String EXERCISE = "sum-of-squares";
    static final Duration TIME_LIMIT = Duration.ofSeconds(4);
    /** How late, after the time limit and its grace, a stopped cell may show up on a busy machine. */
    static final Duration STOP_SLACK = Duration.ofSeconds(10);
    static final String NOTES = "// my notes for later: try a bigger array";
    static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."), "target", "screenshots");

    static Playwright playwright;
    static Browser browser;

    @TempDir
    Path dataDir;
    KernelSettings kernels;
    App app;
    BrowserContext context;
    Page page;
    final List<String> pageErrors = new ArrayList<>();

    @BeforeAll
    static void launchBrowser() {
        playwright = Playwright.create();
        browser = Chromium.launch(playwright);
        PlaywrightAssertions.setDefaultAssertionTimeout(15_000);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) browser.close();
        if (playwright != null) playwright.close();
    }

    @BeforeEach
    void startServerAndLearner() throws Exception {
        kernels = KernelSettings.defaults(dataDir.resolve("scratch")).withTimeLimit(TIME_LIMIT).withPoolSize(1);
        app = startServer();
        context = Chromium.owner(browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900)), app);
        context.setDefaultTimeout(30_000);
        page = context.newPage();
        page.onPageError(pageErrors::add);
    }

    @AfterEach
    void stop() {
        try {
            if (context != null) context.close();
        } finally {
            if (app != null) app.close();
        }
        assertEquals(List.of(), pageErrors, "uncaught errors in the page's scripts");
    }

    App startServer() throws Exception {
        return App.start(new App.Settings("127.0.0.1", 0, dataDir, null, kernels));
    }

    String base() {
        return "http://localhost:" + app.port();
    }

    @Test
    void editsRunFromTheKeyboardAndSurviveAReloadAndAServerRestart() throws Exception {
        String hello = "System.out.println(\"hello from the test \" + (6 * 7));";
        LessonPage lesson = LessonPage.open(page, base(), LESSON);

        // Edit the first cell and run it with Shift+Enter: the output appears, the focus moves on.
        lesson.edit("dot-scalar", hello);
        lesson.runWithShiftEnter("dot-scalar");
        lesson.waitForStatus("dot-scalar", "ok", LessonPage.QUICK_CELL);
        assertThat(lesson.output("dot-scalar").locator(".output-stdout")).hasText("hello from the test 42");
        assertThat(lesson.cell("dot-scalar")).hasAttribute("data-edited", "true");
        assertThat(lesson.editor("species")).isFocused();

        // An endless loop is stopped at the time limit (plus the grace to stop), with a message that says so.
        lesson.edit("species", "while (true) { }");
        long started = System.nanoTime();
        lesson.runWithShiftEnter("species");
        Locator stopped = lesson.output("species").locator(".output-error.output-stopped");
        assertThat(stopped).containsText("time limit", new LocatorAssertions.ContainsTextOptions()
                .setTimeout(TIME_LIMIT.plus(kernels.grace()).plus(STOP_SLACK).toMillis()));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(took.compareTo(TIME_LIMIT) >= 0, "stopped after " + took + ", before the time limit");
        assertThat(stopped).containsText("Stopped by Glassbox");
        lesson.waitForStatus("species", "timeout", LessonPage.QUICK_CELL);

        // The kernel still answers (if the loop ignored the stop, this is a fresh kernel that had to start).
        lesson.edit("all-species", "1 + 1");
        lesson.runWithShiftEnter("all-species");
        lesson.waitForStatus("all-species", "ok", LessonPage.KERNEL_START);
        assertThat(lesson.output("all-species").locator(".output-result .output-text")).hasText("2");

        // An edit that is never run is saved too, once the typing stops.
        lesson.edit("race", NOTES);
        lesson.waitUntilSaved();

        // After a reload the edited code and the outputs are back.
        lesson.reload();
        assertEditsAndOutputsAreBack(lesson, hello);

        // So they are after a server restart on the same database: the port may change, but the
        // cookie (set for localhost, whatever the port) still names the learner.
        app.close();
        app = startServer();
        lesson = LessonPage.open(page, base(), LESSON);
        assertEditsAndOutputsAreBack(lesson, hello);
    }

    private static void assertEditsAndOutputsAreBack(LessonPage lesson, String hello) {
        assertThat(lesson.editor("race")).hasText(NOTES);
        assertThat(lesson.cell("race")).hasAttribute("data-edited", "true");
        assertThat(lesson.output("race")).isEmpty();
        assertThat(lesson.editor("dot-scalar")).hasText(hello);
        assertThat(lesson.cell("dot-scalar")).hasAttribute("data-edited", "true");
        assertThat(lesson.output("dot-scalar").locator(".output-stdout")).hasText("hello from the test 42");
        assertThat(lesson.cell("dot-scalar")).hasAttribute("data-status", "ok");
        assertThat(lesson.output("species").locator(".output-stopped")).containsText("time limit");
        assertThat(lesson.output("all-species").locator(".output-result .output-text")).hasText("2");
    }

    @Test
    void anExerciseFailsWithTheStarterAndPassesWithAVectorizedAnswer() throws Exception {
        page.navigate(base() + "/");
        Locator card = page.locator("a.lesson-card[data-lesson-id=\"" + LESSON + "\"]");
        assertThat(card.locator(".progress-label")).hasText("0 / 1 exercise passed");
        card.click();
        LessonPage lesson = new LessonPage(page);
        lesson.waitForKernel();
        Locator badge = lesson.cell(EXERCISE).locator(".exercise-badge");
        Locator message = lesson.cell(EXERCISE).locator(".exercise-message");
        assertThat(badge).hasAttribute("data-state", "pending");

        // The starter compiles and runs, but returns 0 for everything.
        assertThat(lesson.editor(EXERCISE)).containsText("TODO");
        lesson.runInPlace(EXERCISE);
        lesson.waitForStatus(EXERCISE, "ok", LessonPage.KERNEL_START);
        assertThat(badge).hasAttribute("data-state", "failed");
        assertThat(badge).hasText("✗ Not yet");
        assertThat(message).isVisible();
        assertThat(message).containsText("expected");
        assertThat(message).containsText("got 0.0");

        lesson.edit(EXERCISE, """
                static float sumOfSquares(float[] x) {
                    VectorSpecies<Float> species = FloatVector.SPECIES_PREFERRED;
                    FloatVector acc = FloatVector.zero(species);
                    int i = 0;
                    for (; i < species.loopBound(x.length); i += species.length()) {
                        FloatVector v = FloatVector.fromArray(species, x, i);
                        acc = v.fma(v, acc);
                    }
                    float sum = acc.reduceLanes(VectorOperators.ADD);
                    for (; i < x.length; i++) {
                        sum += x[i] * x[i];
                    }
                    return sum;
                }""");
        lesson.runInPlace(EXERCISE);
        lesson.waitForStatus(EXERCISE, "ok", LessonPage.QUICK_CELL);
        assertThat(badge).hasAttribute("data-state", "passed");
        assertThat(message).containsText("Passed");

        lesson.waitUntilSaved();
        lesson.reload();
        assertThat(badge).hasAttribute("data-state", "passed");
        assertThat(lesson.editor(EXERCISE)).containsText("reduceLanes(VectorOperators.ADD)");

        page.navigate(base() + "/");
        assertThat(card.locator(".progress-label")).hasText("1 / 1 exercise passed");
        assertThat(card.locator("progress")).hasAttribute("value", "1");
        assertThat(card.locator(".lesson-edited")).hasText("1 cell edited");
        screenshot("home.png");
    }

    @Test
    void aFailedCheckOffersTheSolutionWhichReplacesTheCodeOnlyWhenConfirmed() throws Exception {
        String attempt = "static float sumOfSquares(float[] x) { return -1f; } // my own try";
        String solutionLine = "acc = v.fma(v, acc);";
        LessonPage lesson = LessonPage.open(page, base(), LESSON);
        Locator cell = lesson.cell(EXERCISE);
        Locator show = cell.locator(".cell-solution");
        Locator panel = cell.locator(".solution-panel");
        assertThat(show).isHidden();
        assertTrue(!page.content().contains(solutionLine), "the solution is not in the page before it is asked for");

        // A failed check offers the solution.
        lesson.edit(EXERCISE, attempt);
        lesson.runInPlace(EXERCISE);
        lesson.waitForStatus(EXERCISE, "ok", LessonPage.KERNEL_START);
        assertThat(cell.locator(".exercise-badge")).hasAttribute("data-state", "failed");
        assertThat(show).isVisible();
        show.click();
        assertThat(panel).isVisible();
        assertThat(panel.locator(".solution-code .cm-content")).containsText(solutionLine);
        assertThat(show).hasText("Hide solution");
        assertThat(lesson.editor(EXERCISE)).containsText("my own try");

        // "Use this code" asks first; keeping the code changes nothing.
        panel.locator(".solution-use").click();
        assertThat(panel.locator(".solution-confirm")).isVisible();
        screenshot("lesson-solution.png");
        panel.locator(".solution-keep").click();
        assertThat(panel.locator(".solution-confirm")).isHidden();
        assertThat(lesson.editor(EXERCISE)).containsText("my own try");

        // Replacing is an edit like typing: it is saved, and undo brings the learner's code back.
        panel.locator(".solution-use").click();
        panel.locator(".solution-replace").click();
        assertThat(lesson.editor(EXERCISE)).containsText(solutionLine);
        lesson.editor(EXERCISE).focus();
        page.keyboard().press("Control+z");
        assertThat(lesson.editor(EXERCISE)).containsText("my own try");
        page.keyboard().press("Control+y");
        assertThat(lesson.editor(EXERCISE)).containsText(solutionLine);
        lesson.runInPlace(EXERCISE);
        lesson.waitForStatus(EXERCISE, "ok", LessonPage.QUICK_CELL);
        assertThat(cell.locator(".exercise-badge")).hasAttribute("data-state", "passed");

        lesson.waitUntilSaved();
        lesson.reload();
        assertThat(lesson.editor(EXERCISE)).containsText(solutionLine);
        assertThat(panel).isHidden();
    }

    @Test
    void aRuntimeErrorPointsAtItsLine() {
        LessonPage lesson = LessonPage.open(page, base(), LESSON);
        lesson.edit("dot-scalar", """
                // one past the end of the array, on line 3
                System.out.println("before the error");
                int[] a = new int[1]; a[2] = 0;""");
        lesson.runInPlace("dot-scalar");
        lesson.waitForStatus("dot-scalar", "error", LessonPage.QUICK_CELL);

        Locator output = lesson.output("dot-scalar");
        assertThat(output.locator(".output-stdout")).hasText("before the error");
        Locator error = output.locator(".output-error");
        assertThat(error).isVisible();
        assertThat(error).not().hasClass(Pattern.compile("output-stopped"));
        assertThat(error.locator(".error-name")).containsText("ArrayIndexOutOfBoundsException");
        assertThat(error.locator(".error-where")).hasText(Pattern.compile("^line 3(,.*)?$"));
        // the editor marks the same line
        assertThat(lesson.editor("dot-scalar").locator(".cm-line.cm-errorLine")).hasText("int[] a = new int[1]; a[2] = 0;");
    }

    @Test
    void richOutputsRenderAndPrintedHtmlStaysText() throws Exception {
        String html = "<b>bold</b><script>window.pwned=1</script>";
        LessonPage lesson = LessonPage.open(page, base(), LESSON);

        // Three cells queued one after the other from the keyboard.
        lesson.edit("dot-scalar", "Display.heatmap(\"m\", new float[][] {{1, 2}, {3, 4}});");
        lesson.runWithShiftEnter("dot-scalar");
        lesson.edit("species", "Display.table(new String[] {\"name\", \"value\"}, new Object[][] {{\"one\", 1}, {\"two\", 2.5}});");
        lesson.runWithShiftEnter("species");
        lesson.edit("all-species", "System.out.println(\"" + html + "\");");
        lesson.runWithShiftEnter("all-species");
        String longLabel = "a label much longer than the room a bar chart keeps for its labels";
        lesson.edit("dot-vector", "Display.bars(\"b\", new String[] {\"" + longLabel + "\", \"short\"}, new double[] {1, 2});");
        lesson.runWithShiftEnter("dot-vector");
        for (String cell : List.of("dot-scalar", "species", "all-species", "dot-vector")) {
            lesson.waitForStatus(cell, "ok", LessonPage.KERNEL_START);
        }

        Locator heatmap = lesson.output("dot-scalar").locator(".output-heatmap");
        assertThat(heatmap.locator(".heatmap-title")).hasText("m");
        assertThat(heatmap.locator(".heatmap-meta")).containsText("2 × 2");
        Locator canvas = heatmap.locator("canvas");
        assertThat(canvas).isVisible();
        Object painted = canvas.evaluate("""
                c => {
                  const pixels = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
                  let opaque = 0;
                  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) opaque++;
                  return opaque;
                }""");
        assertTrue(((Number) painted).intValue() > 100, "the heatmap canvas is blank: " + painted + " painted pixels");

        Locator table = lesson.output("species").locator("table.output-table");
        assertThat(table.locator("thead th")).hasText(new String[] {"name", "value"});
        assertThat(table.locator("tbody tr")).hasCount(2);
        assertThat(table.locator("tbody td")).hasText(new String[] {"one", "1", "two", "2.5"});

        // A label too long for the chart keeps its start, ends in "…", stays inside the chart, and has the whole text as its tooltip.
        Locator label = lesson.output("dot-vector").locator("text.bars-label").first();
        String shown = (String) label.evaluate("t => t.firstChild.textContent");
        assertTrue(shown.startsWith("a label much") && shown.endsWith("…") && shown.length() < longLabel.length(), shown);
        assertTrue(((Number) label.evaluate("t => t.getBBox().x")).doubleValue() >= 0, "the label runs out of the chart on the left");
        assertThat(label.locator("title")).hasText(longLabel);
        assertThat(lesson.output("dot-vector").locator("text.bars-label").nth(1)).hasText("short");

        assertPrintedAsText(lesson, html);
        screenshot("lesson.png");

        // The saved output, shown again after a reload, is just as inert.
        lesson.waitUntilSaved();
        lesson.reload();
        assertPrintedAsText(lesson, html);
    }

    private void assertPrintedAsText(LessonPage lesson, String html) {
        Locator output = lesson.output("all-species");
        assertThat(output.locator(".output-stdout")).hasText(html);
        assertThat(output.locator("b, script")).hasCount(0);
        assertEquals("undefined", page.evaluate("() => typeof window.pwned"));
    }

    /**
     * A full-page screenshot in target/screenshots, for a person to look at. CodeMirror measures an
     * editor's line heights only once it has been on screen, so every cell is scrolled into view first.
     */
    private void screenshot(String name) throws Exception {
        for (Locator cell : page.locator("section.cell").all()) cell.scrollIntoViewIfNeeded();
        page.evaluate("() => new Promise(done => { window.scrollTo(0, 0); requestAnimationFrame(() => requestAnimationFrame(done)); })");
        Files.createDirectories(SCREENSHOTS);
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name)).setFullPage(true));
    }
}
