package dev.glassbox.lessons;

import dev.glassbox.notebook.host.ExecuteReply;
import dev.glassbox.notebook.host.ExecuteReply.Status;
import dev.glassbox.notebook.host.Kernel;
import dev.glassbox.notebook.host.KernelPool;
import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.notebook.host.Sandbox;
import dev.glassbox.notebook.protocol.Output;
import dev.glassbox.tinymodels.ModelCatalog;
import dev.glassbox.notebook.Display;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every shipped lesson, run for real as a learner runs it: a fresh kernel started the way the server
 * starts one (sandboxed when bubblewrap is available, with the shipped models bound read-only), every
 * cell in order. No cell may fail, except an exercise's starter; each starter must fail its check and
 * each solution must pass it; no cell may reach the time limit. Per-cell timings are printed, and
 * everything the cells showed is written to {@code target/shipped-lessons/<lesson>.txt}, so that the
 * lesson text can be checked against what the cells really print.
 */
class ShippedLessonsRunTest {
    private static final Path TRANSCRIPTS = Path.of("target", "shipped-lessons");
    /** A heatmap up to this many rows and columns is written out in full in the transcript. */
    private static final int PRINTED_HEATMAP = 40;

    static Path dir;
    static KernelPool pool;
    static final List<String> timings = new ArrayList<>();

    @BeforeAll
    static void startKernels() throws IOException {
        dir = Files.createTempDirectory("shipped-lessons");
        Path models = dir.resolve("models");
        long start = System.nanoTime();
        ModelCatalog.load(models, null);                       // what the server's model shelf prepares at start-up
        timings.add(String.format(Locale.ROOT, "models prepared in %.1f s", (System.nanoTime() - start) / 1e9));
        Sandbox sandbox = Sandbox.detect();
        timings.add("kernels: " + sandbox);
        pool = new KernelPool(KernelSettings.defaults(dir.resolve("scratch")).withSharedModels(models).withPoolSize(1), sandbox);
    }

