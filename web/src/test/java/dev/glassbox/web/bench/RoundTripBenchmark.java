package dev.glassbox.web.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.web.App;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * How long a learner waits for a cell, measured through the HTTP API as the page calls it:
 * <ol>
 * <li>a warm kernel: the round trip of {@code 1+1} through {@code POST /api/kernels/{id}/execute};</li>
 * <li>a new learner: from the first request (GET /api/session) to the result of their first cell,
 *     with a warm kernel waiting in the pool;</li>
 * <li>a lesson's first model cell in a fresh kernel: MiniLM opened and one sentence embedded (time inside the kernel).</li>
 * </ol>
 * Run: {@code ./mvnw -q -pl web -am -Pbench verify} (see BENCHMARKS.md).
 */
public final class RoundTripBenchmark {
    private static final int WARM_RUNS = 200;
    private static final int NEW_LEARNERS = 7;
    /** How long a learner reads before the first model cell, in part 3. */
    private static final long READING_MILLIS = 8_000;

    public static void main(String[] args) throws Exception {
        Path data = Files.createTempDirectory("glassbox-bench");
        KernelSettings kernels = KernelSettings.defaults(data.resolve("scratch")).withPoolSize(2);
        // a class: a new learner is a student who joins (single-user mode has one learner, the owner)
        try (App app = App.start(ClassroomLoad.classroom(new App.Settings("127.0.0.1", 0, data, null, kernels)))) {
            String code = ApiClient.openClass(app, 40);
            waitForWarmPool(app, 2);

            // 1. warm kernel, 1+1
            ApiClient learner = ApiClient.student(app, code, "Warm learner");
            String kernel = learner.openKernel();
            for (int i = 0; i < 30; i++) learner.execute(kernel, "1+1");       // the kernel's own JIT warm-up
            double[] roundTrip = new double[WARM_RUNS];
            double[] inKernel = new double[WARM_RUNS];
            for (int i = 0; i < WARM_RUNS; i++) {
                long start = System.nanoTime();
                JsonNode reply = learner.execute(kernel, "1+1");
                roundTrip[i] = (System.nanoTime() - start) / 1e6;
                inKernel[i] = reply.get("millis").asDouble();
                if (!reply.get("outputs").get(0).get("data").get("text/plain").asText().equals("2")) {
                    throw new AssertionError("1+1 did not answer 2: " + reply);
                }
            }
            report("warm kernel, 1+1 round trip (ms)", roundTrip);
            report("  of which inside the kernel (server-measured, ms)", inKernel);
            report("  the last 50 (cells 181-230: any growth?)", Arrays.copyOfRange(roundTrip, WARM_RUNS - 50, WARM_RUNS));

            // 1b. the same kernel, a lesson-sized cell: a method, an array, a loop and a print (javac does more)
            double[] lessonCell = new double[LESSON_RUNS];
            for (int i = 0; i < LESSON_RUNS; i++) {
                long start = System.nanoTime();
                JsonNode reply = learner.execute(kernel, LESSON_CELL);
                lessonCell[i] = (System.nanoTime() - start) / 1e6;
                if (!reply.get("status").asText().equals("ok")) throw new AssertionError("the lesson cell failed: " + reply);
            }
            report("warm kernel, a lesson-sized cell round trip (ms)", lessonCell);
            System.out.printf(java.util.Locale.ROOT, "RESULT warm_one_plus_one_ms_median=%.1f lesson_cell_ms_median=%.1f goal_warm_ms=30%n",
                    median(roundTrip), median(lessonCell));

            // 2. a new learner's first cell, with the pool refilled between arrivals
            double[] firstCell = new double[NEW_LEARNERS];
            for (int i = 0; i < NEW_LEARNERS; i++) {
                waitForWarmPool(app, 2);
                long start = System.nanoTime();
                ApiClient newcomer = ApiClient.student(app, code, "Newcomer " + (i + 1));
                JsonNode reply = newcomer.execute(newcomer.openKernel(), "1+1");
                firstCell[i] = (System.nanoTime() - start) / 1e6;
                if (!reply.get("status").asText().equals("ok")) throw new AssertionError("first cell failed: " + reply);
            }
            report("new learner, session + kernel + first cell (ms)", firstCell);

            // 3. the first MiniLM forward pass in a fresh kernel (a lesson's first model cell), inside the kernel; the
            //    learner arrives a few seconds after the pool's kernels are ready, which they spend warming the
            //    compute kernels (KernelMain), as a learner reading a lesson's first paragraphs would give them
            double[] firstForward = new double[NEW_LEARNERS];
            for (int i = 0; i < NEW_LEARNERS; i++) {
                waitForWarmPool(app, 2);
                Thread.sleep(READING_MILLIS);
                ApiClient newcomer = ApiClient.student(app, code, "Reader " + (i + 1));
                JsonNode reply = newcomer.execute(newcomer.openKernel(), FIRST_FORWARD);
                if (!reply.get("status").asText().equals("ok")) throw new AssertionError("the first forward pass failed: " + reply);
                firstForward[i] = reply.get("millis").asDouble();
            }
            report("fresh kernel, first MiniLM forward (in the kernel, ms)", firstForward);
            System.out.printf(java.util.Locale.ROOT, "RESULT first_cell_ms_median=%.0f first_minilm_forward_ms_median=%.0f goal_first_cell_ms=500 goal_first_forward_ms=500%n",
                    median(firstCell), median(firstForward));
        }
    }

    private static final int LESSON_RUNS = 50;

    /** A cell as the lessons have them: a method, an array filled in a loop, a printed result. */
    private static final String LESSON_CELL = """
            static float dot(float[] a, float[] b) {
                float s = 0f;
                for (int i = 0; i < a.length; i++) s += a[i] * b[i];
                return s;
            }
            float[] v = new float[384];
            for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(i);
            System.out.printf("|v|^2 = %.3f%n", dot(v, v));
            """;

    /** A lesson's first model cell: open MiniLM from the shipped models and embed one sentence. */
    private static final String FIRST_FORWARD = """
            var minilm = (dev.glassbox.explorer.models.Bert) dev.glassbox.tinymodels.ModelCatalog.open("all-minilm-l6-v2");
            minilm.embed("Open weights let anyone look inside a model.").length
            """;

    private static double median(double[] millis) {
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        return percentile(sorted, 50);
    }

    private static void waitForWarmPool(App app, int size) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (app.deps().kernels().pool().warmCount() < size && System.nanoTime() < deadline) Thread.sleep(100);
        Thread.sleep(1500);                       // let the new JVMs' background compilation settle
    }

    private static void report(String what, double[] millis) {
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        System.out.printf("%-52s n=%d  median %.1f  p10 %.1f  p90 %.1f  min %.1f  max %.1f%n", what, sorted.length,
                percentile(sorted, 50), percentile(sorted, 10), percentile(sorted, 90), sorted[0], sorted[sorted.length - 1]);
    }

    private static double percentile(double[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(p / 100 * (sorted.length - 1)))];
    }

    private RoundTripBenchmark() {}
}
