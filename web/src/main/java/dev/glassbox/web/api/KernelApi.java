package dev.glassbox.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.kernel.ExecuteReply;
import dev.glassbox.kernel.Kernel;
import dev.glassbox.kernel.Output;
import dev.glassbox.kernel.protocol.KernelMessage;
import dev.glassbox.lessons.Cell;
import dev.glassbox.lessons.Lesson;
import dev.glassbox.lessons.LessonCatalog;
import dev.glassbox.web.Json;
import dev.glassbox.web.kernels.KernelRegistry;
import dev.glassbox.web.security.Sessions;
import dev.glassbox.web.store.Store;
import dev.glassbox.web.store.Store.Learner;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.NotFoundResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code /api/kernels}: open a kernel, run cells in it (as one JSON answer, or streamed as
 * newline-delimited JSON when the client accepts {@code application/x-ndjson}), complete, interrupt,
 * restart and close. When a run names a lesson cell, its code, outputs and exercise result are saved.
 */
public final class KernelApi {
    /** Saved outputs of one cell are capped; the live answer is not. */
    private static final int MAX_SAVED_OUTPUT_CHARS = 4 * 1024 * 1024;

    private final KernelRegistry kernels;
    private final Sessions sessions;
    private final Store store;
    private final LessonCatalog lessons;

    public KernelApi(KernelRegistry kernels, Sessions sessions, Store store, LessonCatalog lessons) {
        this.kernels = kernels;
        this.sessions = sessions;
        this.store = store;
        this.lessons = lessons;
    }

    public void open(Context ctx) throws IOException {
        Kernel kernel = kernels.open(learner(ctx).id());
        ctx.status(201).json(Map.of("id", kernel.id()));
    }

    public void get(Context ctx) {
        Kernel kernel = kernel(ctx);
        ctx.json(Map.of("id", kernel.id(), "state", kernel.busy() ? "busy" : "idle"));
    }

    public void execute(Context ctx) throws IOException {
        Learner learner = learner(ctx);
        Kernel kernel = kernel(ctx);
        JsonNode body = Bodies.json(ctx);
        String code = Bodies.requiredString(body, "code");
        String lessonId = Bodies.optionalString(body, "lesson");
        String cellId = Bodies.optionalString(body, "cell");
        Cell cell = null;
        if (lessonId != null || cellId != null) {
            Lesson lesson = lessons.find(lessonId == null ? "" : lessonId)
                    .orElseThrow(() -> new NotFoundResponse("No lesson \"" + lessonId + "\""));
            cell = lesson.cell(cellId == null ? "" : cellId)
                    .orElseThrow(() -> new NotFoundResponse("Lesson \"" + lessonId + "\" has no cell \"" + cellId + "\""));
            store.saveCode(learner.id(), lessonId, cellId, code.equals(cell.code()) ? null : code);
        }

        boolean streaming = String.valueOf(ctx.header("Accept")).contains("application/x-ndjson");
        Consumer<Output> listener = o -> {};
        OutputStream stream = null;
        if (streaming) {
            ctx.contentType("application/x-ndjson");
            ctx.header("Cache-Control", "no-store");
            ctx.header("X-Accel-Buffering", "no");
            stream = ctx.outputStream();
            OutputStream out = stream;
            listener = o -> writeLine(out, Map.of("output", o));
        }
        ExecuteReply reply = kernel.execute(code, cell == null ? "cell" : cell.id(), listener);

        Map<String, Object> exercise = null;
        if (cell != null) {
            store.saveRun(learner.id(), lessonId, cell.id(), reply.status().wire(), reply.executionCount(), savedOutputs(reply.outputs()));
            if (cell.exercise()) {
                exercise = check(kernel, reply, cell);
                store.saveExercise(learner.id(), lessonId, cell.id(), (Boolean) exercise.get("passed"), (String) exercise.get("message"));
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", reply.status().wire());
        answer.put("executionCount", reply.executionCount());
        answer.put("millis", reply.millis());
        answer.put("outputs", reply.outputs());
        answer.put("exercise", exercise);
        answer.put("kernel", reply.restarted() ? "restarted" : "kept");
        if (streaming) {
            writeLine(stream, Map.of("reply", answer));
        } else {
            ctx.json(answer);
        }
    }

    /** Runs the exercise's hidden check after the learner's cell; it passes when it throws nothing. */
    private static Map<String, Object> check(Kernel kernel, ExecuteReply reply, Cell cell) {
        Map<String, Object> result = new LinkedHashMap<>();
        if (reply.status() != ExecuteReply.Status.OK) {
            result.put("passed", false);
            result.put("message", "The cell has to run without errors before it can be checked.");
            return result;
        }
        ExecuteReply check = kernel.check(cell.check());
        boolean passed = check.status() == ExecuteReply.Status.OK;
        result.put("passed", passed);
        result.put("message", passed ? "Passed." : check.error()
                .map(e -> e.ename().endsWith("AssertionFailedError") || e.ename().endsWith("AssertionError")
                        ? e.message() : "The check could not run: " + e.message())
                .orElse("The check did not pass (" + check.status().wire() + ")."));
        return result;
    }

    private static String savedOutputs(List<Output> outputs) {
        List<Output> kept = new ArrayList<>();
        long size = 0;
        for (Output o : outputs) {
            size += o.weight();
            if (size > MAX_SAVED_OUTPUT_CHARS) {
                kept.add(new Output.Stream("stderr", "\n[saved output truncated: run the cell again to see all of it]\n"));
                break;
            }
            kept.add(o);
        }
        return Json.write(kept);
    }

    private static void writeLine(OutputStream out, Object message) {
        try {
            synchronized (out) {
                out.write((Json.write(message) + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException ignored) {
            // the browser went away; the cell still finishes and its result is saved
        }
    }

    public void complete(Context ctx) {
        Kernel kernel = kernel(ctx);
        JsonNode body = Bodies.json(ctx);
        String code = Bodies.requiredString(body, "code");
        int cursor = Bodies.requiredInt(body, "cursor");
        KernelMessage.Completions completions = kernel.complete(code, cursor);
        ctx.json(Map.of("from", completions.from(), "options", completions.options()));
    }

    public void interrupt(Context ctx) {
        kernel(ctx).interrupt();
        ctx.json(Map.of("status", "interrupting"));
    }

    public void restart(Context ctx) {
        kernel(ctx).restart();
        ctx.json(Map.of("status", "restarted"));
    }

    public void delete(Context ctx) {
        Learner learner = learner(ctx);
        if (!kernels.close(ctx.pathParam("id"), learner.id())) throw new NotFoundResponse("No such kernel");
        ctx.status(204);
    }

    private Learner learner(Context ctx) {
        return sessions.current(ctx).orElseThrow(() -> new ForbiddenResponse("No session: GET /api/session first"));
    }

    /** The kernel named in the path, if it belongs to this learner; 404 otherwise (never 403: ids stay secret). */
    private Kernel kernel(Context ctx) {
        return sessions.current(ctx)
                .flatMap(l -> kernels.find(ctx.pathParam("id"), l.id()))
                .orElseThrow(() -> new NotFoundResponse("No such kernel"));
    }
}
