package dev.glassbox.web.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.web.App;
import dev.glassbox.web.notebook.KernelRegistry;
import dev.glassbox.notebook.host.ProcessMemory;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A class on one server: N learners on loopback, each with their own session and kernel, each running a
 * trivial cell every few seconds. Two phases, reported apart:
 * <ol>
 * <li>the class arrives: learners open their kernels one after another (what opening a lesson costs;
 *     each open's time is kept);</li>
 * <li>the lesson: every learner runs a cell every {@code period} for {@code duration}, all at once. Every
 *     cell counts, the first of each kernel too (also reported apart), and every failure is listed.</li>
 * </ol>
 * Each cell's round trip is split as the server reports it: waiting for a slot in the cell queue, in the
 * kernel (request to reply), and within that the kernel's own wall-clock and CPU time; the rest is HTTP.
 * Slow cells are grouped by time, by their rank in their kernel, by kernel, and by whether the pool was
 * starting a kernel then. Memory per idle kernel is RSS and PSS (the proportional share of shared pages).
 * Every cell goes to a CSV file ({@code -Dload.csv}, default {@code target/classroom-load-cells.csv}).
 * With {@code -Dready=true} the teacher gets the class's kernels ready first (the dashboard's button) and the class
 * arrives once they are.
 * With {@code -Dhostile=N}, N more students try to take the server from the class all lesson long
 * ({@link HostileStudents}: slot hoarding, output floods with a stalled reader, off-heap memory spikes); the
 * figures are then the ordinary learners', and the server's resident memory is sampled every second.
 * Run: {@code ./mvnw -q -pl web -am -Pload verify} (-Dlearners=40 -Dminutes=3 -Dhostile=3; see BENCHMARKS.md).
 */
public final class ClassroomLoad {
    /** A cell slower than this is "slow" in the breakdown. */
    private static final double SLOW_MILLIS = 500;

    /** One cell as the learner saw it and as the server accounts for it; times in ms, {@code at} from the lesson's start. */
    public record Cell(int learner, int n, double at, double roundTrip, boolean ok, double queued, double kernel,
                       double eval, double cpu, int poolStarting, double load) {
        double http() {
            return roundTrip - queued - kernel;
        }
    }

    /** What one run measured. */
    public record Result(int learners, int cells, List<String> failures, double[] roundTripMillis,
                         double startupSeconds, double[] openMillis, long[] idleKernelRssBytes, long[] idleKernelPssBytes,
                         List<Cell> all, double kernelCpuSeconds, double throttledSeconds,
                         Map<String, Long> hostile, long serverRssBefore, long serverRssMax, long serverHeapMax) {
        public double percentile(double p) {
            return ClassroomLoad.percentile(roundTripMillis, p);
        }
    }

    public static void main(String[] args) throws Exception {
        int learners = Integer.getInteger("learners", 40);
        int hostile = Integer.getInteger("hostile", 0);
        double minutes = Double.parseDouble(System.getProperty("minutes", "3"));
        Path csv = Path.of(System.getProperty("load.csv", "target/classroom-load-cells.csv"));
        Path data = Files.createTempDirectory("glassbox-load");
        KernelSettings kernels = KernelSettings.defaults(data.resolve("scratch")).withPoolSize(2);
        System.out.println("load average before: " + loadAverage());
        try (App app = App.start(classroom(new App.Settings("127.0.0.1", 0, data, null, kernels)))) {
            Result r = run(app, learners, hostile, Duration.ofMillis((long) (minutes * 60_000)), Duration.ofSeconds(5));
            report(r);
            writeCsv(r, csv);
            System.out.println("cells written to " + csv.toAbsolutePath());
        }
        System.out.println("load average after: " + loadAverage());
    }

    /** Classroom mode for these settings: a class is many learners on one server. */
    public static App.Settings classroom(App.Settings settings) {
        return settings.withClassroom(dev.glassbox.web.classroom.Passphrase.of("a load run passphrase"));
    }

