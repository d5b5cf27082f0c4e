package dev.glassbox.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.glassbox.explorer.ArchitectureMap;
import dev.glassbox.explorer.PackageGraph;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tiny-models module's packages form no cycle (every arrow between them points down), and the architecture map names each. */
class PackageCyclesTest {

    @Test
    void noPackageCycle() {
        PackageGraph graph = PackageGraph.ofModuleOf(ModelCatalog.class);
        assertEquals("", graph.describeCycles(), "package cycles in tiny-models");
    }

    @Test
    void theArchitectureMapNamesEveryPackage() {
        List<String> packages = PackageGraph.ofModuleOf(ModelCatalog.class).packages();
        assertEquals(List.of(), ArchitectureMap.unnamed(ArchitectureMap.read(), "tiny-models", packages, "dev.glassbox."),
                "packages of tiny-models without a line in docs/architecture.md");
    }
}
