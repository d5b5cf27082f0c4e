package dev.glassbox.web.course;

import dev.glassbox.notebook.protocol.Output;
import dev.glassbox.lessons.Block;
import dev.glassbox.lessons.Cell;
import dev.glassbox.lessons.Glossary;
import dev.glassbox.lessons.Lesson;
import dev.glassbox.lessons.LessonCatalog;
import dev.glassbox.lessons.LessonFormatException;
import dev.glassbox.lessons.LessonParser;
import dev.glassbox.lessons.Prose;
import dev.glassbox.lessons.Quiz;
import dev.glassbox.lessons.TeacherNote;
import dev.glassbox.lessons.ipynb.JupyterNotebook;
import dev.glassbox.lessons.ipynb.JupyterNotebook.SavedCell;
import dev.glassbox.web.api.LessonApi;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.security.Sessions;
import dev.glassbox.web.store.Store;
import dev.glassbox.web.store.Store.CellState;
import dev.glassbox.web.store.Store.Draft;
import dev.glassbox.web.store.Store.Learner;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.NotFoundResponse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A lesson as a file the learner keeps: a Jupyter notebook ({@code notebook.ipynb}) or a web page
 * ({@code notebook.html}), each with the learner's code and last outputs; and notebooks imported as draft
 * lessons in the learner's own space ({@code /api/drafts}, {@code /drafts/{id}}).
 */
public final class NotebookFiles {
    /** Drafts one learner may keep. */
    static final int MAX_DRAFTS = 20;

    /** A cell of the web-page export: its code and its outputs as text. */
    public record CellExport(String id, String code, Integer executionCount, List<OutputText> outputs) {}

    /** One output as text; {@code kind} is stdout, stderr, result or error. */
    public record OutputText(String kind, String text) {}

    /** One block of the web-page export or a draft page. */
    public record ExportBlock(String kind, String html, CellExport cell, String question, List<String> choices) {}

    private final Pages pages;
    private final Sessions sessions;
    private final Store store;
    private final LessonCatalog lessons;

    NotebookFiles(Pages pages, Sessions sessions, Store store, LessonCatalog lessons) {
        this.pages = pages;
        this.sessions = sessions;
        this.store = store;
        this.lessons = lessons;
    }

    public void exportIpynb(Context ctx) {
        Learner learner = sessions.ensure(ctx);
        Lesson lesson = lesson(ctx);
        String json = JupyterNotebook.write(lesson, saved(learner, lesson));
        ctx.header("Cache-Control", "no-store");
        ctx.header("Content-Disposition", "attachment; filename=\"" + lesson.id() + ".ipynb\"");
        ctx.contentType("application/x-ipynb+json; charset=utf-8");
        ctx.result(json);
    }

    public void exportHtml(Context ctx) {
        Learner learner = sessions.ensure(ctx);
        Lesson lesson = lesson(ctx);
        Map<String, SavedCell> saved = saved(learner, lesson);
        List<ExportBlock> blocks = blocks(lesson, saved);
        ctx.header("Content-Disposition", "attachment; filename=\"" + lesson.id() + ".html\"");
        pages.render(ctx, "notebook-export.html", Map.of("lesson", lesson, "blocks", blocks), learner);
    }

    /** The learner's code and outputs of every cell they have touched. */
    private Map<String, SavedCell> saved(Learner learner, Lesson lesson) {
        Map<String, CellState> state = store.lessonState(learner.id(), lesson.id());
        Map<String, SavedCell> saved = new LinkedHashMap<>();
        for (Cell cell : lesson.cells()) {
            CellState s = state.get(cell.id());
            if (s == null) continue;
            saved.put(cell.id(), new SavedCell(s.code() != null ? s.code() : cell.code(), s.executionCount(),
                    s.outputsJson() == null ? List.of() : LessonApi.readOutputs(s.outputsJson())));
        }
        return saved;
    }

    /** What a page shows of a lesson without its hidden parts: no checks, solutions, hints, teacher notes or quiz keys. */
    private static List<ExportBlock> blocks(Lesson lesson, Map<String, SavedCell> saved) {
        List<ExportBlock> blocks = new ArrayList<>();
        for (Block block : lesson.blocks()) {
            switch (block) {
                case Prose p -> blocks.add(new ExportBlock("prose", p.html(), null, null, List.of()));
                case Quiz q -> blocks.add(new ExportBlock("quiz", null, null, q.question(),
                        q.choices().stream().map(Quiz.Choice::html).toList()));
                case TeacherNote note -> { }
                case Cell c -> {
                    SavedCell s = saved.get(c.id());
                    List<OutputText> outputs = s == null ? List.of() : s.outputs().stream().map(NotebookFiles::text).toList();
                    blocks.add(new ExportBlock("cell", null, new CellExport(c.id(), s == null ? c.code() : s.code(),
                            s == null ? null : s.executionCount(), outputs), null, List.of()));
                }
            }
        }
        return blocks;
    }

