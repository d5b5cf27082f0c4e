package dev.glassbox.notebook.host;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The kernel's class path: exactly the jars (or class folders, in a build) that hold the classes cells
 * may use, found from where those classes were loaded. Works the same from {@code glassbox.jar} and from
 * a Maven test run, and names every path a sandbox must bind.
 */
public final class KernelClassPath {
    /** One class from each library a kernel needs. */
    private static final List<String> ANCHORS = List.of(
            "dev.glassbox.notebook.runtime.KernelMain",           // lessons: the kernel and the notebook API
            "dev.glassbox.explorer.kernels.Kernels",            // explorer: models and Vector API kernels
            "dev.glassbox.tinymodels.cards.Openness",               // tiny-models: the shipped models
            "com.fasterxml.jackson.databind.ObjectMapper",
            "com.fasterxml.jackson.core.JsonFactory",
            "com.fasterxml.jackson.annotation.JsonProperty",
            "com.fasterxml.jackson.dataformat.yaml.YAMLMapper",  // model cards' front matter
            "org.yaml.snakeyaml.Yaml",
            "org.junit.jupiter.api.Assertions",                 // exercise checks
            "org.opentest4j.AssertionFailedError",
            "org.junit.platform.commons.util.StringUtils",
            "org.apiguardian.api.API");

    private KernelClassPath() {}

    public static List<Path> discover() {
        Set<Path> paths = new LinkedHashSet<>();
        List<String> missing = new ArrayList<>();
        for (String name : ANCHORS) {
            try {
                Class<?> type = Class.forName(name, false, KernelClassPath.class.getClassLoader());
                paths.add(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath());
            } catch (ClassNotFoundException | URISyntaxException | NullPointerException e) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("kernel class path incomplete: cannot locate " + missing
                    + " (is the app started from web/target/glassbox.jar with its lib/ folder beside it?)");
        }
        return List.copyOf(paths);
    }
}
