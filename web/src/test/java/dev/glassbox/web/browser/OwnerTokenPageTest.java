package dev.glassbox.web.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.web.App;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Single-user mode as two browsers of the owner and one of a stranger see it: a browser without the token gets a
 * page that asks for it (and nothing else), typing the token in opens the page it asked for, and every browser
 * that has the token is the same learner: an edit in one is in the other after a reload.
 */
class OwnerTokenPageTest {
    static final String LESSON = LessonPageTest.LESSON;
    static final String MARK = "// written in the other browser";

    @TempDir
    Path dataDir;

    @Test
    void aBrowserWithoutTheTokenIsAskedForItAndTheOwnerIsOneLearnerInEveryBrowser() throws Exception {
        PlaywrightAssertions.setDefaultAssertionTimeout(15_000);
        KernelSettings kernels = KernelSettings.defaults(dataDir.resolve("scratch")).withPoolSize(1);
        List<String> pageErrors = new ArrayList<>();
        try (App app = App.start(new App.Settings("127.0.0.1", 0, dataDir, null, kernels));
             Playwright playwright = Playwright.create();
             Browser browser = Chromium.launch(playwright);
             BrowserContext laptop = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900));
             BrowserContext phone = browser.newContext(new Browser.NewContextOptions().setViewportSize(390, 844).setBypassCSP(true))) {   // axe is injected
            String base = "http://localhost:" + app.port();

            // The laptop opens the printed link: the token becomes its cookie and leaves the address bar.
            Page first = laptop.newPage();
            first.onPageError(pageErrors::add);
            first.navigate(app.startUrl());
            assertEquals(base + "/", first.url(), "the token is not left in the address bar");
            LessonPage lesson = LessonPage.open(first, base, LESSON);

            // A browser without it: a page that asks for the token, in both themes without axe violations.
            Page other = phone.newPage();
            other.onPageError(pageErrors::add);
            Response refused = other.navigate(base + "/lessons/" + LESSON);
            assertEquals(401, refused.status());
            assertThat(other.locator("h1")).hasText("Open Glassbox with your token");
            assertFalse(other.content().contains("data-cell-id"), "nothing of the lesson is shown");
            Files.createDirectories(LessonPageTest.SCREENSHOTS);
            other.screenshot(new Page.ScreenshotOptions().setPath(LessonPageTest.SCREENSHOTS.resolve("owner-token-phone.png")));
            assertEquals(List.of(), Axe.violations(other), "axe on the token page");
            other.locator("#owner-token").fill("not-the-token-at-all-0000");
            other.keyboard().press("Enter");
            assertThat(other.locator(".error-detail")).containsText("not this Glassbox's token");

            // Typing the right token opens the page it asked for, as the owner.
            other.locator("#owner-token").fill(app.ownerToken().orElseThrow());
            other.keyboard().press("Enter");
            other.waitForURL(base + "/lessons/" + LESSON);
            LessonPage sameLearner = new LessonPage(other);
            sameLearner.waitForKernel();

            // One learner: an edit made on the phone is on the laptop after a reload.
            sameLearner.edit("dot-scalar", MARK);
            sameLearner.waitUntilSaved();
            lesson.reload();
            assertThat(lesson.editor("dot-scalar")).hasText(MARK, new LocatorAssertions.HasTextOptions().setUseInnerText(true));
        }
        assertEquals(List.of(), pageErrors, "uncaught errors in the page's scripts");
    }
}
