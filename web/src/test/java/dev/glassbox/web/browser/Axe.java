package dev.glassbox.web.browser;

import com.microsoft.playwright.Page;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * axe-core, the accessibility checker, from the npm registry (web/frontend's devDependencies, installed by the
 * build's npm install), run inside a page. The page's Content-Security-Policy forbids inline scripts, so the
 * browser context that uses it must be created with bypassCSP.
 */
final class Axe {
    private static final Path SCRIPT = Path.of(System.getProperty("basedir", "."), "frontend", "node_modules", "axe-core", "axe.min.js");

    /** Serious and critical violations only: what the acceptance names. */
    private static final String RUN = """
            async () => {
              // A disabled control is exempt from contrast (WCAG 1.4.3: inactive components); a lesson's buttons are
              // disabled while its kernel starts, and axe would read their dimmed labels.
              // A control can also become disabled while axe runs (its contrast is then read dimmed): such nodes are
              // left out after the run as well.
              const disabled = (n) => {
                const element = document.querySelector(n.target.join(" "));
                return element?.closest("button, input, select, textarea")?.disabled === true;
              };
              const result = await axe.run({ exclude: [["button[disabled]"]] }, { resultTypes: ["violations"] });
              return result.violations
                .filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => ({ ...v, nodes: v.nodes.filter(n => !disabled(n)) }))
                .filter(v => v.nodes.length > 0)
                .map(v => `${v.impact} ${v.id} (${v.nodes.length}): ` + v.nodes.slice(0, 3)
                  .map(n => n.target.join(" ") + " - " + (n.any[0]?.message ?? n.failureSummary ?? "")).join(" | "));
            }""";

    private static String script;

    private Axe() {}

    /** The serious and critical violations on the page as it is now, one line each; empty when it passes. */
    @SuppressWarnings("unchecked")
    static List<String> violations(Page page) {
        if (page.evaluate("() => typeof axe") instanceof String type && !type.equals("object")) {
            page.addScriptTag(new Page.AddScriptTagOptions().setContent(script()));
        }
        return (List<String>) page.evaluate(RUN);
    }

    private static synchronized String script() {
        if (script == null) {
            if (!Files.isRegularFile(SCRIPT)) {
                throw new AssertionError("axe-core is missing at " + SCRIPT + ": run the web build (its npm install adds it).");
            }
            try {
                script = Files.readString(SCRIPT);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return script;
    }
}
