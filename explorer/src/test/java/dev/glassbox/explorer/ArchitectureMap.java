package dev.glassbox.explorer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * docs/architecture.md, read by each module's PackageCyclesTest: the map must give every package of the module
 * a line ({@code - `name`: ...}) in the module's section ({@code **module**: ...} up to the next module).
 */
public final class ArchitectureMap {
    private ArchitectureMap() {}

    /** The map, found from the module's folder (Maven runs tests there) in the first folder above it that has {@code docs/}. */
    public static String read() {
        Path start = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path file = dir.resolve("docs/architecture.md");
            if (!Files.isRegularFile(file)) continue;
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new UncheckedIOException("the architecture map " + file + " cannot be read", e);
            }
        }
        throw new IllegalStateException("no docs/architecture.md in " + start + " or a folder above it");
    }

    /**
     * What each module's PackageCyclesTest asks of the module holding {@code member}: no cycle between its packages
     * (every arrow points down), and a line in {@code module}'s section of the map for each package (named after
     * {@code prefix}).
     */
    public static void assertLayeredAndMapped(Class<?> member, String module, String prefix) {
        PackageGraph graph = PackageGraph.ofModuleOf(member);
        assertEquals("", graph.describeCycles(), "package cycles in " + module);
        assertEquals(List.of(), unnamed(read(), module, graph.packages(), prefix),
                "packages of " + module + " without a line in docs/architecture.md");
    }

    /**
     * The packages with no line in {@code module}'s section of {@code map}. A package is named as its name
     * after {@code prefix}, or as its last part when it is the root package the prefix ends with.
     */
    public static List<String> unnamed(String map, String module, List<String> packages, String prefix) {
        int start = map.indexOf("\n**" + module + "**");
        if (start < 0) throw new IllegalArgumentException("the architecture map has no section **" + module + "**");
        int end = map.indexOf("\n**", start + 1);
        String section = map.substring(start, end < 0 ? map.length() : end);
        List<String> missing = new ArrayList<>();
        for (String p : packages) {
            String name = p.startsWith(prefix) ? p.substring(prefix.length()) : p.substring(p.lastIndexOf('.') + 1);
            if (!section.contains("\n- `" + name + "`: ")) missing.add(p + " (as `" + name + "`)");
        }
        return missing;
    }
}
