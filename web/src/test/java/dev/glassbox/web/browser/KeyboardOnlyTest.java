package dev.glassbox.web.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Keyboard;
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

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The notebook without a mouse: from the home page to lesson 1, run every cell, start an endless loop and
 * interrupt it, with only the keys a learner presses. Tab never changes code unless "Tab indents" is on; the
 * page shows edit and command mode; the focus never falls back to the page's body.
 */
class KeyboardOnlyTest {
    static final String LESSON = "vectors-in-the-notebook";
    static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
    /** What has the focus, e.g. "section.cell species" or "div.cm-content dot-scalar". */
    static final String ACTIVE = """
            () => {
              const a = document.activeElement;
              const cell = a.closest && a.closest("section.cell");
              return `${a.tagName.toLowerCase()}.${(a.className || "").toString().split(" ")[0]}`
                + (a.id ? "#" + a.id : "") + (a.dataset && a.dataset.lessonId ? " " + a.dataset.lessonId : "")
                + (cell ? " " + cell.dataset.cellId : "");
            }""";

    static Playwright playwright;
    static Browser browser;

    @TempDir
    Path dataDir;
    App app;
    BrowserContext context;
    Page page;
    Keyboard keys;
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
        // A long time limit: the loop must be stopped by the learner's keys, not by the limit. A long grace: on a
        // loaded machine a stopped loop can take seconds to notice, and a kill would mean waiting for a new kernel JVM.
        KernelSettings usual = KernelSettings.defaults(dataDir.resolve("scratch")).withTimeLimit(Duration.ofSeconds(120)).withPoolSize(1);
        KernelSettings kernels = new KernelSettings(usual.timeLimit(), Duration.ofSeconds(45), usual.maxCellChars(), usual.outputCap(),
                usual.maxHeap(), usual.poolSize(), usual.libraries(), usual.scratchRoot(), usual.sharedModels(), usual.memoryBudget());
        app = App.start(new App.Settings("127.0.0.1", 0, dataDir, null, kernels));
        context = Chromium.owner(browser.newContext(new Browser.NewContextOptions().setViewportSize(1366, 900)), app);
        context.setDefaultTimeout(30_000);
        page = context.newPage();
        page.onPageError(pageErrors::add);
        keys = page.keyboard();
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

    String active() {
        return (String) page.evaluate(ACTIVE);
    }

    /** Presses Tab until the focus is on something whose description contains {@code what}; fails after {@code most} presses. */
    int tabTo(String what, int most) {
        for (int i = 1; i <= most; i++) {
            keys.press("Tab");
            if (active().contains(what)) return i;
        }
        fail("Tab never reached " + what + " in " + most + " presses; the focus is on " + active());
        return -1;
    }

    /**
     * The cell's code as the editor holds it: its lines joined by newlines. (The content element's innerText is
     * not that: how it renders an empty line or the end of the document changes between CodeMirror versions.)
     */
    String code(String cell) {
        return (String) page.locator("section.cell[data-cell-id='" + cell + "'] .cm-content")
                .evaluate("e => Array.from(e.querySelectorAll(':scope > .cm-line'), line => line.textContent).join('\\n')");
    }

