package dev.glassbox.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.glassbox.explorer.PackageGraph;
import org.junit.jupiter.api.Test;

/** The web module's packages form no cycle: every arrow between them points down. */
class PackageCyclesTest {

    @Test
    void noPackageCycle() {
        PackageGraph graph = PackageGraph.ofModuleOf(App.class);
        assertEquals("", graph.describeCycles(), "package cycles in web");
    }
}
