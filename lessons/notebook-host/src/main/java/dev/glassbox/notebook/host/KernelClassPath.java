package dev.glassbox.notebook.host;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a kernel JVM loads, found from where those classes were loaded here (the same from {@code glassbox.jar}
 * and from a Maven test run). The notebook runtime and the libraries it requires go on the module path, so that
 * the runtime is a named module whose insides cells cannot reach; everything cells use goes on the class path.
 * The host's own classes are on neither.
 *
 * @param modulePath the runtime's module ({@value #RUNTIME_MODULE}) and Jackson
 * @param classPath  explorer, tiny-models and the libraries cells and exercise checks use
 */
public record KernelClassPath(List<Path> modulePath, List<Path> classPath) {
    /** The named module a kernel runs. */
    public static final String RUNTIME_MODULE = dev.glassbox.notebook.protocol.KernelLaunch.MODULE;

    /** One class from each module of {@link #modulePath}. */
    private static final List<String> MODULES = List.of(
            dev.glassbox.notebook.protocol.KernelLaunch.MAIN_CLASS,   // the runtime and the notebook API
            "com.fasterxml.jackson.databind.ObjectMapper",
            "com.fasterxml.jackson.core.JsonFactory",
            "com.fasterxml.jackson.annotation.JsonProperty");
    /** One class from each library of {@link #classPath}. */
    private static final List<String> LIBRARIES = List.of(
            "dev.glassbox.explorer.kernels.Kernels",             // explorer: models and Vector API kernels
            "dev.glassbox.tinymodels.cards.Openness",            // tiny-models: the shipped models
            "com.fasterxml.jackson.dataformat.yaml.YAMLMapper",  // model cards' front matter
            "org.yaml.snakeyaml.Yaml",
            "org.junit.jupiter.api.Assertions",                 // exercise checks
            "org.opentest4j.AssertionFailedError",
            "org.junit.platform.commons.util.StringUtils",
            "org.apiguardian.api.API");

    public KernelClassPath {
        modulePath = List.copyOf(modulePath);
        classPath = List.copyOf(classPath);
    }

    public static KernelClassPath discover() {
        List<String> missing = new ArrayList<>();
        List<Path> modules = locate(MODULES, missing);
        List<Path> libraries = locate(LIBRARIES, missing);
        if (!missing.isEmpty()) {
            throw new IllegalStateException("kernel class path incomplete: cannot locate " + missing
                    + " (is the app started from web/target/glassbox.jar with its lib/ folder beside it?)");
        }
        libraries.removeAll(modules);
        return new KernelClassPath(modules, libraries);
    }

    /** Every entry, the module path first: what a sandbox binds. */
    public List<Path> all() {
        return Stream.concat(modulePath.stream(), classPath.stream()).toList();
    }

    /** The JVM's arguments that load these: {@code --module-path}, {@code -cp}, and the runtime's main class. */
    static List<String> arguments(List<String> modulePath, List<String> classPath, String mainClass) {
        return List.of("--module-path", String.join(File.pathSeparator, modulePath),
                "-cp", String.join(File.pathSeparator, classPath),
                "--module", RUNTIME_MODULE + "/" + mainClass);
    }

    private static List<Path> locate(List<String> anchors, List<String> missing) {
        Set<Path> paths = new LinkedHashSet<>();
        for (String name : anchors) {
            try {
                Class<?> type = Class.forName(name, false, KernelClassPath.class.getClassLoader());
                paths.add(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath());
            } catch (ClassNotFoundException | URISyntaxException | NullPointerException e) {
                missing.add(name);
            }
        }
        return new ArrayList<>(paths);
    }
}
