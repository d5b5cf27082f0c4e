package dev.glassbox.web.pages;

import dev.glassbox.lessons.Cell;
import dev.glassbox.lessons.Lesson;
import dev.glassbox.lessons.LessonCatalog;
import dev.glassbox.lessons.Prose;
import dev.glassbox.lessons.Quiz;
import dev.glassbox.lessons.TeacherNote;
import dev.glassbox.web.security.Sessions;
import dev.glassbox.web.store.Progress;
import dev.glassbox.web.store.Store;
import dev.glassbox.web.store.Store.CellState;
import dev.glassbox.web.store.Store.Learner;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The HTML pages: the lesson catalog and a lesson. The front-end bundle brings them to life. */
public final class Pages {
    /** A lesson on the home page. */
    public record LessonCard(String id, String title, String summary, int order, List<String> models,
                             int cells, int exercises, int exercisesPassed, int cellsEdited, int minutes, int quizzes, int quizzesPassed) {}

    /** A lesson file that failed to load. */
    public record Problem(String file, int line, String message) {}

    /**
     * One block of a lesson page: prose HTML, or a cell with the learner's current code. {@code hasSolution}
     * only says that an exercise has one; the solution itself is fetched when the learner asks.
     */
    public record BlockView(boolean prose, String html, String cellId, String code, boolean exercise, int number, boolean edited,
                            boolean hasSolution, String kind, QuizView quiz, List<String> hints) {
        static BlockView prose(String html) {
            return new BlockView(true, html, null, null, false, 0, false, false, "prose", null, List.of());
        }
    }

    /**
     * A quiz as the page shows it before any answer: question and choices, never the key.
     *
     * @param kind "one" (radio buttons), "several" (check boxes) or "text" (short answer)
     */
    public record QuizView(String id, String question, String kind, List<String> choices) {}

    /** Who is signed in, for the page header: a student (name and class) or the teacher; null for anyone else. */
    public record Who(String role, String name, String classCode) {
        /** The first letter of the name, for the avatar (a whole code point, so an emoji stays whole). */
        public String initial() {
            return name.isEmpty() ? "?" : new String(Character.toChars(name.codePointAt(0))).toUpperCase(java.util.Locale.ROOT);
        }
    }

    private final LessonCatalog lessons;
    private final Sessions sessions;
    private final Store store;
    private final String notice;

    public Pages(LessonCatalog lessons, Sessions sessions, Store store, String notice) {
        this.lessons = lessons;
        this.sessions = sessions;
        this.store = store;
        this.notice = notice;
    }

    public void home(Context ctx) {
        Learner learner = sessions.ensure(ctx);
        List<LessonCard> cards = new ArrayList<>();
        for (Lesson lesson : lessons.lessons()) {
            Progress p = Progress.of(store, lesson, learner.id());
            cards.add(new LessonCard(lesson.id(), lesson.title(), lesson.summary(), lesson.order(), lesson.models(),
                    p.cells(), p.exercises(), p.exercisesPassed(), p.cellsEdited(), lesson.minutes(), p.quizzes(), p.quizzesPassed()));
        }
        List<Problem> problems = lessons.problems().stream().map(e -> new Problem(e.file(), e.line(), e.problem())).toList();
        render(ctx, "home.html", Map.of("lessons", cards, "problems", problems), learner);
    }

    public void lesson(Context ctx) {
        Learner learner = sessions.ensure(ctx);
        String id = ctx.pathParam("lesson");
        Lesson lesson = lessons.find(id).orElseThrow(() -> new NotFoundResponse("There is no lesson called \"" + id + "\"."));
        render(ctx, "lesson.html", lessonModel(lesson, learner, store.lessonState(learner.id(), lesson.id())), learner);
    }

    /**
     * Renders every lesson page once, for nobody and into nothing, so that the first learner after start-up does not
     * wait for the templates to be parsed and the rendering code to be compiled (BENCHMARKS.md, "Lesson pages render").
     */
    public void warmUp(ThymeleafRenderer renderer) {
        Learner nobody = new Learner("warm-up", "", Store.Role.LEARNER, null, null, java.time.Instant.now());
        for (Lesson lesson : lessons.lessons()) {
            renderer.page("lesson.html", shell(lessonModel(lesson, nobody, Map.of()), nobody));
        }
    }

    /** What lesson.html shows of {@code lesson} to {@code learner}, with their saved cells. */
    private Map<String, Object> lessonModel(Lesson lesson, Learner learner, Map<String, CellState> saved) {
        List<BlockView> blocks = new ArrayList<>();
        int number = 0;
        boolean teacher = learner.role() == Store.Role.TEACHER;
        for (var block : lesson.blocks()) {
            switch (block) {
                case Prose p -> blocks.add(BlockView.prose(p.html()));
                case Cell c -> {
                    CellState s = saved.get(c.id());
                    boolean edited = s != null && s.code() != null;
                    blocks.add(new BlockView(false, null, c.id(), edited ? s.code() : c.code(), c.exercise(), ++number, edited,
                            c.solution() != null, "cell", null, c.hints()));
                }
                case Quiz q -> blocks.add(new BlockView(false, null, null, null, false, 0, false, false, "quiz",
                        new QuizView(q.id(), q.question(), !q.multipleChoice() ? "text" : q.severalCorrect() ? "several" : "one",
                                q.choices().stream().map(Quiz.Choice::html).toList()), List.of()));
                case TeacherNote note -> {
                    // Only the teacher of classroom mode sees these; a learner's page does not carry them at all.
                    if (teacher) blocks.add(new BlockView(false, note.html(), null, null, false, 0, false, false, "teacher", null, List.of()));
                }
            }
        }
        Map<String, Object> model = new HashMap<>();
        model.put("lesson", lesson);
        model.put("blocks", blocks);
        model.put("next", lessons.next(lesson).orElse(null));
        model.put("requires", lesson.requires().stream().map(lessons::find).flatMap(java.util.Optional::stream).toList());
        return model;
    }

    public void error(Context ctx, int status, String message) {
        Learner learner = sessions.current(ctx).orElse(null);
        ctx.status(status);
        boolean askToken = status == 401 && sessions.tokenRequired();   // the owner's token form: the page it guards is the form's target
        render(ctx, "error.html", Map.of("status", status, "message", message, "askToken", askToken, "path", ctx.path()), learner);
    }

    /** Renders a page shell with what every page has: the CSRF token, the server's notice, who is signed in. */
    public void render(Context ctx, String template, Map<String, Object> model, Learner learner) {
        ctx.header("Cache-Control", "no-store");
        ctx.render(template, shell(model, learner));
    }

    private Map<String, Object> shell(Map<String, Object> model, Learner learner) {
        Map<String, Object> all = new HashMap<>(model);
        all.put("csrfToken", learner == null ? "" : learner.csrfToken());
        all.put("notice", notice);
        all.put("who", who(learner));
        return all;
    }

    private static Who who(Learner learner) {
        if (learner == null) return null;
        return switch (learner.role()) {
            case STUDENT -> new Who("student", learner.displayName(), learner.classCode());
            case TEACHER -> new Who("teacher", "Teacher", null);
            case LEARNER, VISITOR -> null;
        };
    }
}
