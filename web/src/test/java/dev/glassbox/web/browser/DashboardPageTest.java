package dev.glassbox.web.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.ColorScheme;
import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.web.App;
import dev.glassbox.web.classroom.Passphrase;
import dev.glassbox.web.server.ServerLimits;
import org.junit.jupiter.api.AfterEach;
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

/**
 * A class in real browsers: the teacher signs in and makes a class, two students join it from their
 * own browsers, each runs a cell and sees only their own code, and the teacher's live dashboard shows
 * both with their progress. Leaves screenshots of the dashboard in target/screenshots/dashboard*.png.
 */
class DashboardPageTest {
    static final String LESSON = "vectors-in-the-notebook";
    static final String PASSPHRASE = "a passphrase for the test";
    static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
    static final String SOLUTION = """
            static float sumOfSquares(float[] x) {
                float sum = 0;
                for (float v : x) {
                    sum += v * v;
                }
                return sum;
            }""";

    @TempDir
    Path dataDir;
    App app;
    Playwright playwright;
    Browser browser;
    final List<BrowserContext> contexts = new ArrayList<>();
    final List<String> pageErrors = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        KernelSettings kernels = KernelSettings.defaults(dataDir.resolve("scratch")).withTimeLimit(Duration.ofSeconds(8)).withPoolSize(2);
        // One cell at a time on the whole server, so the test can watch a cell wait for its turn.
        app = App.start(new App.Settings("127.0.0.1", 0, dataDir, null, kernels).withClassroom(Passphrase.of(PASSPHRASE))
                .withLimits(ServerLimits.defaults().withRunningCells(1).withLongCell(java.time.Duration.ofMinutes(5))));   // a long cell keeps the one slot
        playwright = Playwright.create();
        browser = Chromium.launch(playwright);
        PlaywrightAssertions.setDefaultAssertionTimeout(15_000);
    }

    @AfterEach
    void stop() {
        try {
            contexts.forEach(BrowserContext::close);
            if (browser != null) browser.close();
            if (playwright != null) playwright.close();
        } finally {
            if (app != null) app.close();
        }
        assertEquals(List.of(), pageErrors, "uncaught errors in the pages' scripts");
    }

    /** A new browser (its own cookies) with one page. */
    Page newBrowser(int width, int height) {
        return newBrowser(new Browser.NewContextOptions().setViewportSize(width, height));
    }

    /**
     * A new browser (its own cookies) with one page, its system set to the light or dark colour scheme, that lets
     * the test add axe-core to a page although the page's Content-Security-Policy allows no inline script.
     */
    Page newBrowserForAxe(int width, int height, ColorScheme scheme) {
        return newBrowser(new Browser.NewContextOptions().setViewportSize(width, height).setColorScheme(scheme).setBypassCSP(true));
    }

    Page newBrowser(Browser.NewContextOptions options) {
        BrowserContext context = browser.newContext(options);
        context.setDefaultTimeout(30_000);
        contexts.add(context);
        Page page = context.newPage();
        page.onPageError(pageErrors::add);
        return page;
    }

    String base() {
        return "http://localhost:" + app.port();
    }

    @Test
    void twoStudentsRunCellsAndTheTeacherSeesBoth() throws Exception {
        // The teacher signs in and makes a class.
        Page teacher = newBrowser(1440, 900);
        teacher.navigate(base() + "/teacher");
        teacher.getByLabel("Passphrase").fill(PASSPHRASE);
        teacher.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
        assertThat(teacher.locator("h1")).hasText("Your classes");
        teacher.getByLabel("Class name").fill("Period 3 — Intro to ML");
        teacher.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create class")).click();
        assertThat(teacher.locator("h1.dash-heading")).hasText("Period 3 — Intro to ML");
        String code = teacher.locator("#class-code").textContent().trim();
        assertThat(teacher.locator("#roster-empty")).isVisible();
        assertThat(teacher.locator(".dash-live")).hasAttribute("data-state", "live");

        // Before the class comes, the teacher sets its size and gets a kernel ready for each student.
        teacher.getByLabel("Class size").fill("4");
        teacher.locator("#class-size button[type=submit]").click();
        assertThat(teacher.locator("#notices")).containsText("At most 4 students may join (0 have)");
        teacher.locator("#kernels-ready").click();
        assertThat(teacher.locator("#notices")).containsText(Pattern.compile("Starting [1-4] more kernels?"));
        Files.createDirectories(SCREENSHOTS);
        teacher.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("dashboard-getting-ready.png")));
        assertThat(teacher.locator("#kernels-ready-status")).containsText("4 kernels ready for the class",
                new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(90_000));
        assertThat(teacher.locator("[data-stat=kernels-sub]")).containsText("4 warm in reserve");

        // Two students open the lesson, are sent to /join, join, and land on the lesson.
        Page ada = joinAndOpenLesson(code, "Ada Lovelace");
        Page alan = joinAndOpenLesson(code, "Alan Turing");
        assertThat(ada.locator(".whoami-name")).hasText("Ada Lovelace");
        assertThat(ada.locator(".whoami-class")).hasText("class " + code);

        // Ada solves the exercise; Alan prints something of his own.
        LessonPage adaLesson = new LessonPage(ada);
        adaLesson.edit("sum-of-squares", SOLUTION);
        adaLesson.runInPlace("sum-of-squares");
        adaLesson.waitForStatus("sum-of-squares", "ok", LessonPage.KERNEL_START);
        assertThat(adaLesson.cell("sum-of-squares").locator(".exercise-badge")).hasAttribute("data-state", "passed");
        // and answers the lesson's two quizzes: with the exercise, that is the whole lesson done
        Locator lanes = ada.locator("section.quiz[data-quiz-id=\"lanes-per-register\"]");
        lanes.locator(".quiz-input").fill("16");
        lanes.locator(".quiz-check").click();
        assertThat(lanes).hasAttribute("data-state", "correct");
        Locator why = ada.locator("section.quiz[data-quiz-id=\"why-not-auto\"]");
        why.locator("input[value=\"1\"]").check();
        why.locator(".quiz-check").click();
        assertThat(why).hasAttribute("data-state", "correct");
        Files.createDirectories(SCREENSHOTS);
        ada.evaluate("window.scrollTo(0, 0)");
        ada.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("lesson-student.png")));

        LessonPage alanLesson = new LessonPage(alan);
        String alansCode = "System.out.println(\"Alan was here\");";
        alanLesson.edit("dot-scalar", alansCode);
        alanLesson.runInPlace("dot-scalar");
        alanLesson.waitForStatus("dot-scalar", "ok", LessonPage.KERNEL_START);
        assertThat(alanLesson.output("dot-scalar").locator(".output-stdout")).hasText("Alan was here");
        alanLesson.waitUntilSaved();
        adaLesson.waitUntilSaved();

        // Each sees only their own code, also after a reload.
        adaLesson.reload();
        assertThat(adaLesson.editor("dot-scalar")).not().containsText("Alan was here");
        assertThat(adaLesson.output("dot-scalar")).isEmpty();
        assertThat(adaLesson.editor("sum-of-squares")).containsText("for (float v : x)");
        alanLesson.reload();
        assertThat(alanLesson.editor("sum-of-squares")).not().containsText("for (float v : x)");
        assertThat(alanLesson.cell("sum-of-squares").locator(".exercise-badge")).hasAttribute("data-state", "pending");
        assertThat(alanLesson.editor("dot-scalar")).hasText(alansCode);

        // A third student has joined but not opened a lesson yet.
        Page grace = newBrowser(1280, 800);
        grace.navigate(base() + "/join?code=" + code.toLowerCase());
        assertThat(grace.locator("input[name=code]")).hasValue(code);
        grace.getByLabel("Your name").fill("Grace Hopper");
        Files.createDirectories(SCREENSHOTS);
        grace.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("join.png")));
        grace.locator("button[type=submit]").click();
        assertThat(grace.locator("h1")).containsText("Learn how open AI models work");

        // The dashboard shows all three, live, with their progress.
        Locator adaRow = row(teacher, "Ada Lovelace");
        Locator alanRow = row(teacher, "Alan Turing");
        Locator graceRow = row(teacher, "Grace Hopper");
        assertThat(teacher.locator("tr.student-row")).hasCount(3, new com.microsoft.playwright.assertions.LocatorAssertions.HasCountOptions().setTimeout(10_000));
        assertThat(adaRow.locator(".progress-exercises")).hasText("1/1 exercise ✓");
        assertThat(adaRow.locator(".cell-lesson[data-state=done]")).hasCount(1);
        assertThat(adaRow.locator(".last-run")).hasAttribute("data-status", "ok");
        assertThat(alanRow.locator(".progress-exercises")).hasText("0/1 exercise");
        assertThat(adaRow.locator(".progress-quizzes")).hasText("2/2 quizzes ✓");
        assertThat(alanRow.locator(".progress-quizzes")).hasText("0/2 quizzes");
        assertThat(alanRow.locator(".cell-lesson[data-state=started]")).hasCount(1);
        assertThat(alanRow.locator(".progress-counts")).hasText(Pattern.compile("1 run · 1 edited"));
        assertThat(alanRow.locator(".last-run")).hasAttribute("data-status", "ok");
        assertThat(graceRow.locator(".progress-none").first()).hasText("not started");
        assertThat(graceRow.locator(".state-chip")).hasText("none");
        for (Locator r : List.of(adaRow, alanRow)) {
            assertThat(r.locator(".state-chip")).hasText("idle");
            assertThat(r.locator(".kernel-meta")).containsText("no restarts");
            assertThat(r.locator(".student-seen")).containsText("active now");
        }
        assertThat(teacher.locator("[data-stat=students]")).hasText("3 / 3");
        assertThat(teacher.locator("th.col-lesson[data-lesson-id=" + LESSON + "] .lesson-col-meta")).hasText("1 of 3 done");
        assertThat(teacher.locator("[data-stat=kernels]")).hasText(Pattern.compile("^2 / \\d+$"));
        assertThat(teacher.locator("#kernels-ready-status")).containsText("at most 4 students may join");
        Files.createDirectories(SCREENSHOTS);
        teacher.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("dashboard.png")).setFullPage(true));

        // While Ada's long cell holds the server's only slot, Alan's cell waits, his page says so, and
        // the dashboard shows who runs and who waits.
        adaLesson.edit("species", "Thread.sleep(5000);");
        adaLesson.runInPlace("species");
        assertThat(adaRow.locator(".state-chip")).hasText("running");
        alanLesson.edit("species", "6 * 7");
        alanLesson.runInPlace("species");
        assertThat(alanLesson.cell("species").locator(".cell-state")).containsText("Waiting for the server");
        assertThat(teacher.locator("[data-stat=cells-sub]")).containsText("1 waiting");
        alanLesson.waitForStatus("species", "ok", LessonPage.QUICK_CELL);
        assertThat(alanLesson.output("species").locator(".output-result .output-text")).hasText("42");
        adaLesson.waitForStatus("species", "ok", LessonPage.QUICK_CELL);

        // Restarting Alan's kernel takes two clicks, then shows on his row.
        Locator restart = alanRow.locator(".restart-button");
        restart.click();
        assertThat(restart).hasText("Click again to restart");
        restart.click();
        assertThat(alanRow.locator(".kernel-meta")).containsText("1 restart", new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(30_000));

        // Resetting the lesson asks first; cancelling changes nothing, confirming clears everyone's work.
        teacher.locator("th.col-lesson[data-lesson-id=" + LESSON + "] .lesson-reset").click();
        Locator dialog = teacher.locator("#reset-dialog");
        assertThat(dialog).isVisible();
        assertThat(dialog.locator(".dialog-title")).hasText("Reset “Vectors in the notebook” for everyone?");
        dialog.getByText("Cancel").click();
        assertThat(dialog).isHidden();
        assertThat(adaRow.locator(".progress-exercises")).hasText("1/1 exercise ✓");
        teacher.locator("th.col-lesson[data-lesson-id=" + LESSON + "] .lesson-reset").click();
        dialog.locator("#reset-confirm").click();
        assertThat(teacher.locator("#notices")).containsText("was reset for the class");
        assertThat(adaRow.locator(".progress-none").first()).hasText("not started");
        assertThat(alanRow.locator(".progress-none").first()).hasText("not started");
        alanLesson.reload();
        assertThat(alanLesson.editor("dot-scalar")).not().containsText("Alan was here");

        teacher.locator(".site-nav").getByText("Classes").click();
        assertThat(teacher.locator(".class-card")).containsText("3 students");
        teacher.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("classes.png")));
    }

    /** The pages only a class has (sign-in, classes, dashboard, join) and a student's lesson, in both themes. */
    @Test
    void axeFindsNothingSeriousOnTheClassroomPagesInEitherTheme() {
        List<String> problems = new ArrayList<>();
        for (ColorScheme scheme : List.of(ColorScheme.LIGHT, ColorScheme.DARK)) {
            Page teacher = newBrowserForAxe(1366, 900, scheme);
            teacher.navigate(base() + "/teacher");
            assertThat(teacher.getByLabel("Passphrase")).isVisible();
            Axe.violations(teacher).forEach(v -> problems.add(scheme + " teacher sign-in: " + v));
            teacher.getByLabel("Passphrase").fill(PASSPHRASE);
            teacher.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
            assertThat(teacher.locator("h1")).hasText("Your classes");
            teacher.getByLabel("Class name").fill("Axe " + scheme);
            teacher.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create class")).click();
            assertThat(teacher.locator(".dash-live")).hasAttribute("data-state", "live");
            String code = teacher.locator("#class-code").textContent().trim();
            Axe.violations(teacher).forEach(v -> problems.add(scheme + " empty dashboard: " + v));

            Page student = newBrowserForAxe(1366, 900, scheme);
            student.navigate(base() + "/join?code=" + code);
            assertThat(student.getByLabel("Your name")).isVisible();
            Axe.violations(student).forEach(v -> problems.add(scheme + " join: " + v));
            student.getByLabel("Your name").fill("Ada " + scheme);
            student.locator("button[type=submit]").click();
            assertThat(student.locator(".whoami-name")).hasText("Ada " + scheme);
            Axe.violations(student).forEach(v -> problems.add(scheme + " a student's home: " + v));
            student.navigate(base() + "/lessons/" + LESSON);
            new LessonPage(student).waitForKernel();
            Axe.violations(student).forEach(v -> problems.add(scheme + " a student's lesson: " + v));

            assertThat(row(teacher, "Ada " + scheme)).hasCount(1);
            Axe.violations(teacher).forEach(v -> problems.add(scheme + " dashboard with a student: " + v));
            teacher.navigate(base() + "/teacher");
            assertThat(teacher.locator("h1")).hasText("Your classes");
            Axe.violations(teacher).forEach(v -> problems.add(scheme + " classes: " + v));
        }
        assertEquals(List.of(), problems);
    }

    private Page joinAndOpenLesson(String code, String name) {
        Page page = newBrowser(1280, 800);
        page.navigate(base() + "/lessons/" + LESSON);
        assertThat(page).hasURL(Pattern.compile("/join\\?next="));
        page.getByLabel("Class code").fill(code.toLowerCase());
        page.getByLabel("Your name").fill(name);
        page.locator("button[type=submit]").click();
        assertThat(page).hasURL(Pattern.compile("/lessons/" + LESSON + "$"));
        new LessonPage(page).waitForKernel();
        return page;
    }

    private static Locator row(Page teacher, String name) {
        return teacher.locator("tr.student-row").filter(new Locator.FilterOptions().setHas(teacher.locator(".student-name", new Page.LocatorOptions().setHasText(name))));
    }
}
