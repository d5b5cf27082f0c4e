package dev.glassbox.web.course;

import dev.glassbox.lessons.Glossary;
import dev.glassbox.lessons.Lesson;
import dev.glassbox.lessons.LessonCatalog;
import dev.glassbox.lessons.LessonSearch;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.security.Sessions;
import dev.glassbox.web.store.Progress;
import dev.glassbox.web.store.Store;
import dev.glassbox.web.store.Store.Learner;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The course map ({@code /course}), search over the lessons ({@code /search?q=}) and the glossary ({@code /glossary}). */
public final class CoursePages {
    /** Height of one lesson row on the map, in CSS pixels (course.css gives {@code .course-list li} the same). */
    static final int ROW = 84;
    /** Width of the arc area left of the rows (course.css: {@code .course-map} padding). */
    static final int ARCS = 120;
    private static final int SEARCH_LIMIT = 30;

    /**
     * One lesson on the map with the learner's progress.
     *
     * @param state "done" (every checked step passed), "started" or "new"
     */
    public record MapRow(int index, String id, String title, String summary, int order, int minutes, List<String> requires,
                         int steps, int stepsDone, int exercises, int exercisesPassed, int quizzes, int quizzesPassed, String state,
                         int y) {}

    /** A prerequisite arrow from the row {@code from} to the row {@code to}; {@code late} when the prerequisite comes later. */
    public record Arc(String path, boolean late, String from, String to) {}

    private final Pages pages;
    private final Sessions sessions;
    private final Store store;
    private final LessonCatalog lessons;
    private final LessonSearch search;

    CoursePages(Pages pages, Sessions sessions, Store store, LessonCatalog lessons) {
        this.pages = pages;
        this.sessions = sessions;
        this.store = store;
        this.lessons = lessons;
        this.search = new LessonSearch(lessons.lessons());
    }

    public void map(Context ctx) {
        Learner learner = sessions.ensure(ctx);
        List<Lesson> all = lessons.lessons();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < all.size(); i++) index.put(all.get(i).id(), i);
        List<MapRow> rows = new ArrayList<>();
        int minutes = 0;
        for (int i = 0; i < all.size(); i++) {
            Lesson lesson = all.get(i);
            Progress p = Progress.of(store, lesson, learner.id());
            String state = p.steps() > 0 && p.stepsDone() == p.steps() ? "done"
                    : p.stepsDone() > 0 || p.cellsEdited() > 0 ? "started" : "new";
            List<String> requires = lesson.requires().stream().map(id -> all.get(index.get(id)).title()).toList();
            rows.add(new MapRow(i, lesson.id(), lesson.title(), lesson.summary(), lesson.order(), lesson.minutes(), requires,
                    p.steps(), p.stepsDone(), p.exercises(), p.exercisesPassed(), p.quizzes(), p.quizzesPassed(), state, center(i)));
            minutes += lesson.minutes();
        }
        List<Arc> arcs = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            for (String required : all.get(i).requires()) {
                int j = index.get(required);
                arcs.add(arc(j, i, all.get(j).id(), all.get(i).id()));
            }
        }
        Map<String, Object> model = new HashMap<>();
        model.put("rows", rows);
        model.put("arcs", arcs);
        model.put("height", Math.max(ROW, all.size() * ROW));
        model.put("arcsWidth", ARCS);
        model.put("nodeX", ARCS - 12);
        model.put("totalMinutes", minutes);
        model.put("done", rows.stream().filter(r -> r.state().equals("done")).count());
        model.put("drafts", store.drafts(learner.id()));
        model.put("maxImportBytes", dev.glassbox.lessons.ipynb.JupyterNotebook.MAX_BYTES);
        pages.render(ctx, "course.html", model, learner);
    }

    private static int center(int row) {
        return row * ROW + (ROW - 8) / 2;
    }

    /** A curve left of the rows from the prerequisite's node to the lesson's, wider the further apart they are. */
    private static Arc arc(int from, int to, String fromId, String toId) {
        int x = ARCS - 12;
        int bulge = Math.min(ARCS - 20, 22 + 12 * Math.abs(to - from));
        int y1 = center(from) + (from < to ? 6 : -6);
        int y2 = center(to) + (from < to ? -8 : 8);
        String path = "M " + x + " " + y1 + " C " + (x - bulge) + " " + y1 + ", " + (x - bulge) + " " + y2 + ", " + (x - 4) + " " + y2;
        return new Arc(path, from > to, fromId, toId);
    }

    public void search(Context ctx) {
        Learner learner = sessions.ensure(ctx);
        String query = ctx.queryParam("q");
        query = query == null ? "" : query.strip();
        if (query.length() > LessonSearch.MAX_QUERY_CHARS) query = query.substring(0, LessonSearch.MAX_QUERY_CHARS);
        List<LessonSearch.Hit> hits = query.isEmpty() ? List.of() : search.search(query, SEARCH_LIMIT);
        pages.render(ctx, "search.html", Map.of("query", query, "hits", hits), learner);
    }

    /** A glossary entry for the page: its anchor, term and definition HTML. */
    public record Term(String anchor, String term, String html) {}

    public void glossary(Context ctx) {
        Learner learner = sessions.ensure(ctx);
        List<Term> terms = lessons.glossary().entries().stream()
                .map(e -> new Term(Glossary.anchor(e.term()), e.term(), e.html()))
                .sorted(java.util.Comparator.comparing(t -> t.term().toLowerCase(java.util.Locale.ROOT)))
                .toList();
        pages.render(ctx, "glossary.html", Map.of("terms", terms), learner);
    }
}
