package dev.glassbox.web;

import dev.glassbox.explorer.ArchitectureMap;
import org.junit.jupiter.api.Test;

/** The web module's packages form no cycle (every arrow between them points down), and the architecture map names each. */
class PackageCyclesTest {

    @Test
    void noPackageCycleAndEveryPackageOnTheMap() {
        ArchitectureMap.assertLayeredAndMapped(App.class, "web", "dev.glassbox.web.");
    }
}
