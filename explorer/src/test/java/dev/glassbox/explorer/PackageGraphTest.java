package dev.glassbox.explorer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PackageGraph finds a cycle in class files written for the purpose, and only that cycle. */
class PackageGraphTest {

    @TempDir
    Path classes;

    @Test
    void findsTheCycleAndNamesAClassEdgePerArrow() throws IOException {
        // a.A calls b.B, b.B$Inner holds an a.A[] field, c.C reads a.A: a <-> b is a cycle, c only points into it.
        write("a/A", ClassDesc.of("b.B"), false);
        write("b/B", ConstantDescs.CD_Object, false);
        write("b/B$Inner", ClassDesc.of("a.A").arrayType(), true);
        write("c/C", ClassDesc.of("a.A"), false);

        PackageGraph graph = PackageGraph.of(classes);

        assertEquals(List.of("a", "b", "c"), graph.packages());
        assertEquals(List.of("a"), graph.arrowsFrom("c"));
        assertEquals(List.of(List.of("a", "b")), graph.cycles());
        String report = graph.describeCycles();
        assertTrue(report.contains("a -> b   e.g. a.A -> b.B"), report);
        assertTrue(report.contains("b -> a   e.g. b.B$Inner -> a.A"), report);
        assertTrue(!report.contains("c ->"), report);
    }

    @Test
    void aGraphWithoutCycleDescribesNothing() throws IOException {
        write("a/A", ClassDesc.of("b.B"), false);
        write("b/B", ClassDesc.of("java.util.List"), false);

        assertEquals(List.of(), PackageGraph.of(classes).cycles());
        assertEquals("", PackageGraph.of(classes).describeCycles());
    }

    /** A class that names {@code other} either as a field type or as the target of a static call. */
    private void write(String internalName, ClassDesc other, boolean asField) throws IOException {
        byte[] bytes = ClassFile.of().build(ClassDesc.ofInternalName(internalName), c -> {
            if (asField) {
                c.withField("f", other, ClassFile.ACC_PRIVATE);
            } else {
                c.withMethodBody("m", MethodTypeDesc.of(ConstantDescs.CD_void), ClassFile.ACC_STATIC, code -> code
                        .ldc(other)
                        .pop()
                        .return_());
            }
        });
        Path file = classes.resolve(internalName + ".class");
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }
}