    /** Runs the class against a started classroom-mode app: the students join one class, one after another. */
    public static Result run(App app, int learners, Duration duration, Duration period) throws Exception {
        return run(app, learners, 0, duration, period);
    }

    /** As above, with {@code hostile} more students who attack the server all lesson long. */
    public static Result run(App app, int learners, int hostile, Duration duration, Duration period) throws Exception {
        String code = ApiClient.openClass(app, learners + hostile);
        String base = "http://localhost:" + app.port();
        var pool = app.deps().kernels().pool();
        long deadline = System.nanoTime() + 180_000_000_000L;   // the class arrives at a warm server
        while (pool.warmCount() < pool.settings().poolSize() && System.nanoTime() < deadline) Thread.sleep(100);
        if (Boolean.getBoolean("ready")) {                      // the teacher got the kernels ready before the class came
            long asked = System.nanoTime();
            var readiness = app.deps().classroom().getKernelsReady(code);
            deadline = asked + 900_000_000_000L;
            while ((readiness = pool.readiness()).warm() < readiness.target() && readiness.starting() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            System.out.printf("kernels ready before the class: %d of %d in %.1f s%n", readiness.warm(), readiness.target(),
                    (System.nanoTime() - asked) / 1e9);
        }

        List<ApiClient> clients = new ArrayList<>();
        List<String> kernelIds = new ArrayList<>();
        double[] openMillis = new double[learners];
        long startupBegin = System.nanoTime();
        for (int i = 0; i < learners; i++) {                      // learners arrive one after another
            long t = System.nanoTime();
            ApiClient client = ApiClient.student(app, code, "Learner " + (i + 1));
            kernelIds.add(client.openKernel());
            clients.add(client);
            openMillis[i] = (System.nanoTime() - t) / 1e6;
        }
        double startupSeconds = (System.nanoTime() - startupBegin) / 1e9;
        HostileStudents attackers = hostile > 0 ? HostileStudents.join(app, code, hostile) : null;

        ConcurrentLinkedQueue<Cell> cells = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        long begin = System.nanoTime();
        long end = begin + duration.toNanos();
        // the server's own memory (this JVM: the server, and the load's clients), every second
        java.lang.management.MemoryMXBean heap = java.lang.management.ManagementFactory.getMemoryMXBean();
        long self = ProcessHandle.current().pid();
        long rssBefore = ProcessMemory.residentBytes(self).orElse(-1);
        java.util.concurrent.atomic.AtomicLong rssMax = new java.util.concurrent.atomic.AtomicLong(rssBefore);
        java.util.concurrent.atomic.AtomicLong heapMax = new java.util.concurrent.atomic.AtomicLong(heap.getHeapMemoryUsage().getUsed());
        Thread sampler = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                rssMax.accumulateAndGet(ProcessMemory.residentBytes(self).orElse(-1), Math::max);
                heapMax.accumulateAndGet(heap.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        if (attackers != null) attackers.attackUntil(end);
        double cpuBefore = kernelCpuSeconds(app);
        double throttledBefore = throttledSeconds();
        CountDownLatch done = new CountDownLatch(learners);
        for (int i = 0; i < learners; i++) {
            ApiClient client = clients.get(i);
            String kernel = kernelIds.get(i);
            long offset = period.toMillis() * i / learners;      // spread the cells over each period
            int learner = i;
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(offset);
                    for (int n = 0; System.nanoTime() < end; n++) {
                        long started = System.nanoTime();
                        int starting = pool.startingCount();
                        double at = (started - begin) / 1e6;
                        try {
                            JsonNode reply = client.execute(kernel, n + " + 1");
                            double millis = (System.nanoTime() - started) / 1e6;
                            String value = reply.path("outputs").path(0).path("data").path("text/plain").asText();
                            boolean ok = reply.path("status").asText().equals("ok") && value.equals(Integer.toString(n + 1));
                            JsonNode t = reply.path("timing");
                            cells.add(new Cell(learner, n, at, millis, ok, t.path("queuedMillis").asDouble(), t.path("kernelMillis").asDouble(),
                                    t.path("evalMillis").asDouble(), t.path("cpuMillis").asDouble(),
                                    Math.max(starting, pool.startingCount()), loadAverage1()));
                            if (!ok) failures.add("learner " + learner + " cell " + n + " at " + Math.round(at) + " ms: " + reply);
                        } catch (Exception e) {
                            cells.add(new Cell(learner, n, at, (System.nanoTime() - started) / 1e6, false, 0, 0, 0, 0, starting, loadAverage1()));
                            failures.add("learner " + learner + " cell " + n + " at " + Math.round(at) + " ms: " + e);
                        }
                        long next = started + period.toNanos();
                        long wait = (next - System.nanoTime()) / 1_000_000;
                        if (wait > 0) Thread.sleep(wait);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        Map<String, Long> attacks = attackers == null ? Map.of() : attackers.finish();
        sampler.interrupt();
        double kernelCpu = kernelCpuSeconds(app) - cpuBefore;
        double throttled = throttledSeconds() - throttledBefore;
        Thread.sleep(5000);                                      // all idle now; let the last compilations finish
        var pids = app.deps().kernels().all().stream().map(KernelRegistry.KernelInfo::pid).filter(p -> p > 0).toList();
        long[] rss = ProcessMemory.ofTrees(pids).values().stream().mapToLong(Long::longValue).filter(b -> b > 0).toArray();
        long[] pss = pids.stream().mapToLong(ClassroomLoad::treePss).filter(b -> b > 0).toArray();
        List<Cell> all = cells.stream().sorted(Comparator.comparingDouble(Cell::at)).toList();
        double[] times = all.stream().filter(Cell::ok).mapToDouble(Cell::roundTrip).toArray();
        return new Result(learners, all.size(), List.copyOf(failures), times, startupSeconds, openMillis, rss, pss,
                all, kernelCpu, throttled, attacks, rssBefore, rssMax.get(), heapMax.get());
    }

    static void report(Result r) {
        System.out.printf("learners %d, cells %d, failed %d%n", r.learners(), r.cells(), r.failures().size());
        System.out.printf("class arrives: all kernels opened in %.1f s; one open: median %.0f ms, p95 %.0f, max %.0f ms%n",
                r.startupSeconds(), percentile(r.openMillis(), 50), percentile(r.openMillis(), 95), percentile(r.openMillis(), 100));
        System.out.printf("round trip ms, every cell:          p50 %.1f  p95 %.1f  p99 %.1f  max %.1f%n",
                r.percentile(50), r.percentile(95), r.percentile(99), r.percentile(100));
        double[] firsts = r.all().stream().filter(c -> c.ok() && c.n() == 0).mapToDouble(Cell::roundTrip).toArray();
        double[] later = r.all().stream().filter(c -> c.ok() && c.n() > 0).mapToDouble(Cell::roundTrip).toArray();
        System.out.printf("round trip ms, first cell of each:  p50 %.1f  p95 %.1f  max %.1f%n",
                percentile(firsts, 50), percentile(firsts, 95), percentile(firsts, 100));
        System.out.printf("round trip ms, the other cells:     p50 %.1f  p95 %.1f  p99 %.1f  max %.1f%n",
                percentile(later, 50), percentile(later, 95), percentile(later, 99), percentile(later, 100));
        List<Cell> ok = r.all().stream().filter(Cell::ok).toList();
        System.out.printf("parts of a cell, p50 / p95 ms: queue %.1f / %.1f, kernel %.1f / %.1f (kernel's eval %.1f / %.1f, its CPU %.1f / %.1f), http %.1f / %.1f%n",
                pct(ok, Cell::queued, 50), pct(ok, Cell::queued, 95), pct(ok, Cell::kernel, 50), pct(ok, Cell::kernel, 95),
                pct(ok, Cell::eval, 50), pct(ok, Cell::eval, 95), pct(ok, Cell::cpu, 50), pct(ok, Cell::cpu, 95),
                pct(ok, Cell::http, 50), pct(ok, Cell::http, 95));
        System.out.printf("kernels' CPU during the lesson: %.1f s (%.2f cores), cgroup CPU throttling %.1f s%n",
                r.kernelCpuSeconds(), r.kernelCpuSeconds() / Math.max(1, r.all().isEmpty() ? 1 : r.all().getLast().at() / 1000),
                r.throttledSeconds());
        System.out.printf("server JVM (with the load's clients): RSS %.0f MB before the lesson, at most %.0f MB during it; heap used at most %.0f MB%n",
                r.serverRssBefore() / 1e6, r.serverRssMax() / 1e6, r.serverHeapMax() / 1e6);
        if (!r.hostile().isEmpty()) {
            System.out.println("hostile students' attacks, by answer:");
            r.hostile().forEach((k, v) -> System.out.println("  " + k + ": " + v));
        }
        summarizeMemory("RSS", r.idleKernelRssBytes());
        summarizeMemory("PSS", r.idleKernelPssBytes());

        List<Cell> slow = r.all().stream().filter(c -> !c.ok() || c.roundTrip() > SLOW_MILLIS).toList();
        System.out.printf("slow cells (> %.0f ms or failed): %d of %d%n", SLOW_MILLIS, slow.size(), r.cells());
        if (!slow.isEmpty()) {
            Map<Long, long[]> byTime = new TreeMap<>();
            for (Cell c : r.all()) {
                long[] counts = byTime.computeIfAbsent((long) (c.at() / 15_000), k -> new long[2]);
                counts[0]++;
                if (!c.ok() || c.roundTrip() > SLOW_MILLIS) counts[1]++;
            }
            StringBuilder line = new StringBuilder("  by time (15 s buckets, slow/all):");
            byTime.forEach((k, v) -> line.append(" ").append(k * 15).append("s:").append(v[1]).append("/").append(v[0]));
            System.out.println(line);
            Map<String, long[]> byRank = new TreeMap<>();
            for (Cell c : r.all()) {
                String rank = c.n() == 0 ? "0" : c.n() < 5 ? "1-4" : c.n() < 10 ? "5-9" : c.n() < 20 ? "10-19" : "20+";
                long[] counts = byRank.computeIfAbsent(rank, k -> new long[2]);
                counts[0]++;
                if (!c.ok() || c.roundTrip() > SLOW_MILLIS) counts[1]++;
            }
            System.out.println("  by cell rank in its kernel (slow/all): " + format(byRank));
            Map<Integer, Long> byLearner = new TreeMap<>();
            slow.forEach(c -> byLearner.merge(c.learner(), 1L, Long::sum));
            System.out.println("  by learner (slow count): " + byLearner);
            long duringStart = slow.stream().filter(c -> c.poolStarting() > 0).count();
            long allDuringStart = r.all().stream().filter(c -> c.poolStarting() > 0).count();
            System.out.printf("  while the pool started a kernel: %d slow of %d cells%n", duringStart, allDuringStart);
            System.out.println("  slowest, ms (at, learner, rank: round trip = queue + kernel [eval, cpu] + http; load):");
            slow.stream().sorted(Comparator.comparingDouble(Cell::roundTrip).reversed()).limit(15).forEach(c ->
                    System.out.printf("    %7.0f  L%-2d #%-2d %6.0f = %6.0f + %6.0f [%6.0f, %6.0f] + %5.0f; %.1f%s%n", c.at(), c.learner(), c.n(),
                            c.roundTrip(), c.queued(), c.kernel(), c.eval(), c.cpu(), c.http(), c.load(), c.ok() ? "" : " FAILED"));
        }
        r.failures().stream().limit(10).forEach(f -> System.out.println("FAILED: " + f));
    }

    private static String format(Map<String, long[]> counts) {
        StringBuilder s = new StringBuilder();
        counts.forEach((k, v) -> s.append(k).append(": ").append(v[1]).append("/").append(v[0]).append("  "));
        return s.toString().trim();
    }

    private static void summarizeMemory(String what, long[] bytes) {
        if (bytes.length == 0) {
            System.out.println("idle kernel " + what + ": unknown");
            return;
        }
        long[] sorted = bytes.clone();
        Arrays.sort(sorted);
        System.out.printf("idle kernel %s MB: median %.0f  min %.0f  max %.0f  (n=%d)%n", what,
                sorted[sorted.length / 2] / 1e6, sorted[0] / 1e6, sorted[sorted.length - 1] / 1e6, sorted.length);
    }

    private static void writeCsv(Result r, Path csv) throws IOException {
        if (csv.getParent() != null) Files.createDirectories(csv.getParent());
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(csv))) {
            out.println("at_ms,learner,n,ok,round_trip_ms,queued_ms,kernel_ms,eval_ms,cpu_ms,http_ms,pool_starting,load1");
            for (Cell c : r.all()) {
                out.printf(java.util.Locale.ROOT, "%.0f,%d,%d,%b,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%d,%.2f%n", c.at(), c.learner(), c.n(), c.ok(),
                        c.roundTrip(), c.queued(), c.kernel(), c.eval(), c.cpu(), c.http(), c.poolStarting(), c.load());
            }
        }
    }

    private static double pct(List<Cell> cells, java.util.function.ToDoubleFunction<Cell> part, double p) {
        return percentile(cells.stream().mapToDouble(part).toArray(), p);
    }

    static double percentile(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, Math.round(p / 100 * (sorted.length - 1)))];
    }

