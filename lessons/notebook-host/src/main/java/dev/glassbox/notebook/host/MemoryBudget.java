package dev.glassbox.notebook.host;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The memory all the kernels of one pool may use together, and what they use now. Each kernel has a memory limit of
 * its own ({@link Sandbox.Limits#memoryBytes()}); forty of them together could still take more than the machine has.
 * Where cgroups are writable the budget is the memory limit of the group that holds every kernel (off-heap memory
 * counts: FFM arenas, direct buffers, thread stacks, the JIT's), so the kernels cannot take the server's memory even
 * when they all grow at once; a new kernel is let in only while the budget still holds one more kernel's limit.
 *
 * @param limitBytes  what all kernels together may use
 * @param usedBytes   what they use now (warm kernels included): the working set of their group, or the sum of their
 *                    resident memory without cgroups; -1 when unknown
 * @param kernelBytes one kernel's own memory limit: the room a new kernel needs
 * @param source      where the limit comes from, in words ("--kernel-memory", "this machine: ...")
 * @param enforced    true when the operating system holds the kernels to the limit (a cgroup); false when it only
 *                    decides whether a new kernel may start
 */
public record MemoryBudget(long limitBytes, long usedBytes, long kernelBytes, String source, boolean enforced) {
    /** Share of the machine's memory the kernels may take together at most. */
    static final double MACHINE_SHARE = 0.75;
    /** Memory the server keeps for itself beyond the heap it may still grow into: its own native memory, the page cache of its files. */
    static final long SERVER_NATIVE_BYTES = 512L << 20;

    public MemoryBudget {
        if (limitBytes <= 0) throw new IllegalArgumentException("a memory budget must be positive, got " + limitBytes + " bytes");
    }

    /** True when the kernels' memory now plus one more kernel's limit fits the budget (or the memory in use is unknown). */
    public boolean roomForAnotherKernel() {
        return usedBytes < 0 || usedBytes + kernelBytes <= limitBytes;
    }

    /** Bytes to free before another kernel fits (0 when it fits). */
    public long shortBytes() {
        return usedBytes < 0 ? 0 : Math.max(0, usedBytes + kernelBytes - limitBytes);
    }

    /**
     * The budget this machine affords: {@link #MACHINE_SHARE} of its memory, but no more than what is available now
     * less what the server itself may still need (the heap it may grow into, and some native memory); at least one
     * kernel's limit, so that one kernel can always run.
     *
     * @param totalBytes     the machine's memory (MemTotal)
     * @param availableBytes what it can still give out now (MemAvailable)
     * @param serverBytes    what the server may still take for itself
     * @param kernelBytes    one kernel's memory limit
     */
    static long fromMachine(long totalBytes, long availableBytes, long serverBytes, long kernelBytes) {
        long share = (long) (totalBytes * MACHINE_SHARE);
        return Math.max(kernelBytes, Math.min(share, availableBytes - serverBytes));
    }

    /** The budget for {@code settings} (its {@link KernelSettings#memoryBudget()}, else this machine's) and where it comes from. */
    static MemoryBudget chosen(KernelSettings settings, long kernelBytes) {
        if (settings.memoryBudget() >= kernelBytes) {
            return new MemoryBudget(settings.memoryBudget(), -1, kernelBytes, "set (--kernel-memory)", false);
        }
        if (settings.memoryBudget() > 0) {
            return new MemoryBudget(kernelBytes, -1, kernelBytes, "set to " + gigabytes(settings.memoryBudget())
                    + " (--kernel-memory), raised to one kernel's limit", false);
        }
        long total = ProcessMemory.totalBytes().orElse(-1);
        long available = ProcessMemory.availableBytes().orElse(-1);
        if (total <= 0 || available <= 0) {
            return new MemoryBudget(Math.max(kernelBytes, 8L << 30), -1, kernelBytes, "a default of 8 GB (this machine's memory is unknown)", false);
        }
        Runtime server = Runtime.getRuntime();
        long serverBytes = server.maxMemory() - server.totalMemory() + SERVER_NATIVE_BYTES;
        long limit = fromMachine(total, available, serverBytes, kernelBytes);
        return new MemoryBudget(limit, -1, kernelBytes, "this machine: " + Math.round(MACHINE_SHARE * 100) + "% of " + gigabytes(total)
                + ", at most the " + gigabytes(available) + " available at start less " + gigabytes(serverBytes) + " for the server", false);
    }

    MemoryBudget with(long used, boolean enforced) {
        return new MemoryBudget(limitBytes, used, kernelBytes, source, enforced);
    }

    /** "5.2 of 18.0 GB", for messages. */
    public String usage() {
        return (usedBytes < 0 ? "?" : String.format(java.util.Locale.ROOT, "%.1f", usedBytes / (double) (1L << 30)))
                + " of " + gigabytes(limitBytes);
    }

    /** The budget as /api/health and the teacher's dashboard show it. */
    public Map<String, Object> describe() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("limitBytes", limitBytes);
        map.put("usedBytes", usedBytes);
        map.put("kernelBytes", kernelBytes);
        map.put("enforced", enforced ? "cgroup" : "admission only");
        map.put("source", source);
        return map;
    }

    static String gigabytes(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30));
    }
}
