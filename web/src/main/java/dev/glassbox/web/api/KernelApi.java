package dev.glassbox.web.api;

import dev.glassbox.notebook.host.ExecuteReply;
import dev.glassbox.notebook.host.Kernel;
import dev.glassbox.notebook.protocol.KernelMessage;
import dev.glassbox.notebook.protocol.Output;
import dev.glassbox.lessons.Cell;
import dev.glassbox.lessons.Lesson;
import dev.glassbox.lessons.LessonCatalog;
import dev.glassbox.web.notebook.CellQueue;
import dev.glassbox.web.notebook.KernelRegistry;
import dev.glassbox.web.security.RateLimit;
import dev.glassbox.web.security.Sessions;
import dev.glassbox.web.server.Json;
import dev.glassbox.web.server.ServerLimits;
import dev.glassbox.web.store.Store;
import dev.glassbox.web.store.Store.Learner;
import dev.glassbox.web.server.RequestBody;
import dev.glassbox.web.server.NdjsonStream;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.TooManyRequestsResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * {@code /api/kernels}: open a kernel, run cells in it (as one JSON answer, or streamed as
 * newline-delimited JSON when the client accepts {@code application/x-ndjson}), complete, interrupt,
 * restart and close. When a run names a lesson cell, its code, outputs and exercise result are saved.
 * Cells wait their turn in the server's {@link CellQueue}; opening and restarting kernels is rate-limited
 * per learner, since each starts a JVM.
 */
public final class KernelApi {
    /** Saved outputs of one cell are capped (the live answer is capped by {@link OutputBudget}). */
    private static final int MAX_SAVED_OUTPUT_CHARS = 4 * 1024 * 1024;

    private final KernelRegistry kernels;
    private final CellQueue queue;
    private final Sessions sessions;
    private final Store store;
    private final LessonCatalog lessons;
    private final RateLimit restarts;
    private final RateLimit opens;
    /** Completions one learner may ask for: the editor asks as they type, a script could ask without end. */
    private final RateLimit completions = new RateLimit(40, Duration.ofSeconds(10));

    public KernelApi(KernelRegistry kernels, CellQueue queue, Sessions sessions, Store store, LessonCatalog lessons, ServerLimits limits) {
        this.kernels = kernels;
        this.queue = queue;
        this.sessions = sessions;
        this.store = store;
        this.lessons = lessons;
        this.restarts = new RateLimit(limits.restartsPerMinute(), Duration.ofMinutes(1));
        this.opens = new RateLimit(limits.kernelOpensPerMinute(), Duration.ofMinutes(1));
    }

    public void open(Context ctx) throws IOException {
        Learner learner = learner(ctx);
        limit(ctx, opens, learner, "Too many new kernels: wait %d s before opening another lesson tab.");
        Kernel kernel;
        try {
            kernel = kernels.open(learner.id());
        } catch (KernelRegistry.Full e) {
            ctx.header("Retry-After", "30");
            throw new TooManyRequestsResponse(e.getMessage());
        } catch (KernelRegistry.OverBudget e) {
            ctx.header("Retry-After", "60");
            throw new io.javalin.http.ServiceUnavailableResponse(e.getMessage());
        }
        ctx.status(201).json(Map.of("id", kernel.id()));
    }

    public void get(Context ctx) {
        Kernel kernel = kernel(ctx);
        ctx.json(Map.of("id", kernel.id(), "state", kernel.busy() ? "busy" : "idle"));
    }

    public void execute(Context ctx) throws IOException {
        Learner learner = learner(ctx);
        Kernel kernel = kernel(ctx);
        RequestBody body = RequestBody.of(ctx);
        String code = body.string("code");
        String lessonId = body.optionalString("lesson");
        String cellId = body.optionalString("cell");
        Cell cell = null;
        if (lessonId != null || cellId != null) {
            Lesson lesson = lessons.find(lessonId == null ? "" : lessonId)
                    .orElseThrow(() -> new NotFoundResponse("No lesson \"" + lessonId + "\""));
            cell = lesson.cell(cellId == null ? "" : cellId)
                    .orElseThrow(() -> new NotFoundResponse("Lesson \"" + lessonId + "\" has no cell \"" + cellId + "\""));
            store.saveCode(learner.id(), lessonId, cellId, code.equals(cell.code()) ? null : code);
        }

        boolean streaming = String.valueOf(ctx.header("Accept")).contains("application/x-ndjson");
        NdjsonStream out = streaming ? NdjsonStream.open(ctx) : null;
        try {
            run(ctx, learner, kernel, code, lessonId, cell, out);
        } finally {
            if (out != null) out.close();
        }
    }

