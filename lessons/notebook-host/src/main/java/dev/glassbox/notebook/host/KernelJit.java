package dev.glassbox.notebook.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * What a kernel's JIT compilers may compile. C2 never compiles javac or JShell, which compile every cell: in a kernel
 * they run a few thousand times a session, and C2 kept recompiling them (15-30 ms of a compiler thread per cell after
 * 300 cells, on the kernel's one CPU of quota) for code that C1 runs about as fast there. C2 still compiles the cells'
 * own code, the Vector API and the models. The rule is a HotSpot compiler directives file, written once in the
 * server's scratch folder and shown read-only to the kernels at {@link Sandbox#JIT}.
 */
final class KernelJit {
    static final String DIRECTIVES = """
            [ { match: ["com/sun/tools/javac/*.*", "com/sun/source/*.*", "jdk/jshell/*.*"], c2: { Exclude: true } } ]
            """;

    private KernelJit() {
    }

    /** The directives file for kernels started with {@code settings}, written if it is missing or differs. */
    static Path file(KernelSettings settings) throws IOException {
        Path file = settings.scratchRoot().resolve("kernel-jit.json");
        if (Files.isRegularFile(file) && Files.readString(file, StandardCharsets.UTF_8).equals(DIRECTIVES)) return file;
        Files.createDirectories(settings.scratchRoot());
        Path partial = Files.createTempFile(settings.scratchRoot(), "kernel-jit", ".partial");
        Files.writeString(partial, DIRECTIVES, StandardCharsets.UTF_8);
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    /** The JVM options that apply {@code file}, named as a JVM in {@code sandbox} sees it. */
    static List<String> options(Path file, Sandbox sandbox) {
        return List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:CompilerDirectivesFile=" + (sandbox.available() ? Sandbox.JIT : file.toString()));
    }
}
