package dev.glassbox.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.glassbox.explorer.ArchitectureMap;
import dev.glassbox.explorer.PackageGraph;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The web module's packages form no cycle (every arrow between them points down), and the architecture map names each. */
class PackageCyclesTest {

    @Test
    void noPackageCycle() {
        PackageGraph graph = PackageGraph.ofModuleOf(App.class);
        assertEquals("", graph.describeCycles(), "package cycles in web");
    }

    @Test
    void theArchitectureMapNamesEveryPackage() {
        List<String> packages = PackageGraph.ofModuleOf(App.class).packages();
        assertEquals(List.of(), ArchitectureMap.unnamed(ArchitectureMap.read(), "web", packages, "dev.glassbox.web."),
                "packages of web without a line in docs/architecture.md");
    }
}
