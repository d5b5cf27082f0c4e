package dev.glassbox.web.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.Cookie;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine's own Chromium, driven by Playwright. Playwright's bundled browsers are never
 * downloaded (surefire sets PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD), so the browser tests need one installed.
 */
public final class Chromium {
    /** Where Debian and Ubuntu put it; the system property or the environment variable can say otherwise. */
    private static final List<String> USUAL_PLACES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");

    private static final List<String> ARGS = List.of(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage");

    private Chromium() {}

    /** A headless Chromium; fails with what to install when there is none (a skipped browser test proves nothing). */
    public static Browser launch(Playwright playwright) {
        return playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(executable())
                .setHeadless(true)
                .setArgs(ARGS));
    }

    /**
     * Makes {@code context} a browser of single-user {@code app}'s owner: the cookie the start-up link would set
     * (the link itself is followed in ReadmeStartIT and OwnerTokenPageTest). For a classroom app: nothing.
     */
    public static BrowserContext owner(BrowserContext context, dev.glassbox.web.App app) {
        app.ownerToken().ifPresent(token -> context.addCookies(List.of(
                new Cookie(dev.glassbox.web.security.Sessions.COOKIE, token).setUrl("http://localhost:" + app.port()))));
        return context;
    }

    /** System property glassbox.chromium, else env CHROMIUM, else the first usual place that exists. */
    static Path executable() {
        String property = System.getProperty("glassbox.chromium");
        if (property != null && !property.isBlank()) return existing(Path.of(property), "system property glassbox.chromium");
        String env = System.getenv("CHROMIUM");
        if (env != null && !env.isBlank()) return existing(Path.of(env), "environment variable CHROMIUM");
        return USUAL_PLACES.stream().map(Path::of).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new AssertionError("The browser tests need Chromium, found none at " + USUAL_PLACES
                        + ". Install Debian's package (apt-get install chromium), or name the executable with"
                        + " -Dglassbox.chromium=... or the CHROMIUM environment variable."));
    }

    private static Path existing(Path path, String source) {
        if (!Files.isExecutable(path)) {
            throw new AssertionError("Chromium executable " + path + " (from " + source + ") does not exist or cannot be run."
                    + " Install Debian's package (apt-get install chromium) or fix the path.");
        }
        return path;
    }
}
