package dev.glassbox.tinymodels;

import dev.glassbox.explorer.ArchitectureMap;
import org.junit.jupiter.api.Test;

/** The tiny-models module's packages form no cycle (every arrow between them points down), and the architecture map names each. */
class PackageCyclesTest {

    @Test
    void noPackageCycleAndEveryPackageOnTheMap() {
        ArchitectureMap.assertLayeredAndMapped(ModelCatalog.class, "tiny-models", "dev.glassbox.");
    }
}
