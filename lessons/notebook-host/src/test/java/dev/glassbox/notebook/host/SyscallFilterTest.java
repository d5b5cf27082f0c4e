package dev.glassbox.notebook.host;

import dev.glassbox.notebook.protocol.HostMessage;
import dev.glassbox.notebook.protocol.KernelMessage;
import dev.glassbox.notebook.protocol.Output;
import dev.glassbox.notebook.protocol.Seal;
import dev.glassbox.notebook.protocol.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A cell calls, through the FFM API, each system call a Java program does not need and an attacker would
 * want. In a kernel it cannot call native code at all; and with that layer taken away, the runtime's seccomp filter
 * refuses every one with EPERM (on x86-64, where the numbers below hold).
 */
class SyscallFilterTest {
    /** x86-64 numbers (asm/unistd_64.h). */
    static final Map<String, Integer> CALLS = new TreeMap<>(Map.ofEntries(
            Map.entry("ptrace", 101), Map.entry("bpf", 321), Map.entry("perf_event_open", 298), Map.entry("userfaultfd", 323),
            Map.entry("io_uring_setup", 425), Map.entry("io_uring_enter", 426), Map.entry("io_uring_register", 427),
            Map.entry("keyctl", 250), Map.entry("add_key", 248), Map.entry("mount", 165), Map.entry("umount2", 166),
            Map.entry("pivot_root", 155), Map.entry("unshare", 272), Map.entry("setns", 308), Map.entry("kexec_load", 246),
            Map.entry("kexec_file_load", 320), Map.entry("init_module", 175), Map.entry("finit_module", 313),
            Map.entry("delete_module", 176)));

    @TempDir
    Path scratch;

    @Test
    void callsAJavaProgramDoesNotNeedAreRefused() throws Exception {
        assumeTrue(System.getProperty("os.arch").equals("amd64") && System.getProperty("os.name").equals("Linux"), "x86-64 Linux numbers");
        Sandbox sandbox = Sandbox.detect();
        assumeTrue(sandbox.available(), "needs the sandbox: " + sandbox.problems());
        KernelSettings settings = KernelSettings.defaults(scratch).withTimeLimit(Duration.ofSeconds(60)).withPoolSize(1);
        try (KernelPool pool = new KernelPool(settings, sandbox); Kernel kernel = ForgedMessageTest.warm(pool).open()) {
            StringBuilder numbers = new StringBuilder();
            CALLS.forEach((name, nr) -> numbers.append(numbers.isEmpty() ? "" : ", ").append("\"").append(name).append("\", ").append(nr).append("L"));
            // every argument 0: unshare(0) and ptrace(PTRACE_TRACEME) would succeed, the others fail with their own errno
            String cell = """
                    import java.lang.foreign.*;
                    var linker = Linker.nativeLinker();
                    var errnoLayout = Linker.Option.captureStateLayout();
                    var errnoOf = errnoLayout.varHandle(MemoryLayout.PathElement.groupElement("errno"));
                    var syscall = linker.downcallHandle(linker.defaultLookup().find("syscall").orElseThrow(),
                            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
                    Object[] calls = {NUMBERS};
                    var results = new StringBuilder();
                    try (var arena = Arena.ofConfined()) {
                        var state = arena.allocate(errnoLayout);
                        for (int i = 0; i < calls.length; i += 2) {
                            long result = (long) syscall.invoke(state, (long) calls[i + 1], 0L, 0L, 0L, 0L, 0L);
                            int errno = (int) errnoOf.get(state, 0L);
                            results.append(calls[i]).append('=').append(result).append('/').append(errno).append(' ');
                        }
                    }
                    results.toString().strip()
                    """.replace("NUMBERS", numbers);
            // a real kernel gives cells no native access at all: the first layer
            ExecuteReply reply = kernel.execute(cell, "cell", o -> { });
            assertEquals(ExecuteReply.Status.ERROR, reply.status(), reply.toString());
            assertTrue(reply.error().orElseThrow().message().contains("Illegal native access"), reply.toString());

            // the second layer, with the first taken away: the runtime, started as a kernel is but with native access
            // for cells too, installs its filter before any cell runs
            String results = runWithNativeAccess(settings, cell);
            Map<String, String> got = new TreeMap<>();
            for (String pair : results.replace("\"", "").strip().split(" ")) got.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
            Map<String, String> refused = new TreeMap<>();
            for (String call : CALLS.keySet()) refused.put(call, "-1/1");
            assertEquals(refused, got, "each call is refused with EPERM (result -1, errno 1)");
        }
    }

    /** Runs {@code cell} in the kernel runtime, started outside the sandbox with native access for cells; its value. */
    private static String runWithNativeAccess(KernelSettings settings, String cell) throws Exception {
        List<String> command = new ArrayList<>(List.of(KernelProcess.javaBinary()));
        for (String option : KernelProcess.jvmOptions(settings, System.getProperty("java.io.tmpdir"))) {
            if (option.equals("--illegal-native-access=deny")) continue;
            command.add(option.startsWith("--enable-native-access=") ? option + ",ALL-UNNAMED" : option);
        }
        command.addAll(KernelProcess.loading(settings.libraries(), Sandbox.none("a test of the seccomp filter alone")));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             var out = new java.io.PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8)) {
            out.println(Wire.encode(Seal.random().handOver()));
            out.println(Wire.encode(new HostMessage.Execute(7, cell, "cell", false)));
            String value = null;
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("{")) continue;
                KernelMessage message = Wire.decode(line, KernelMessage.class);
                if (message instanceof KernelMessage.Emitted e && e.id() == 7 && e.output() instanceof Output.ExecuteResult r) {
                    value = (String) r.data().get("text/plain");
                }
                if (message instanceof KernelMessage.Emitted e && e.id() == 7 && e.output() instanceof Output.Error error) {
                    throw new AssertionError("the cell failed: " + error);
                }
                if (message instanceof KernelMessage.Reply r && r.id() == 7) break;
            }
            if (value == null) throw new AssertionError("the runtime gave no value");
            return value;
        } finally {
            process.destroyForcibly();
        }
    }
}
