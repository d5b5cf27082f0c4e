package dev.glassbox.web.course;

import dev.glassbox.lessons.LessonCatalog;
import dev.glassbox.web.api.LessonApi;
import dev.glassbox.web.api.QuizApi;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.security.Sessions;
import dev.glassbox.web.store.Store;
import io.javalin.config.RoutesConfig;

import java.util.regex.Pattern;

/** Adds the course pages and API to the app: one call from {@code App.create}. */
public final class CourseRoutes {
    /** The paths for a class's members in classroom mode (besides the lesson paths they already cover). */
    public static final Pattern PATHS = Pattern.compile("/course|/search|/glossary|/drafts(?:/.*)?|/api/drafts(?:/.*)?");

    private CourseRoutes() {}

    public static void register(RoutesConfig routes, Pages pages, Sessions sessions, Store store, LessonCatalog lessons,
                                LessonApi lessonApi) {
        CoursePages course = new CoursePages(pages, sessions, store, lessons, lessonApi);
        NotebookFiles files = new NotebookFiles(pages, sessions, store, lessons);
        QuizApi quizzes = new QuizApi(lessons, sessions, store);
        routes.get("/course", course::map);
        routes.get("/search", course::search);
        routes.get("/glossary", course::glossary);
        routes.post("/api/lessons/{lesson}/quizzes/{quiz}", quizzes::answer);
        routes.get("/lessons/{lesson}/notebook.ipynb", files::exportIpynb);
        routes.get("/lessons/{lesson}/notebook.html", files::exportHtml);
        routes.post("/api/drafts", files::importIpynb);
        routes.delete("/api/drafts/{draft}", files::deleteDraft);
        routes.get("/drafts/{draft}", files::draftPage);
        routes.get("/drafts/{draft}/lesson.md", files::draftMarkdown);
    }
}
