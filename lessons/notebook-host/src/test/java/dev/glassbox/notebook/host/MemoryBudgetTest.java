package dev.glassbox.notebook.host;

import dev.glassbox.notebook.host.ExecuteReply.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The memory budget of all kernels together, with real sandboxed kernels in a real cgroup: memory a cell takes off
 * the heap (an FFM arena, past -Xmx and -XX:MaxDirectMemorySize) counts, the budget then has no room for another
 * kernel, and kernels that together reach it are stopped by the system, the largest first, with a clear message.
 */
class MemoryBudgetTest {
    /** Takes {@code MB} megabytes through an FFM arena, touching every page (memory not touched is not taken). */
    static String offHeap(String name, int megabytes) {
        return "var " + name + "Arena = java.lang.foreign.Arena.ofShared();\n"
                + "var " + name + " = " + name + "Arena.allocate(" + megabytes + "L << 20);\n"
                + "for (long o = 0; o < " + name + ".byteSize(); o += 4096) " + name + ".set(java.lang.foreign.ValueLayout.JAVA_BYTE, o, (byte) 1);\n";
    }

    @TempDir
    Path scratch;

    static Sandbox sandboxWithCgroups() {
        Sandbox sandbox = Sandbox.detect();
        assumeTrue(sandbox.available() && sandbox.resourceLimits(), "needs bubblewrap and writable cgroups: " + sandbox.describe());
        return sandbox;
    }

    @Test
    void theMachinesBudgetLeavesTheServerItsMemoryAndHoldsOneKernel() {
        long gb = 1L << 30;
        // 24 GB, 22 available, the server may still take 6.5: 15.5 GB, under 75% of the machine (18)
        assertEquals(31 * gb / 2, MemoryBudget.fromMachine(24 * gb, 22 * gb, 13 * gb / 2, 3 * gb / 2));
        // plenty available, a small server: 75% of the machine
        assertEquals(12 * gb, MemoryBudget.fromMachine(16 * gb, 16 * gb, gb, 3 * gb / 2));
        // a small machine: one kernel's limit at least, whatever is left
        assertEquals(3 * gb / 2, MemoryBudget.fromMachine(4 * gb, 3 * gb, 2 * gb, 3 * gb / 2));
        MemoryBudget budget = new MemoryBudget(4 * gb, 2 * gb, 3 * gb / 2, "test", true);
        assertTrue(budget.roomForAnotherKernel());
        assertFalse(budget.with(3 * gb, true).roomForAnotherKernel());
        assertEquals(gb / 2, budget.with(3 * gb, true).shortBytes());
        assertEquals("3.0 of 4.0 GB", budget.with(3 * gb, true).usage());
    }

    @Test
    void offHeapMemoryCountsAndLeavesNoRoomForAnotherKernel() throws Exception {
        Sandbox sandbox = sandboxWithCgroups();
        long cap = sandbox.perKernel().memoryBytes();
        KernelSettings settings = KernelSettings.defaults(scratch).withTimeLimit(Duration.ofSeconds(60)).withPoolSize(0)
                .withMemoryBudget(cap + (640L << 20));
        try (KernelPool pool = new KernelPool(settings, sandbox); Kernel kernel = pool.open()) {
            assertEquals(Status.OK, kernel.execute("1 + 1", "cell", o -> { }).status());
            MemoryBudget before = pool.memoryBudget();
            assertTrue(before.enforced(), "a cgroup holds the kernels to the budget: " + before);
            assertEquals(cap + (640L << 20), before.limitBytes());
            assertTrue(before.roomForAnotherKernel(), "one small kernel leaves room for another: " + before);

            ExecuteReply took = kernel.execute(offHeap("big", 600), "cell", o -> { });
            assertEquals(Status.OK, took.status(), took.toString());
            MemoryBudget after = pool.memoryBudget();
            long grown = after.usedBytes() - before.usedBytes();
            assertTrue(grown > 550L << 20, "600 MB in an FFM arena count against the budget: grew by " + (grown >> 20) + " MB");
            assertFalse(after.roomForAnotherKernel(), "no room for one more kernel's " + (cap >> 20) + " MB: " + after);

            assertEquals(Status.OK, kernel.execute("bigArena.close();", "cell", o -> { }).status());
            MemoryBudget freed = pool.memoryBudget();
            assertTrue(freed.roomForAnotherKernel(), "closing the arena gives the memory back: " + freed);
        }
    }

    @Test
    void kernelsThatTogetherReachTheBudgetAreStoppedTheLargestFirst() throws Exception {
        Sandbox sandbox = sandboxWithCgroups();
        long cap = sandbox.perKernel().memoryBytes();
        // 1.75 GB for two kernels of 1.5 GB each: each stays under its own limit, together they do not fit
        KernelSettings settings = KernelSettings.defaults(scratch).withTimeLimit(Duration.ofSeconds(60)).withPoolSize(0)
                .withMemoryBudget(cap + (256L << 20));
        try (KernelPool pool = new KernelPool(settings, sandbox); Kernel small = pool.open(); Kernel large = pool.open()) {
            assertEquals(Status.OK, small.execute(offHeap("kept", 600) + "int mark = 42;", "cell", o -> { }).status());
            ExecuteReply reply = large.execute(offHeap("huge", 1200), "cell", o -> { });
            assertEquals(Status.RESTARTED, reply.status(), reply.toString());
            String message = reply.error().orElseThrow().message();
            assertTrue(message.contains("memory they may share"), "the learner hears it was the class's budget: " + message);
            ExecuteReply mark = small.execute("mark", "cell", o -> { });
            assertEquals(Status.OK, mark.status(), "the smaller kernel keeps running, variables and all: " + mark);
            assertTrue(pool.memoryBudget().usedBytes() <= pool.memoryBudget().limitBytes());
            assertEquals(Status.OK, large.execute("1 + 1", "cell", o -> { }).status(), "the stopped kernel has a new JVM");
        }
    }
}
