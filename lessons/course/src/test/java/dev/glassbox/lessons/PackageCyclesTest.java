package dev.glassbox.lessons;

import dev.glassbox.explorer.ArchitectureMap;
import org.junit.jupiter.api.Test;

/** The course module's packages form no cycle (every arrow between them points down), and the architecture map names each. */
class PackageCyclesTest {

    @Test
    void noPackageCycleAndEveryPackageOnTheMap() {
        ArchitectureMap.assertLayeredAndMapped(Lesson.class, "course", "dev.glassbox.");
    }
}
