package dev.glassbox.lessons;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.glassbox.explorer.PackageGraph;
import org.junit.jupiter.api.Test;

/** The lessons module's packages form no cycle: every arrow between them points down. */
class PackageCyclesTest {

    @Test
    void noPackageCycle() {
        PackageGraph graph = PackageGraph.ofModuleOf(Lesson.class);
        assertEquals("", graph.describeCycles(), "package cycles in lessons");
    }
}