    /** CPU time used so far by all open kernels' process trees, in seconds. */
    private static double kernelCpuSeconds(App app) {
        long nanos = 0;
        for (var k : app.deps().kernels().all()) {
            if (k.pid() <= 0) continue;
            nanos += ProcessHandle.of(k.pid()).stream().flatMap(p -> Stream.concat(Stream.of(p), p.descendants()))
                    .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum();
        }
        return nanos / 1e9;
    }

    /** Time this server's kernels' cgroups were held back by their CPU quota so far (cgroup v1 or v2), in seconds. */
    private static double throttledSeconds() {
        String prefix = "kernel-" + ProcessHandle.current().pid() + "-";
        double seconds = 0;
        for (Path parent : List.of(Path.of("/sys/fs/cgroup/cpu/glassbox"), Path.of("/sys/fs/cgroup/cpu,cpuacct/glassbox"), Path.of("/sys/fs/cgroup/glassbox"))) {
            if (!Files.isDirectory(parent)) continue;
            try (Stream<Path> groups = Files.list(parent)) {
                for (Path g : groups.filter(g -> g.getFileName().toString().startsWith(prefix)).toList()) {
                    for (String line : Files.readAllLines(g.resolve("cpu.stat"))) {
                        String[] f = line.split(" ");
                        if (f[0].equals("throttled_time")) seconds += Long.parseLong(f[1]) / 1e9;   // v1: ns
                        if (f[0].equals("throttled_usec")) seconds += Long.parseLong(f[1]) / 1e6;   // v2: µs
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // a group went away meanwhile
            }
            break;
        }
        return seconds;
    }

    /** Proportional set size of a process tree in bytes (Pss in /proc/PID/smaps_rollup), or -1. */
    static long treePss(long root) {
        return ProcessHandle.of(root).stream().flatMap(p -> Stream.concat(Stream.of(p), p.descendants()))
                .mapToLong(p -> {
                    try {
                        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "smaps_rollup"))) {
                            if (line.startsWith("Pss:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                        }
                    } catch (IOException | RuntimeException ignored) {
                        // gone
                    }
                    return 0;
                }).reduce(0, Long::sum);
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double loadAverage1() {
        try {
            return Double.parseDouble(loadAverage().split(" ")[0]);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private ClassroomLoad() {}
}
