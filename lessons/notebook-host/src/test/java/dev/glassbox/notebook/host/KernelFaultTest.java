package dev.glassbox.notebook.host;

import dev.glassbox.notebook.host.ExecuteReply.Status;
import dev.glassbox.notebook.protocol.Output;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kernel JVMs killed at random (SIGKILL, as the OOM killer or an admin would) while learners run cells:
 * each learner whose kernel died gets a clear message and a fresh kernel, and no other learner's cell fails.
 */
class KernelFaultTest {
    private static final int LEARNERS = 3;

    @TempDir
    Path scratch;

    @Test
    void killedKernelsAreReplacedAndOnlyTheirLearnersNotice() throws Exception {
        KernelSettings settings = KernelSettings.defaults(scratch).withTimeLimit(Duration.ofSeconds(30)).withPoolSize(2);
        try (KernelPool pool = new KernelPool(settings, Sandbox.detect())) {
            List<Kernel> kernels = new ArrayList<>();
            for (int i = 0; i < LEARNERS; i++) kernels.add(pool.open());
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<String> restartNotices = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> learners = new ArrayList<>();
            for (int i = 0; i < LEARNERS; i++) {
                Kernel kernel = kernels.get(i);
                int learner = i;
                learners.add(Thread.ofPlatform().start(() -> {
                    for (int n = 0; !stop.get(); n++) {
                        ExecuteReply reply = kernel.execute("int v" + n + " = " + n + " * 2;\nv" + n, "cell", o -> { });
                        boolean told = reply.error().map(e -> e.message().toLowerCase(java.util.Locale.ROOT).contains("variables from earlier cells are gone")).orElse(false);
                        if (reply.restarted() && told) restartNotices.add("learner " + learner);
                        if (reply.status() == Status.OK) {
                            String value = reply.outputs().stream().filter(Output.ExecuteResult.class::isInstance)
                                    .map(o -> (String) ((Output.ExecuteResult) o).data().get("text/plain")).findFirst().orElse("");
                            if (!value.equals(Integer.toString(n * 2))) problems.add("learner " + learner + ": v" + n + " = " + value);
                        } else if (reply.status() != Status.RESTARTED || !told) {
                            problems.add("learner " + learner + ": " + reply.status() + " " + reply.outputs());
                        }
                    }
                }));
            }
            Random random = new Random(42);
            List<Integer> victims = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                Thread.sleep(1500);
                int victim = random.nextInt(LEARNERS);
                victims.add(victim);
                ProcessHandle.of(kernels.get(victim).pid()).ifPresent(p -> {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                });
            }
            Thread.sleep(2000);
            stop.set(true);
            for (Thread t : learners) t.join(30_000);

            assertTrue(problems.isEmpty(), "cells failed other than by the kills: " + problems);
            assertTrue(restartNotices.size() >= 1, "the learners whose kernels died were told: " + restartNotices);
            assertTrue(restartNotices.size() <= victims.size(), "only killed kernels restart: " + restartNotices + " victims " + victims);
            for (Kernel kernel : kernels) {
                ExecuteReply after = kernel.execute("40 + 2", "after", o -> { });
                // a kill that landed just before stop() may surface only now, as one restart with its message
                if (after.status() == Status.RESTARTED && after.restarted()) after = kernel.execute("40 + 2", "after", o -> { });
                assertEquals(Status.OK, after.status(), "every learner has a working kernel afterwards: " + after);
                kernel.close();
            }
        }
    }

    /**
     * Bubblewrap's --die-with-parent fires when the thread that started the kernel ends, not the server: a kernel
     * started on a request thread was killed, idle, once the web server retired that thread. Kernels are now
     * started from one long-lived thread.
     */
    @Test
    void aKernelOutlivesTheThreadThatAskedForIt() throws Exception {
        KernelSettings settings = KernelSettings.defaults(scratch).withPoolSize(0);   // no pool: the kernel starts on demand
        try (KernelPool pool = new KernelPool(settings, Sandbox.detect())) {
            Kernel[] opened = new Kernel[1];
            Thread requestThread = Thread.ofPlatform().start(() -> {
                try {
                    opened[0] = pool.open();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            requestThread.join();
            Thread.sleep(1500);
            ExecuteReply reply = opened[0].execute("6 * 7", "after", o -> { });
            assertEquals(Status.OK, reply.status(), "the kernel is still there: " + reply);
            assertTrue(!reply.restarted(), "and was not replaced: " + reply);
            opened[0].close();
        }
    }

    /** A kernel that dies while idle: the learner's next cell says what happened, as far as the server can tell. */
    @Test
    void aKernelKilledWhileIdleIsReportedWithItsCause() throws Exception {
        KernelSettings settings = KernelSettings.defaults(scratch).withPoolSize(1);
        try (KernelPool pool = new KernelPool(settings, Sandbox.detect())) {
            Kernel kernel = pool.open();
            assertEquals(Status.OK, kernel.execute("int kept = 1;", "before", o -> { }).status());
            ProcessHandle.of(kernel.pid()).ifPresent(p -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            });
            Thread.sleep(500);
            ExecuteReply reply = kernel.execute("40 + 2", "after", o -> { });
            assertEquals(Status.OK, reply.status(), "the cell ran in a new kernel: " + reply);
            assertTrue(reply.restarted(), "and says the kernel was replaced: " + reply);
            String notice = reply.error().map(Output.Error::message).orElse("");
            assertTrue(notice.contains("killed by signal 9"), "the notice names the cause: " + notice);
            kernel.close();
        }
    }

    @Test
    void causesOfDeathInWords() {
        Cgroup.Events none = Cgroup.Events.NONE;
        assertTrue(KernelProcess.cause(137, List.of(), new Cgroup.Events(1, 0, 3, 1L << 30)).contains("memory"));
        assertTrue(KernelProcess.cause(1, List.of("java.lang.OutOfMemoryError: Java heap space"), none).contains("out of memory"));
        assertTrue(KernelProcess.cause(134, List.of("# A fatal error has been detected by the Java Runtime Environment:"), none).contains("crashed"));
        assertTrue(KernelProcess.cause(3, List.of(), none).contains("threads"));
        assertEquals("it was killed by signal 9 (SIGKILL)", KernelProcess.cause(137, List.of(), none));
        assertEquals(null, KernelProcess.cause(42, List.of(), none));
    }

    /**
     * A learner whose kernel the server had to replace (here: the cell ends the JVM) runs the next cells at the
     * lowest CPU weight for a while and gets a cold JVM rather than a warm one from the pool; another learner's
     * cells keep a running cell's weight.
     */
    @Test
    void aKernelThatWasReplacedWaitsBehindTheOthers() throws Exception {
        Sandbox sandbox = Sandbox.detect();
        org.junit.jupiter.api.Assumptions.assumeTrue(sandbox.cgroups() != Cgroup.Kind.NONE, "CPU weights need writable cgroups");
        KernelSettings settings = KernelSettings.defaults(scratch).withTimeLimit(Duration.ofSeconds(30)).withPoolSize(1);
        try (KernelPool pool = new KernelPool(settings, sandbox); Kernel abuser = pool.open(); Kernel other = pool.open()) {
            String cell = "System.out.println(\"running\"); Thread.sleep(400);";
            assertEquals(Cgroup.WEIGHT_BUSY, weightWhileRunning(other, cell));
            assertEquals(Cgroup.WEIGHT_BUSY, weightWhileRunning(abuser, cell), "no stop yet");

            assertEquals(Status.RESTARTED, abuser.execute("System.exit(0);", "cell", o -> { }).status());
            assertTrue(abuser.penalized());
            assertEquals(Cgroup.WEIGHT_PENALIZED, weightWhileRunning(abuser, cell), "the learner who made the server start a JVM");
            assertEquals(Cgroup.WEIGHT_BUSY, weightWhileRunning(other, cell), "everyone else");
            assertTrue(pool.warmCount() + pool.startingCount() >= 1, "the warm kernel stayed in the pool for others");

            // a long cell waits for the cores short ones leave
            List<Integer> weights = new ArrayList<>();
            ExecuteReply longCell = other.execute("System.out.println(\"start\"); Thread.sleep(2600); System.out.println(\"late\");",
                    "cell", o -> weights.add(other.process().weight()));
            assertEquals(Status.OK, longCell.status(), longCell.toString());
            assertEquals(List.of(Cgroup.WEIGHT_BUSY, Cgroup.WEIGHT_LONG), weights.subList(0, 2), "weights as the cell printed");
        }
    }

    /** The CPU weight of the kernel's JVM as the cell prints its first line. */
    private static int weightWhileRunning(Kernel kernel, String cell) {
        java.util.concurrent.atomic.AtomicInteger weight = new java.util.concurrent.atomic.AtomicInteger(-1);
        ExecuteReply reply = kernel.execute(cell, "cell", o -> weight.compareAndSet(-1, kernel.process().weight()));
        assertEquals(Status.OK, reply.status(), reply.toString());
        return weight.get();
    }
}
