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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a cell's output does when it is long, old or built on an unsolved exercise: a 10 MB print stays in a
 * scroll box (Show all, Collapse, Clear), an output whose code or earlier cells changed says it is out of date,
 * and lesson 5's scan over an unsolved exercise says why its numbers are zero.
 */
class OutputControlsTest {
    static final String LESSON = "vectors-in-the-notebook";
    static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
    /** Prints 200,000 lines of 50 characters: 10 MB, which the server cuts to its output cap. */
    static final String TEN_MEGABYTES = "for (int i = 0; i < 200_000; i++) System.out.printf(\"line %06d of a long output, all of it kept%n\", i);";
    static final String HEIGHT = "() => document.documentElement.scrollHeight";

    static Playwright playwright;
    static Browser browser;

    @TempDir
    Path dataDir;
    App app;
    BrowserContext context;
    Page page;
    final List<String> pageErrors = new ArrayList<>();

    @BeforeAll
    static void launchBrowser() {
        playwright = Playwright.create();
        browser = Chromium.launch(playwright);
        PlaywrightAssertions.setDefaultAssertionTimeout(30_000);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) browser.close();
        if (playwright != null) playwright.close();
    }

    @BeforeEach
    void start() throws Exception {
        KernelSettings kernels = KernelSettings.defaults(dataDir.resolve("scratch")).withTimeLimit(Duration.ofSeconds(120)).withPoolSize(1);
        app = App.start(new App.Settings("127.0.0.1", 0, dataDir, null, kernels));
        context = Chromium.owner(browser.newContext(new Browser.NewContextOptions().setViewportSize(1366, 900)), app);
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

    String base() {
        return "http://localhost:" + app.port();
    }

    static double height(Locator element) {
        return ((Number) element.evaluate("e => e.getBoundingClientRect().height")).doubleValue();
    }

    @Test
    void tenMegabytesOfOutputStayInAScrollBox() {
        LessonPage lesson = LessonPage.open(page, base(), LESSON);
        double pageBefore = ((Number) page.evaluate(HEIGHT)).doubleValue();
        lesson.edit("dot-scalar", TEN_MEGABYTES);
        lesson.runInPlace("dot-scalar");
        lesson.waitForStatus("dot-scalar", "ok", Duration.ofSeconds(120));
        Locator output = lesson.output("dot-scalar");
        Locator controls = lesson.cell("dot-scalar").locator(".output-controls");
        assertThat(output).containsText("line 000000 of a long output");
        assertThat(controls.locator(".output-size")).containsText("Long output");

        double pageAfter = ((Number) page.evaluate(HEIGHT)).doubleValue();
        assertTrue(pageAfter - pageBefore < 3_000, "the 10 MB cell added " + (pageAfter - pageBefore) + " px to the page");
        assertTrue(height(output) <= 600, "the output box is " + height(output) + " px tall");
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("long-output.png")));

        // Show all lifts the box's limit, Show less brings it back.
        controls.locator(".output-show-all").click();
        assertTrue(height(output) > 3_000, "Show all shows it all: " + height(output) + " px");
        assertThat(controls.locator(".output-show-all")).hasText("Show less");
        controls.locator(".output-show-all").click();
        assertTrue(height(output) <= 600);

        // Collapse hides it (and says how much is hidden); Expand brings it back; Clear removes it.
        controls.locator(".output-collapse").click();
        assertThat(output).isHidden();
        assertThat(controls.locator(".output-size")).containsText("Output collapsed (");
        controls.locator(".output-collapse").click();
        assertThat(output).isVisible();
        controls.locator(".output-clear").click();
        assertThat(output).isHidden();
        assertThat(controls).isHidden();
        assertThat(lesson.cell("dot-scalar")).isFocused();
    }

    @Test
    void outputsSayWhenTheyAreOutOfDate() {
        LessonPage lesson = LessonPage.open(page, base(), LESSON);
        lesson.edit("dot-scalar", "int base = 40;");
        lesson.runInPlace("dot-scalar");
        lesson.waitForStatus("dot-scalar", "ok", LessonPage.QUICK_CELL);
        lesson.edit("species", "System.out.println(base + 2);");
        lesson.runInPlace("species");
        lesson.waitForStatus("species", "ok", LessonPage.QUICK_CELL);
        Locator speciesNote = lesson.output("species").locator(".output-stale-note");
        assertThat(speciesNote).hasCount(0);

        // Editing the code marks its output; putting the code back lifts the mark.
        lesson.edit("species", "System.out.println(base + 3);");
        assertThat(speciesNote).hasText("The code changed after this output was made: run the cell to refresh it.");
        lesson.edit("species", "System.out.println(base + 2);");
        assertThat(speciesNote).hasCount(0);

        // Running an earlier cell again marks every later output made before it.
        lesson.edit("dot-scalar", "int base = 1;");
        lesson.runInPlace("dot-scalar");
        lesson.waitForStatus("dot-scalar", "ok", LessonPage.QUICK_CELL);
        assertThat(speciesNote).hasText("Cell 3 ran again after this output was made: run this cell again to bring it up to date.");
        assertThat(lesson.output("species")).hasClass(java.util.regex.Pattern.compile("is-stale"));
        lesson.runInPlace("species");
        lesson.waitForStatus("species", "ok", LessonPage.QUICK_CELL);
        assertThat(speciesNote).hasCount(0);
        assertThat(lesson.output("species").locator(".output-stdout")).hasText("3");

        // The toolbar's Outputs menu collapses and clears every cell.
        page.locator("#outputs-menu summary").click();
        page.locator("#outputs-collapse-all").click();
        assertThat(lesson.output("dot-scalar")).isHidden();
        assertThat(lesson.output("species")).isHidden();
        page.locator("#outputs-menu summary").click();
        page.locator("#outputs-clear-all").click();
        assertThat(lesson.cell("species").locator(".output-controls")).isHidden();
    }

    @Test
    void lessonFivesScanOverAnUnsolvedExerciseSaysWhyItIsZero() throws Exception {
        app.awaitModels(Duration.ofMinutes(3));
        LessonPage lesson = LessonPage.open(page, base(), "attention-in-a-real-model");
        lesson.cell("scan-previous").locator(".cell-run-above").click();
        lesson.waitForStatus("one-head", "ok", Duration.ofSeconds(180));
        lesson.waitForStatus("previous-token", "ok", Duration.ofSeconds(60));
        assertThat(lesson.cell("previous-token").locator(".exercise-badge")).hasAttribute("data-state", "failed");
        lesson.runInPlace("scan-previous");
        lesson.waitForStatus("scan-previous", "ok", Duration.ofSeconds(60));
        Locator note = lesson.output("scan-previous").locator(".output-unsolved-note");
        assertThat(note).containsText("previousTokenScore from the exercise in cell 4");
        assertThat(note).containsText("has not passed its check yet");
        assertThat(lesson.output("scan-previous")).containsText("strongest previous-token head: layer 0, head 0 (0.00)");
        note.scrollIntoViewIfNeeded();
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("unsolved-exercise-note.png")));

        // Solved and run: the exercise passes ("✓ Passed", not "Passed: Passed."), the old scan is out of date.
        lesson.edit("previous-token", """
                static double previousTokenScore(Activation pattern, int head) {
                    int n = pattern.dim(1);
                    double total = 0;
                    for (int q = 1; q < n; q++) total += pattern.get(head, q, q - 1);
                    return total / (n - 1);
                }""");
        lesson.runInPlace("previous-token");
        lesson.waitForStatus("previous-token", "ok", LessonPage.QUICK_CELL);
        assertThat(lesson.cell("previous-token").locator(".exercise-message")).not().containsText("Passed: Passed");
        assertThat(lesson.output("scan-previous").locator(".output-stale-note")).containsText("Cell 4 ran again");
        lesson.runInPlace("scan-previous");
        lesson.waitForStatus("scan-previous", "ok", LessonPage.QUICK_CELL);
        assertThat(note).hasCount(0);
        assertThat(lesson.output("scan-previous")).not().containsText("layer 0, head 0 (0.00)");
    }
}
