package dev.glassbox.web.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.kernel.KernelSettings;
import dev.glassbox.web.App;
import dev.glassbox.web.kernels.KernelRegistry;
import dev.glassbox.web.kernels.ProcessMemory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A class on one server: N learners on loopback, each with their own session and kernel, each running a
 * trivial cell every few seconds. Reports failed cells, the round trip (p50/p95/p99/max) and memory per
 * idle kernel. Kernel start-up (one JVM per learner) is measured apart from the steady state.
 * Run: {@code ./mvnw -q -pl web -am -Pload verify} (-Dlearners=40 -Dminutes=3; see BENCHMARKS.md).
 */
public final class ClassroomLoad {

    /** What one run measured. */
    public record Result(int learners, int cells, List<String> failures, double[] roundTripMillis,
                         double startupSeconds, long[] idleKernelRssBytes) {
        public double percentile(double p) {
            double[] sorted = roundTripMillis.clone();
            Arrays.sort(sorted);
            return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, Math.round(p / 100 * (sorted.length - 1)))];
        }
    }

    public static void main(String[] args) throws Exception {
        int learners = Integer.getInteger("learners", 40);
        double minutes = Double.parseDouble(System.getProperty("minutes", "3"));
        Path data = Files.createTempDirectory("glassbox-load");
        KernelSettings kernels = KernelSettings.defaults(data.resolve("scratch")).withPoolSize(2);
        try (App app = App.start(new App.Settings("127.0.0.1", 0, data, null, kernels))) {
            Result r = run(app, learners, Duration.ofMillis((long) (minutes * 60_000)), Duration.ofSeconds(5));
            long[] rss = r.idleKernelRssBytes().clone();
            Arrays.sort(rss);
            System.out.printf("learners %d, cells %d, failed %d, start-up of all kernels %.1f s%n",
                    r.learners(), r.cells(), r.failures().size(), r.startupSeconds());
            System.out.printf("round trip ms: p50 %.1f  p95 %.1f  p99 %.1f  max %.1f%n",
                    r.percentile(50), r.percentile(95), r.percentile(99), r.percentile(100));
            if (rss.length > 0) {
                System.out.printf("idle kernel RSS MB: median %.0f  min %.0f  max %.0f  (n=%d)%n",
                        rss[rss.length / 2] / 1e6, rss[0] / 1e6, rss[rss.length - 1] / 1e6, rss.length);
            }
            r.failures().stream().limit(10).forEach(f -> System.out.println("FAILED: " + f));
        }
    }

    /** Runs the class against a started app. */
    public static Result run(App app, int learners, Duration duration, Duration period) throws Exception {
        String base = "http://localhost:" + app.port();
        List<ApiClient> clients = new ArrayList<>();
        List<String> kernelIds = new ArrayList<>();
        long startupBegin = System.nanoTime();
        for (int i = 0; i < learners; i++) {                      // learners arrive one after another
            ApiClient client = new ApiClient(base);
            client.login();
            kernelIds.add(client.openKernel());
            clients.add(client);
        }
        double startupSeconds = (System.nanoTime() - startupBegin) / 1e9;

        ConcurrentLinkedQueue<Double> times = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger cells = new AtomicInteger();
        long end = System.nanoTime() + duration.toNanos();
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
                        try {
                            JsonNode reply = client.execute(kernel, n + " + 1");
                            double millis = (System.nanoTime() - started) / 1e6;
                            cells.incrementAndGet();
                            String value = reply.path("outputs").path(0).path("data").path("text/plain").asText();
                            if (!reply.path("status").asText().equals("ok") || !value.equals(Integer.toString(n + 1))) {
                                failures.add("learner " + learner + " cell " + n + ": " + reply);
                            } else {
                                times.add(millis);
                            }
                        } catch (Exception e) {
                            failures.add("learner " + learner + " cell " + n + ": " + e);
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
        Thread.sleep(2000);                                      // all idle now
        var pids = app.deps().kernels().all().stream().map(KernelRegistry.KernelInfo::pid).filter(p -> p > 0).toList();
        long[] rss = ProcessMemory.ofTrees(pids).values().stream().mapToLong(Long::longValue).filter(b -> b > 0).toArray();
        return new Result(learners, cells.get(), List.copyOf(failures), times.stream().mapToDouble(Double::doubleValue).toArray(),
                startupSeconds, rss);
    }

    private ClassroomLoad() {}
}