    @AfterAll
    static void stopKernels() throws IOException {
        if (pool != null) pool.close();
        System.out.println("---- shipped lessons, per cell ----\n" + String.join("\n", timings));
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * Every shipped lesson, or those named in the system property {@code lessons} (ids, comma-separated); with
     * {@code -Dlessons.dir=FOLDER}, the lessons of that folder instead (a teacher's own, see docs/authoring-lessons.md).
     */
    static Stream<Lesson> lessons() {
        LessonCatalog catalog = catalog();
        assertEquals(List.of(), catalog.problems(), "every shipped lesson parses");
        String only = System.getProperty("lessons", "");
        List<String> chosen = only.isBlank() ? List.of() : List.of(only.split(","));
        return catalog.lessons().stream().filter(lesson -> chosen.isEmpty() || chosen.contains(lesson.id()));
    }

    /** The shipped lessons, or those of the folder named by {@code -Dlessons.dir}. */
    static LessonCatalog catalog() {
        String folder = System.getProperty("lessons.dir", "");
        return folder.isBlank() ? LessonCatalog.fromClasspath() : LessonCatalog.load(Path.of(folder));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lessons")
    void everyCellRunsAndEveryExerciseIsSolvable(Lesson lesson) throws IOException {
        long limit = pool.settings().timeLimit().toMillis();
        StringBuilder transcript = new StringBuilder("# " + lesson.id() + "\n");
        List<String> problems = new ArrayList<>();
        long total = 0;
        try (Kernel kernel = pool.open()) {
            for (Cell cell : lesson.cells()) {
                ExecuteReply reply = kernel.execute(cell.code(), cell.id(), o -> {});
                total += reply.millis();
                record(lesson, cell.id(), reply, transcript);
                if (reply.millis() >= limit) problems.add(cell.id() + " took " + reply.millis() + " ms, the limit is " + limit);
                if (!cell.exercise()) {
                    if (reply.status() != Status.OK) problems.add(cell.id() + ": " + describe(reply));
                    continue;
                }
                // The starter: the server checks it only when it runs, and the check must not pass.
                if (reply.status() == Status.OK) {
                    ExecuteReply starterCheck = kernel.check(cell.check());
                    record(lesson, cell.id() + " (check of the starter)", starterCheck, transcript);
                    if (starterCheck.status() == Status.OK) problems.add(cell.id() + ": the starter passes its check");
                }
                if (cell.solution() == null) {
                    problems.add(cell.id() + ": the exercise has no solution");
                    continue;
                }
                ExecuteReply solution = kernel.execute(cell.solution(), cell.id(), o -> {});
                total += solution.millis();
                record(lesson, cell.id() + " (solution)", solution, transcript);
                if (solution.status() != Status.OK) {
                    problems.add(cell.id() + ": the solution does not run: " + describe(solution));
                    continue;
                }
                ExecuteReply solved = kernel.check(cell.check());
                record(lesson, cell.id() + " (check of the solution)", solved, transcript);
                if (solved.status() != Status.OK) problems.add(cell.id() + ": the solution fails its check: " + describe(solved));
                if (solved.millis() >= limit) problems.add(cell.id() + ": its check took " + solved.millis() + " ms");
            }
        } finally {
            timings.add(String.format(Locale.ROOT, "%-30s %6d ms in all", lesson.id(), total));
            Files.createDirectories(TRANSCRIPTS);
            Files.writeString(TRANSCRIPTS.resolve(lesson.id() + ".txt"), transcript);
        }
        if (!problems.isEmpty()) fail(lesson.file() + ":\n  " + String.join("\n  ", problems));
    }

    private static void record(Lesson lesson, String cell, ExecuteReply reply, StringBuilder transcript) {
        String line = String.format(Locale.ROOT, "%-30s %-34s %6d ms  %s", lesson.id(), cell, reply.millis(), reply.status().wire());
        timings.add(line);
        transcript.append("\n## ").append(cell).append(" — ").append(reply.status().wire()).append(", ")
                .append(reply.millis()).append(" ms\n");
        Output previous = null;
        for (Output output : reply.outputs()) {
            // a stream arrives in pieces (every 25 ms): join them as the page does
            boolean continues = previous instanceof Output.Stream p && output instanceof Output.Stream s && p.name().equals(s.name());
            if (previous != null && !continues) transcript.append('\n');
            transcript.append(output instanceof Output.Stream s ? s.text() : text(output));
            if (!(output instanceof Output.Stream)) transcript.append('\n');
            previous = output;
        }
    }

    private static String describe(ExecuteReply reply) {
        return reply.status().wire() + reply.error().map(e -> " " + e.ename() + ": " + e.message()
                + (e.line() > 0 ? " (line " + e.line() + ")" : "") + "\n    " + String.join("\n    ", e.traceback())).orElse("");
    }

    /** What a learner would read in the output: streams, values, errors, and displays with their numbers. */
    @SuppressWarnings("unchecked")
    private static String text(Output output) {
        return switch (output) {
            case Output.Stream s -> s.text();
            case Output.ExecuteResult r -> "=> " + r.data().get("text/plain");
            case Output.Error e -> "ERROR " + e.ename() + ": " + e.message() + "\n" + String.join("\n", e.traceback());
            case Output.DisplayData d when d.data().get(Display.HEATMAP) instanceof Map<?, ?> heatmap ->
                    heatmap((Map<String, Object>) heatmap);
            case Output.DisplayData d -> "[display] " + d.data().get("text/plain");
        };
    }

    private static String heatmap(Map<String, Object> heatmap) {
        int rows = (Integer) heatmap.get("rows"), cols = (Integer) heatmap.get("cols");
        StringBuilder out = new StringBuilder("[heatmap] " + heatmap.get("title") + " (" + rows + " x " + cols + ")");
        if (rows > PRINTED_HEATMAP || cols > PRINTED_HEATMAP) return out.toString();
        List<?> data = (List<?>) heatmap.get("data");
        List<?> rowLabels = (List<?>) heatmap.get("rowLabels"), colLabels = (List<?>) heatmap.get("colLabels");
        if (colLabels != null) {
            out.append("\n").append(String.format("%12s", ""))
                    .append(colLabels.stream().map(l -> String.format("%7.7s", l)).collect(Collectors.joining()));
        }
        for (int r = 0; r < rows; r++) {
            out.append("\n").append(String.format("%12.12s", rowLabels == null ? Integer.toString(r) : rowLabels.get(r)));
            for (int c = 0; c < cols; c++) {
                Object v = data.get(r * cols + c);
                out.append(v == null ? String.format("%7s", "-") : String.format(Locale.ROOT, "%7.3f", ((Number) v).doubleValue()));
            }
        }
        return out.toString();
    }
}
