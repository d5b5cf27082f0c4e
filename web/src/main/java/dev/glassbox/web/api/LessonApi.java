package dev.glassbox.web.api;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.glassbox.notebook.protocol.Output;
import dev.glassbox.lessons.Cell;
import dev.glassbox.lessons.Lesson;
import dev.glassbox.lessons.LessonCatalog;
import dev.glassbox.web.security.Sessions;
import dev.glassbox.web.server.Json;
import dev.glassbox.web.store.Progress;
import dev.glassbox.web.store.Store;
import dev.glassbox.web.store.Store.CellState;
import dev.glassbox.web.store.Store.Learner;
import dev.glassbox.web.server.RequestBody;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.NotFoundResponse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/lessons}: the catalog with the learner's progress, a lesson's cells, the learner's saved
 * state of a lesson, autosave of a cell's code, resetting a cell, and an exercise's solution once the
 * learner has tried it.
 */
public final class LessonApi {
    private static final TypeReference<List<Output>> OUTPUTS = new TypeReference<>() {};

    private final LessonCatalog lessons;
    private final Sessions sessions;
    private final Store store;

    private final QuizApi quizzes;

    public LessonApi(LessonCatalog lessons, Sessions sessions, Store store) {
        this.lessons = lessons;
        this.sessions = sessions;
        this.store = store;
        this.quizzes = new QuizApi(lessons, sessions, store);
    }

    public void list(Context ctx) {
        String learnerId = sessions.current(ctx).map(Learner::id).orElse(null);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Lesson lesson : lessons.lessons()) {
            Map<String, Object> item = summary(lesson);
            item.put("progress", Progress.of(store, lesson, learnerId));
            list.add(item);
        }
        ctx.json(list);
    }

    public void get(Context ctx) {
        Lesson lesson = lesson(ctx);
        Map<String, Object> item = summary(lesson);
        item.put("cells", lesson.cells().stream().map(c -> Map.of("id", c.id(), "code", c.code(), "exercise", c.exercise(),
                "hasSolution", c.solution() != null, "hints", c.hints().size())).toList());
        item.put("quizzes", lesson.quizzes().stream().map(q -> Map.of("id", q.id(), "question", q.question(),
                "choices", q.choices().stream().map(choice -> choice.html()).toList(),
                "kind", !q.multipleChoice() ? "text" : q.severalCorrect() ? "several" : "one")).toList());
        ctx.json(item);
    }

    public void state(Context ctx) {
        Learner learner = learner(ctx);
        Lesson lesson = lesson(ctx);
        Map<String, CellState> saved = store.lessonState(learner.id(), lesson.id());
        Map<String, Object> cells = new LinkedHashMap<>();
        for (Cell cell : lesson.cells()) {
            CellState s = saved.get(cell.id());
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("code", s != null && s.code() != null ? s.code() : cell.code());
            c.put("edited", s != null && s.code() != null);
            c.put("status", s == null ? null : s.status());
            c.put("executionCount", s == null ? null : s.executionCount());
            c.put("outputs", s == null || s.outputsJson() == null ? List.of() : readOutputs(s.outputsJson()));
            c.put("exercise", s == null || s.exercisePassed() == null ? null
                    : Map.of("passed", s.exercisePassed(), "message", s.exerciseMessage() == null ? "" : s.exerciseMessage()));
            cells.put(cell.id(), c);
        }
        ctx.json(Map.of("cells", cells, "quizzes", quizzes.saved(lesson, learner.id())));
    }

    /** Autosave: the learner's current code of a cell (saving the original text clears the edit). */
    public void saveCell(Context ctx) {
        Learner learner = learner(ctx);
        Lesson lesson = lesson(ctx);
        Cell cell = cell(ctx, lesson);
        String code = RequestBody.of(ctx).string("code");
        store.saveCode(learner.id(), lesson.id(), cell.id(), code.equals(cell.code()) ? null : code);
        ctx.json(Map.of("saved", true));
    }

    public void resetCell(Context ctx) {
        Learner learner = learner(ctx);
        Lesson lesson = lesson(ctx);
        Cell cell = cell(ctx, lesson);
        store.resetCell(learner.id(), lesson.id(), cell.id());
        ctx.json(Map.of("code", cell.code()));
    }

    /**
     * An exercise's solution. It is not part of the page or of {@code GET /api/lessons/{id}}: the learner
     * asks for it, and only after their own attempt has been checked at least once.
     */
    public void solution(Context ctx) {
        Learner learner = learner(ctx);
        Lesson lesson = lesson(ctx);
        Cell cell = cell(ctx, lesson);
        if (cell.solution() == null) {
            throw new NotFoundResponse("Cell \"" + cell.id() + "\" of lesson \"" + lesson.id() + "\" has no solution"
                    + (cell.exercise() ? "" : ": it is not an exercise"));
        }
        CellState saved = store.lessonState(learner.id(), lesson.id()).get(cell.id());
        if (saved == null || saved.exercisePassed() == null) {
            throw new ForbiddenResponse("Run your own attempt at this exercise first: its solution can be shown once the check has run");
        }
        ctx.header("Cache-Control", "no-store");
        ctx.json(Map.of("code", cell.solution()));
    }

    private static Map<String, Object> summary(Lesson lesson) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", lesson.id());
        item.put("title", lesson.title());
        item.put("summary", lesson.summary());
        item.put("order", lesson.order());
        item.put("models", lesson.models());
        item.put("objectives", lesson.objectives());
        item.put("minutes", lesson.minutes());
        item.put("requires", lesson.requires());
        return item;
    }

    /** A cell's saved outputs; a note in their place when they cannot be read. */
    public static List<Output> readOutputs(String json) {
        try {
            return Json.MAPPER.readValue(json, OUTPUTS);
        } catch (java.io.IOException e) {
            return List.of(new Output.Stream("stderr", "[the saved output of this cell could not be read]\n"));
        }
    }

    private Lesson lesson(Context ctx) {
        String id = ctx.pathParam("lesson");
        return lessons.find(id).orElseThrow(() -> new NotFoundResponse("No lesson \"" + id + "\""));
    }

    private static Cell cell(Context ctx, Lesson lesson) {
        String id = ctx.pathParam("cell");
        return lesson.cell(id).orElseThrow(() -> new NotFoundResponse("Lesson \"" + lesson.id() + "\" has no cell \"" + id + "\""));
    }

    private Learner learner(Context ctx) {
        return sessions.current(ctx).orElseThrow(() -> new ForbiddenResponse("No session: GET /api/session first"));
    }
}
