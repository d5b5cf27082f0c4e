package dev.glassbox.lessons;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.glassbox.explorer.ArchitectureMap;
import dev.glassbox.explorer.PackageGraph;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lessons module's packages form no cycle (every arrow between them points down), and the architecture map names each. */
class PackageCyclesTest {

    @Test
    void noPackageCycle() {
        PackageGraph graph = PackageGraph.ofModuleOf(Lesson.class);
        assertEquals("", graph.describeCycles(), "package cycles in lessons");
    }

    @Test
    void theArchitectureMapNamesEveryPackage() {
        List<String> packages = PackageGraph.ofModuleOf(Lesson.class).packages();
        assertEquals(List.of(), ArchitectureMap.unnamed(ArchitectureMap.read(), "lessons", packages, "dev.glassbox."),
                "packages of lessons without a line in docs/architecture.md");
    }
}