    /**
     * Runs the cell and answers; {@code out} (null: one JSON answer) never waits for the browser, so the cell keeps its time
     * limit and its slot is given back on time even when the browser stops reading.
     */
    private void run(Context ctx, Learner learner, Kernel kernel, String code, String lessonId, Cell cell, NdjsonStream out) {
        boolean streaming = out != null;
        OutputBudget budget = new OutputBudget();
        List<Output> shown = new ArrayList<>();
        Consumer<Output> listener = o -> {
            Output admitted = budget.admit(o);
            if (admitted == null) return;
            shown.add(admitted);
            if (out != null) out.trySend(Map.of("output", admitted));
        };

        ExecuteReply reply;
        Map<String, Object> exercise = null;
        // A kernel that died since its last cell gets its new JVM now, before its cell takes a slot in the queue:
        // starting a JVM takes seconds, and other learners' cells would wait for that slot meanwhile.
        try {
            kernel.revive();
        } catch (java.io.UncheckedIOException e) {
            // no new kernel could be started: the cell reports it when it runs
        }
        long queuedAt = System.nanoTime();
        long queuedNanos = 0;
        // The slot is taken before the kernel sees the cell, so the cell's time limit starts when it runs, not when it queues;
        // a cell waiting for its kernel's running cell holds no slot meanwhile (see CellQueue).
        try (CellQueue.Slot slot = queue.enter(kernel.id(), learner.id(), ahead -> {
            if (out != null) out.trySend(Map.of("waiting", Map.of("ahead", ahead)));
        })) {
            queuedNanos = System.nanoTime() - queuedAt;
            if (slot.waited() && out != null) out.trySend(Map.of("started", true));
            // a long cell gives its slot back to the class, keeping its kernel's turn and its learner's share
            Thread yielder = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(queue.longCell());
                    slot.yieldSlot();
                } catch (InterruptedException ended) {
                    // the cell ended first
                }
            });
            try {
                reply = kernel.execute(code, cell == null ? "cell" : cell.id(), listener);
            } finally {
                yielder.interrupt();
            }
            if (reply.restarted()) kernels.countRestart(kernel.id());
            if (cell != null) {
                store.saveRun(learner.id(), lessonId, cell.id(), reply.status().wire(), reply.executionCount(), savedOutputs(shown));
                if (cell.exercise()) {
                    exercise = check(kernel, reply, cell);
                    store.saveExercise(learner.id(), lessonId, cell.id(), (Boolean) exercise.get("passed"), (String) exercise.get("message"));
                }
            }
        } catch (InterruptedException e) {
            reply = notRun(ExecuteReply.Status.INTERRUPTED, listener, "Interrupted", "Interrupted before it started: "
                    + "the cell was waiting for its turn and did not run.");
        } catch (java.io.UncheckedIOException e) {
            // its kernel JVM died and no new one could start (a server out of memory or cores): say so, not a 500
            reply = notRun(ExecuteReply.Status.REJECTED, listener, "KernelUnavailable", "The kernel stopped and no new one "
                    + "could be started just now (" + e.getMessage() + "). Try again in a minute.");
        } catch (CellQueue.Refused e) {
            reply = notRun(ExecuteReply.Status.REJECTED, listener, "KernelBusy", e.getMessage());
        } catch (TimeoutException e) {
            reply = notRun(ExecuteReply.Status.REJECTED, listener, "ServerBusy", "The server is busy: this cell waited "
                    + queue.maxWait().toSeconds() + " s for its turn and did not run. Try again in a moment.");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", reply.status().wire());
        answer.put("executionCount", reply.executionCount());
        answer.put("millis", reply.millis());
        answer.put("outputs", shown);
        answer.put("exercise", exercise);
        answer.put("kernel", reply.restarted() ? "restarted" : "kept");
        // where the time went: waiting for a slot, in the kernel (request to reply), and the kernel's own account
        Map<String, Object> timing = new LinkedHashMap<>();
        timing.put("queuedMillis", queuedNanos / 1_000_000.0);
        timing.put("kernelMillis", reply.millis());
        timing.put("evalMillis", reply.evalMicros() / 1000.0);
        timing.put("cpuMillis", reply.cpuMicros() / 1000.0);
        answer.put("timing", timing);
        if (streaming) {
            out.trySend(Map.of("reply", answer));   // the browser may have gone: the result is saved all the same
        } else {
            ctx.json(answer);
        }
    }

    /** The reply for a cell that never reached its kernel; its earlier saved result stays as it was. */
    private static ExecuteReply notRun(ExecuteReply.Status status, Consumer<Output> listener, String kind, String message) {
        Output.Error notice = new Output.Error(kind, message, 0, 0, List.of());
        listener.accept(notice);
        return new ExecuteReply(status, 0, 0, List.of(notice), false);
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

    public void complete(Context ctx) {
        Learner learner = learner(ctx);
        Kernel kernel = kernel(ctx);
        limit(ctx, completions, learner, "Too many completion requests: wait %d s.");
        RequestBody body = RequestBody.of(ctx);
        String code = body.string("code");
        int cursor = body.integer("cursor");
        KernelMessage.Completions completions = kernel.complete(code, cursor);
        ctx.json(Map.of("from", completions.from(), "options", completions.options()));
    }

    public void interrupt(Context ctx) {
        Kernel kernel = kernel(ctx);
        boolean cancelled = queue.cancel(kernel.id()) > 0;
        boolean stopping = kernel.interrupt();
        // "idle": nothing was running or waiting here, e.g. the browser's cell is still on its way; it asks again
        ctx.json(Map.of("status", cancelled || stopping ? "interrupting" : "idle"));
    }

    public void restart(Context ctx) {
        Learner learner = learner(ctx);
        Kernel kernel = kernel(ctx);
        limit(ctx, restarts, learner, "Too many restarts: wait %d s before restarting the kernel again.");
        queue.cancel(kernel.id());
        kernel.restart();
        kernels.countRestart(kernel.id());
        ctx.json(Map.of("status", "restarted"));
    }

    /** Counts one more event against the learner's limit, or refuses with 429 and how long to wait. */
    private static void limit(Context ctx, RateLimit limit, Learner learner, String message) {
        Duration wait = limit.tryAcquire(learner.id());
        if (wait.isZero()) return;
        long seconds = RateLimit.seconds(wait);
        ctx.header("Retry-After", Long.toString(seconds));
        throw new TooManyRequestsResponse(String.format(message, seconds));
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
                .orElseThrow(() -> new NotFoundResponse(kernels.evicted(ctx.pathParam("id"))
                        ? "This kernel was closed while it was idle, to make room for other kernels in the server's memory: "
                                + "open the lesson again for a new one (your saved cells are kept, your variables are gone)."
                        : "No such kernel"));
    }
}