    @Test
    void aLessonRunsAndALoopStopsWithoutAMouse() {
        page.navigate("http://localhost:" + app.port() + "/");

        // The first Tab shows the skip link; then on to lesson 1's card, and Enter opens it.
        keys.press("Tab");
        assertThat(page.locator(".skip-link")).isFocused();
        assertThat(page.locator(".skip-link")).isInViewport();
        tabTo("a.lesson-card " + LESSON, 40);
        keys.press("Enter");
        LessonPage lesson = new LessonPage(page);
        lesson.waitForKernel();

        // Run all, from the toolbar.
        tabTo("#run-all", 30);
        keys.press("Enter");
        Locator cells = page.locator("section.cell");
        int count = cells.count();
        assertTrue(count >= 8, "the lesson's cells: " + count);
        for (int i = 0; i < count; i++) {
            assertThat(cells.nth(i)).hasAttribute("data-status", "ok", LessonPage.within(Duration.ofSeconds(120)));
        }
        lesson.waitForKernel();

        // Into the first editor: Tab leaves it again without touching the code, Shift+Tab comes back.
        tabTo("div.cm-content dot-scalar", 30);
        assertThat(page.locator("#mode-name")).hasText("Edit mode");
        assertThat(lesson.cell("dot-scalar")).hasAttribute("data-mode", "edit");
        String before = code("dot-scalar");
        keys.press("Tab");
        assertTrue(!active().startsWith("div.cm-content"), "Tab left the editor: " + active());
        assertEquals(before, code("dot-scalar"), "Tab changed no code");
        keys.press("Shift+Tab");
        assertTrue(active().startsWith("div.cm-content") && active().endsWith("dot-scalar"), "Shift+Tab came back: " + active());
        assertThat(lesson.cell("dot-scalar")).hasAttribute("data-edited", "false");

        // Esc: command mode, shown on screen. J: the next cell. Enter: edit it.
        keys.press("Escape");
        assertThat(lesson.cell("dot-scalar")).isFocused();
        assertThat(lesson.cell("dot-scalar")).hasAttribute("data-mode", "command");
        assertThat(page.locator("#mode-name")).hasText("Command mode");
        keys.press("j");
        assertThat(lesson.cell("species")).isFocused();
        keys.press("Enter");
        assertThat(lesson.editor("species")).isFocused();

        // An endless loop, run with Ctrl+Enter, stopped with Esc, I, I.
        keys.press("Control+A");
        keys.type("while (true) { }");
        assertEquals("while (true) { }", code("species"));
        keys.press("Control+Enter");
        assertThat(lesson.cell("species")).hasAttribute("data-run", "running");
        keys.press("Escape");
        assertThat(lesson.cell("species")).hasAttribute("data-mode", "command");   // so I, I are commands, not text
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("keyboard-command-mode.png")));
        long asked = System.nanoTime();
        keys.press("i");
        keys.press("i");
        lesson.waitForStatus("species", "interrupted", Duration.ofSeconds(60));
        Duration took = Duration.ofNanos(System.nanoTime() - asked);
        assertTrue(took.compareTo(Duration.ofSeconds(60)) < 0, "I, I stopped the loop in " + took + ", long before the 120 s limit");
        assertThat(lesson.cell("species")).isFocused();

        // The kernel kept going: the cell runs again from the keyboard.
        keys.press("Enter");
        keys.press("Control+A");
        keys.type("6 * 7");
        keys.press("Control+Enter");
        lesson.waitForStatus("species", "ok", LessonPage.QUICK_CELL);
        assertThat(lesson.output("species").locator(".output-result .output-text")).hasText("42");

        // The Interrupt button, pressed from the keyboard, leaves the focus on the cell it stopped, not on <body>.
        keys.press("Control+A");
        keys.type("while (true) { }");
        keys.press("Control+Enter");
        assertThat(lesson.cell("species")).hasAttribute("data-run", "running");
        page.locator("#interrupt-kernel").focus();
        keys.press("Enter");
        lesson.waitForStatus("species", "interrupted", Duration.ofSeconds(60));
        assertThat(lesson.cell("species")).isFocused();
    }

    @Test
    void theShortcutSheetOpensWithAQuestionMarkAndTurnsTabIndentingOn() {
        LessonPage lesson = LessonPage.open(page, "http://localhost:" + app.port(), LESSON);
        lesson.cell("dot-scalar").focus();
        keys.press("?");
        Locator sheet = page.locator("#keys-dialog");
        assertThat(sheet).isVisible();
        assertThat(sheet).containsText("I, I");
        assertThat(page.locator("#keys-close")).isFocused();
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("keyboard-shortcuts.png")));
        tabTo("input.#tab-indents", 10);
        keys.press("Space");
        assertThat(page.locator("#tab-indents")).isChecked();
        keys.press("Escape");
        assertThat(sheet).isHidden();
        assertThat(lesson.cell("dot-scalar")).isFocused();

        // With the setting on, Tab indents (and the learner asked for it); Esc still leaves the editor.
        keys.press("Enter");
        String before = code("dot-scalar");
        keys.press("Control+Home");
        keys.press("Tab");
        assertTrue(active().startsWith("div.cm-content"), "Tab stayed in the editor: " + active());
        assertEquals("    " + before, code("dot-scalar"), "Tab indented the first line");
        keys.press("Escape");
        assertThat(lesson.cell("dot-scalar")).isFocused();

        // The setting is kept for the next page.
        lesson.reload();
        lesson.cell("species").focus();
        keys.press("Enter");
        String species = code("species");
        keys.press("Control+Home");
        keys.press("Tab");
        assertEquals("    " + species, code("species"));
        assertThat(page.locator("#keys-dialog")).isHidden(new LocatorAssertions.IsHiddenOptions());
    }
}
