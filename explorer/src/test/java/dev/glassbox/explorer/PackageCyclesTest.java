package dev.glassbox.explorer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.kernels.ScalarKernels;
import dev.glassbox.explorer.kernels.ScalarTrainingKernels;
import dev.glassbox.explorer.kernels.TrainingKernels;
import dev.glassbox.explorer.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The explorer's packages form no cycle (every arrow between them points down), and the architecture map names each. */
class PackageCyclesTest {

    @Test
    void noPackageCycleAndEveryPackageOnTheMap() {
        ArchitectureMap.assertLayeredAndMapped(Tensor.class, "explorer", "dev.glassbox.explorer.");
    }

    /** A kernel falls back on its scalar twin; the twin, its oracle, must not lean on the kernel it checks. */
    @Test
    void scalarTwinsNameNoVectorKernel() {
        assertTrue(PackageGraph.classesNamedBy(Kernels.class).contains(ScalarKernels.class.getName()),
                "Kernels calls its twins (else this test checks nothing)");
        assertFalse(PackageGraph.classesNamedBy(ScalarKernels.class).contains(Kernels.class.getName()),
                "ScalarKernels names Kernels: " + PackageGraph.classesNamedBy(ScalarKernels.class));
        assertFalse(PackageGraph.classesNamedBy(ScalarTrainingKernels.class).contains(TrainingKernels.class.getName()),
                "ScalarTrainingKernels names TrainingKernels: " + PackageGraph.classesNamedBy(ScalarTrainingKernels.class));
    }
}
