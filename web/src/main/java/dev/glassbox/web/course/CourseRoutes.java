package dev.glassbox.web.course;

import dev.glassbox.lessons.LessonCatalog;
import dev.glassbox.web.api.QuizApi;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.security.Audience;
import dev.glassbox.web.security.Sessions;
import dev.glassbox.web.store.Store;
import io.javalin.config.RoutesConfig;

/** Adds the course pages and API to the app: one call from {@code App.create}. */
public final class CourseRoutes {

    private CourseRoutes() {}

    public static void register(RoutesConfig routes, Pages pages, Sessions sessions, Store store, LessonCatalog lessons) {
        CoursePages course = new CoursePages(pages, sessions, store, lessons);
        NotebookFiles files = new NotebookFiles(pages, sessions, store, lessons);
        QuizApi quizzes = new QuizApi(lessons, sessions, store);
        routes.get("/course", course::map, Audience.CLASS);
        routes.get("/search", course::search, Audience.CLASS);
        routes.get("/glossary", course::glossary, Audience.CLASS);
        routes.post("/api/lessons/{lesson}/quizzes/{quiz}", quizzes::answer, Audience.CLASS);
        routes.get("/lessons/{lesson}/notebook.ipynb", files::exportIpynb, Audience.CLASS);
        routes.get("/lessons/{lesson}/notebook.html", files::exportHtml, Audience.CLASS);
        routes.post("/api/drafts", files::importIpynb, Audience.CLASS);
        routes.delete("/api/drafts/{draft}", files::deleteDraft, Audience.CLASS);
        routes.get("/drafts/{draft}", files::draftPage, Audience.CLASS);
        routes.get("/drafts/{draft}/lesson.md", files::draftMarkdown, Audience.CLASS);
    }
}
