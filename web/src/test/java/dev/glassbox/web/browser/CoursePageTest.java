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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The course in a real browser, on the fixture lessons of the test resources: a glossary term's definition on hover and
 * on keyboard focus, hints one at a time, a quiz answered wrongly then rightly, an exercise passed, and the course map's
 * progress before and after. Screenshots: target/screenshots/course-*.png.
 */
class CoursePageTest {
    static final String LESSON = "first-steps";
    static final Duration KERNEL_START = Duration.ofMinutes(5);
    static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."), "target", "screenshots");

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
        PlaywrightAssertions.setDefaultAssertionTimeout(15_000);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) browser.close();
        if (playwright != null) playwright.close();
    }

    @BeforeEach
    void start() throws Exception {
        Path lessons = Path.of(CoursePageTest.class.getResource("/course-lessons").toURI());
        KernelSettings kernels = KernelSettings.defaults(dataDir.resolve("scratch")).withTimeLimit(Duration.ofSeconds(20)).withPoolSize(1);
        app = App.start(new App.Settings("127.0.0.1", 0, dataDir, lessons, kernels));
        context = Chromium.owner(browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900)), app);
        context.setDefaultTimeout(30_000);
        page = context.newPage();
        page.onPageError(pageErrors::add);
        Files.createDirectories(SCREENSHOTS);
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

    @Test
    void aQuizAndAnExerciseDoneShowOnTheCourseMap() {
        page.navigate(base() + "/");
        page.locator("a.course-map-link").click();
        Locator row = page.locator("a.course-row[data-lesson-id=\"" + LESSON + "\"]");
        assertThat(row).hasAttribute("data-steps-done", "0");
        assertThat(row).hasAttribute("data-steps", "3");
        assertThat(row.locator(".course-steps")).hasText("0/1 exercises · 0/2 quizzes");
        assertThat(page.locator("svg.course-arcs path.arc")).hasCount(1);

        row.click();
        LessonPage lesson = new LessonPage(page);
        assertThat(page.locator(".lesson-minutes")).hasText("About 5 minutes");

        // A glossary term: its definition shows on keyboard focus and on hover.
        Locator term = page.locator(".prose .term").first();
        Locator definition = term.locator(".term-def");
        assertThat(definition).isHidden();
        term.focus();
        assertThat(definition).isVisible();
        assertThat(definition).containsText("A raw score before softmax.");
        assertEquals(definition.getAttribute("id"), term.getAttribute("aria-describedby"));
        page.locator("h1.lesson-heading").click();
        assertThat(definition).isHidden();
        term.hover();
        assertThat(definition).isVisible();
        var box = term.boundingBox();
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("course-glossary-term.png"))
                .setClip(Math.max(0, box.x - 40), Math.max(0, box.y - 30), 480, 150));
        page.locator(".lesson-head").screenshot(new Locator.ScreenshotOptions().setPath(SCREENSHOTS.resolve("course-lesson-head.png")));
        page.mouse().move(0, 0);

        // Hints come one at a time.
        Locator hints = lesson.cell("add").locator(".hints");
        Locator next = hints.locator(".hint-next");
        assertThat(hints.locator(".hint").nth(0)).isHidden();
        assertThat(next).hasText("Show hint 1 of 2");
        next.click();
        assertThat(hints.locator(".hint").nth(0)).isVisible();
        assertThat(hints.locator(".hint").nth(0).locator(".hint-title")).hasText("Hint 1 of 2");
        assertThat(hints.locator(".hint").nth(1)).isHidden();
        assertThat(next).hasText("Show hint 2 of 2");
        next.click();
        assertThat(hints.locator(".hint").nth(1)).isVisible();
        assertThat(next).isHidden();

        // A quiz: a wrong answer, then the right one with its explanation.
        Locator quiz = page.locator("section.quiz[data-quiz-id=\"softmax-sum\"]");
        quiz.locator("input[value=\"0\"]").check();
        quiz.locator(".quiz-check").click();
        assertThat(quiz.locator(".quiz-result")).hasText("Not quite: try again.");
        assertThat(quiz.locator(".quiz-choice").nth(0)).hasAttribute("data-correct", "false");
        assertThat(quiz.locator(".quiz-choice").nth(0)).containsText("Softmax outputs are positive.");
        quiz.locator("input[value=\"1\"]").check();
        quiz.locator(".quiz-check").click();
        assertThat(quiz.locator(".quiz-result")).hasText("Correct!");
        assertThat(quiz).hasAttribute("data-state", "correct");
        assertThat(quiz.locator(".quiz-choice").nth(1)).containsText("Right: they are probabilities.");
        quiz.screenshot(new Locator.ScreenshotOptions().setPath(SCREENSHOTS.resolve("course-quiz.png")));

        // The course map counts the quiz at once.
        page.navigate(base() + "/course");
        assertThat(row).hasAttribute("data-steps-done", "1");
        assertThat(row.locator(".course-steps")).hasText("0/1 exercises · 1/2 quizzes");
        assertThat(row).hasAttribute("data-state", "started");
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("course-map.png")).setFullPage(true));
        row.click();

        // The exercise: a + 3 passes. (A kernel can take minutes to start on a machine busy with other builds.)
        assertThat(page.locator("#kernel-status")).hasAttribute("data-status", "idle", LessonPage.within(KERNEL_START));
        lesson.runInPlace("setup");
        lesson.waitForStatus("setup", "ok", LessonPage.QUICK_CELL);
        lesson.edit("add", "int sum = a + 3;");
        lesson.runInPlace("add");
        lesson.waitForStatus("add", "ok", LessonPage.QUICK_CELL);
        assertThat(lesson.cell("add").locator(".exercise-badge")).hasAttribute("data-state", "passed");
        lesson.waitUntilSaved();

        // The quiz's answer is kept: a reload shows it answered.
        page.reload();
        assertThat(quiz.locator(".quiz-result")).hasText("Correct!");

        page.locator("a.lesson-next-link").click();
        assertThat(page.locator("h1.lesson-heading")).hasText("Next steps");
        page.navigate(base() + "/course");
        assertThat(row).hasAttribute("data-steps-done", "2");
        assertThat(row.locator(".course-steps")).hasText("1/1 exercises · 1/2 quizzes");
        assertThat(row).hasAttribute("data-state", "started");
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("course-map-after-exercise.png")).setFullPage(true));
    }
}
