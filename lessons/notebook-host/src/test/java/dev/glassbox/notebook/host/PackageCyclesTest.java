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

    /** The host compiles against the runtime's exported packages only: what the kernel runs is not its API. */
    @Test
    void theHostNamesNothingOfTheRuntimesHiddenPackage() throws Exception {
        java.nio.file.Path classes = java.nio.file.Path.of(Kernel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        java.util.List<String> names;
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(classes)) {
            names = files.map(f -> classes.relativize(f).toString()).filter(f -> f.endsWith(".class") && !f.equals("module-info.class"))
                    .map(f -> f.substring(0, f.length() - ".class".length()).replace(java.io.File.separatorChar, '.')).toList();
        }
        org.junit.jupiter.api.Assertions.assertTrue(names.contains(KernelProcess.class.getName()), names.toString());
        java.util.List<String> offending = new java.util.ArrayList<>();
        for (String name : names) {
            for (String named : dev.glassbox.explorer.PackageGraph.classesNamedBy(Class.forName(name))) {
                if (named.startsWith("dev.glassbox.notebook.runtime.")) offending.add(name + " -> " + named);
            }
        }
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(), offending);
    }
}