    /** Glassbox's rich outputs become their {@code text/plain} fallback in a standalone page. */
    private static OutputText text(Output output) {
        return switch (output) {
            case Output.Stream s -> new OutputText(s.name().equals("stderr") ? "stderr" : "stdout", s.text());
            case Output.ExecuteResult r -> new OutputText("result", String.valueOf(r.data().getOrDefault("text/plain", "")));
            case Output.DisplayData d -> new OutputText("result", String.valueOf(d.data().getOrDefault("text/plain",
                    "[" + String.join(", ", d.data().keySet()) + "]")));
            case Output.Error e -> new OutputText("error", e.ename() + ": " + e.message()
                    + (e.traceback().isEmpty() ? "" : "\n" + String.join("\n", e.traceback())));
        };
    }

    // ---- drafts ----

    /** {@code POST /api/drafts?name=FILE.ipynb} with the notebook as the body: keeps it as a draft lesson of the learner. */
    public void importIpynb(Context ctx) {
        Learner learner = learner(ctx);
        byte[] body = ctx.bodyAsBytes();
        if (body.length == 0) throw new BadRequestResponse("Send the .ipynb file as the request body");
        JupyterNotebook.Imported imported;
        try {
            imported = JupyterNotebook.read(ctx.queryParam("name"), body);
        } catch (JupyterNotebook.FormatException e) {
            throw new BadRequestResponse("This notebook cannot be imported: " + e.getMessage());
        }
        List<Draft> drafts = store.drafts(learner.id());
        boolean replacing = drafts.stream().anyMatch(d -> d.id().equals(imported.id()));
        if (!replacing && drafts.size() >= MAX_DRAFTS) {
            throw new BadRequestResponse("You have " + drafts.size() + " drafts, the most Glassbox keeps: delete one first");
        }
        store.saveDraft(learner.id(), imported.id(), imported.title(), imported.markdown());
        ctx.status(201).json(Map.of("id", imported.id(), "title", imported.title(), "cells", imported.lesson().cells().size(),
                "url", "/drafts/" + imported.id(), "replaced", replacing));
    }

    public void deleteDraft(Context ctx) {
        Learner learner = learner(ctx);
        String id = ctx.pathParam("draft");
        if (!store.deleteDraft(learner.id(), id)) throw new NotFoundResponse("You have no draft \"" + id + "\"");
        ctx.json(Map.of("deleted", id));
    }

    public void draftPage(Context ctx) {
        Learner learner = sessions.ensure(ctx);
        Draft draft = draft(ctx, learner);
        Lesson lesson;
        try {
            lesson = LessonParser.parse(draft.id() + ".md", draft.markdown(), Glossary.EMPTY);
        } catch (LessonFormatException e) {
            throw new IllegalStateException("draft \"" + draft.id() + "\" no longer parses: " + e.getMessage(), e);
        }
        pages.render(ctx, "draft.html", Map.of("draft", draft, "lesson", lesson, "blocks", blocks(lesson, Map.of())), learner);
    }

    public void draftMarkdown(Context ctx) {
        Learner learner = sessions.ensure(ctx);
        Draft draft = draft(ctx, learner);
        ctx.header("Content-Disposition", "attachment; filename=\"" + draft.id() + ".md\"");
        ctx.contentType(ContentType.TEXT_PLAIN.getMimeType() + "; charset=utf-8");
        ctx.result(draft.markdown().getBytes(StandardCharsets.UTF_8));
    }

    private Draft draft(Context ctx, Learner learner) {
        String id = ctx.pathParam("draft");
        return store.draft(learner.id(), id).orElseThrow(() -> new NotFoundResponse("You have no draft \"" + id + "\"."));
    }

    private Lesson lesson(Context ctx) {
        String id = ctx.pathParam("lesson");
        return lessons.find(id).orElseThrow(() -> new NotFoundResponse("There is no lesson called \"" + id + "\"."));
    }

    private Learner learner(Context ctx) {
        return sessions.current(ctx).orElseThrow(() -> new ForbiddenResponse("No session: GET /api/session first"));
    }
}
