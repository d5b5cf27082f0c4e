package dev.glassbox.notebook.host;

import dev.glassbox.explorer.ArchitectureMap;
import dev.glassbox.notebook.Display;
import org.junit.jupiter.api.Test;

/**
 * The packages of the notebook's two jars form no cycle and each has its line on the architecture map: the host
 * (this module) and the runtime it starts in every kernel (a module with no tests of its own, checked from here).
 */
class PackageCyclesTest {

    @Test
    void noPackageCycleAndEveryPackageOnTheMap() {
        ArchitectureMap.assertLayeredAndMapped(Kernel.class, "notebook-host", "dev.glassbox.");
        ArchitectureMap.assertLayeredAndMapped(Display.class, "notebook-runtime", "dev.glassbox.");
    }
}
