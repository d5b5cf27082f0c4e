package dev.glassbox.web.browser;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;

import java.time.Duration;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

/**
 * A lesson page as a learner uses it: find a cell, type into its editor, run it from the keyboard,
 * read what it shows. Waits use the page's own signals (kernel status, save status, cell status).
 */
final class LessonPage {
    /** A kernel is a fresh JVM; on a busy two-core machine its start can take a while. */
    static final Duration KERNEL_START = Duration.ofSeconds(90);
    /** A quick cell: a round trip to the kernel, plus saving its result. */
    static final Duration QUICK_CELL = Duration.ofSeconds(30);

    final Page page;

    LessonPage(Page page) {
        this.page = page;
    }

    /** Opens the lesson at {@code base} (http://localhost:port) and waits for its kernel. */
    static LessonPage open(Page page, String base, String lessonId) {
        page.navigate(base + "/lessons/" + lessonId);
        LessonPage lesson = new LessonPage(page);
        lesson.waitForKernel();
        return lesson;
    }

    void reload() {
        page.reload();
        waitForKernel();
    }

    void waitForKernel() {
        assertThat(page.locator("#kernel-status")).hasAttribute("data-status", "idle", within(KERNEL_START));
    }

    /** Waits until the server has every edit. */
    void waitUntilSaved() {
        assertThat(page.locator("#save-status")).hasAttribute("data-state", "saved", within(QUICK_CELL));
    }

    Locator cell(String id) {
        return page.locator("section.cell[data-cell-id=\"" + id + "\"]");
    }

    Locator editor(String id) {
        return cell(id).locator(".cell-editor .cm-content");
    }

    Locator output(String id) {
        return cell(id).locator(".cell-output");
    }

    /**
     * Replaces the cell's code as a learner would: click into the editor, select all, then insert the
     * text in one go (typing it key by key would meet CodeMirror's automatic closing brackets).
     */
    void edit(String id, String code) {
        editor(id).click();
        page.keyboard().press("Control+A");
        page.keyboard().insertText(code);
        assertThat(editor(id)).hasText(code, new LocatorAssertions.HasTextOptions().setUseInnerText(true));
    }

    /** Shift+Enter in the cell's editor: runs it and moves on to the next cell. */
    void runWithShiftEnter(String id) {
        editor(id).focus();
        page.keyboard().press("Shift+Enter");
    }

    /** Ctrl+Enter in the cell's editor: runs it and stays. */
    void runInPlace(String id) {
        editor(id).focus();
        page.keyboard().press("Control+Enter");
    }

    /** Waits until the cell has finished its run with {@code status} (ok, error, timeout, ...). */
    void waitForStatus(String id, String status, Duration timeout) {
        Locator finished = page.locator("section.cell[data-cell-id=\"" + id + "\"]:not([data-run])");
        assertThat(finished).hasAttribute("data-status", status, within(timeout));
    }

    static LocatorAssertions.HasAttributeOptions within(Duration timeout) {
        return new LocatorAssertions.HasAttributeOptions().setTimeout(timeout.toMillis());
    }
}
