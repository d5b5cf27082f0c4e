package dev.glassbox.notebook.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Resident memory (VmRSS in {@code /proc/PID/status}) of process trees. A kernel's pid may be its
 * sandbox's (bubblewrap) rather than the JVM's, so a kernel's memory is that of its whole tree. One
 * walk over the process table serves every kernel, so a dashboard of eighty kernels costs one scan.
 * Where there is no {@code /proc} (not Linux) nothing is known and the maps are empty.
 */
public final class ProcessMemory {
    private static final Path PROC = Path.of("/proc");

    private ProcessMemory() {}

    /** Bytes resident in each root's tree (the root and all its descendants); roots that are gone are left out. */
    public static Map<Long, Long> ofTrees(Collection<Long> roots) {
        Map<Long, Long> result = new HashMap<>();
        if (roots.isEmpty() || !Files.isDirectory(PROC)) return result;
        Map<Long, List<Long>> children = new HashMap<>();
        ProcessHandle.allProcesses().forEach(p -> p.parent().ifPresent(parent ->
                children.computeIfAbsent(parent.pid(), k -> new ArrayList<>()).add(p.pid())));
        for (long root : roots) {
            long total = 0;
            boolean known = false;
            Deque<Long> todo = new ArrayDeque<>(List.of(root));
            while (!todo.isEmpty()) {
                long pid = todo.pop();
                OptionalLong rss = residentBytes(pid);
                if (rss.isPresent()) {
                    total += rss.getAsLong();
                    known = true;
                }
                todo.addAll(children.getOrDefault(pid, List.of()));
            }
            if (known) result.put(root, total);
        }
        return result;
    }

    /** Bytes resident in one process, from the VmRSS line of /proc/PID/status ("VmRSS:   123456 kB"). */
    public static OptionalLong residentBytes(long pid) {
        return field(PROC.resolve(Long.toString(pid)).resolve("status"), "VmRSS:");   // absent for a zombie: no memory of its own
    }

    /** Memory the machine can still give out without swapping (MemAvailable in /proc/meminfo; MemFree leaves out the page cache). */
    public static OptionalLong availableBytes() {
        return field(PROC.resolve("meminfo"), "MemAvailable:");
    }

    /** The machine's memory (MemTotal in /proc/meminfo). */
    public static OptionalLong totalBytes() {
        return field(PROC.resolve("meminfo"), "MemTotal:");
    }

    private static OptionalLong field(Path file, String name) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (!line.startsWith(name)) continue;
                String[] parts = line.substring(name.length()).trim().split("\\s+");
                long value = Long.parseLong(parts[0]);
                return OptionalLong.of(parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? value * 1024 : value);
            }
            return OptionalLong.empty();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();          // gone since the scan, not ours to read, or not Linux
        }
    }
}
