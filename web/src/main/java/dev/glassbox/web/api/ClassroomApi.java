package dev.glassbox.web.api;

import dev.glassbox.web.classroom.ClassDashboard;
import dev.glassbox.lessons.LessonCatalog;
import dev.glassbox.web.classroom.Classroom;
import dev.glassbox.web.classroom.ProgressCsv;
import dev.glassbox.web.store.Store;
import dev.glassbox.web.store.Store.ClassInfo;
import dev.glassbox.web.store.Store.Learner;
import dev.glassbox.web.server.RequestBody;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Classroom mode's JSON API: {@code POST /api/join} for scripts (the page uses the form at /join), and the
 * teacher's dashboard data and actions under {@code /api/classes/{code}}. Every teacher route checks for
 * the teacher's session; the guard has already checked its CSRF token.
 */
public final class ClassroomApi {
    private final Classroom classroom;
    private final ClassDashboard dashboard;
    private final Store store;
    private final LessonCatalog lessons;

    public ClassroomApi(Classroom classroom, ClassDashboard dashboard, Store store, LessonCatalog lessons) {
        this.classroom = classroom;
        this.dashboard = dashboard;
        this.store = store;
        this.lessons = lessons;
    }

    /** {@code {"code","name"}} -> a student session (new cookie) and its CSRF token. */
    public void join(Context ctx) {
        RequestBody body = RequestBody.of(ctx);
        Learner student = classroom.join(ctx, body.string("code"), body.string("name"));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("csrfToken", student.csrfToken());
        answer.put("name", student.displayName());
        answer.put("classCode", student.classCode());
        ctx.header("Cache-Control", "no-store");
        ctx.json(answer);
    }

    public void dashboard(Context ctx) {
        classroom.teacher(ctx);
        ClassInfo klass = classroom.classByCode(ctx.pathParam("code"));
        ctx.header("Cache-Control", "no-store");
        ctx.json(dashboard.view(klass));
    }

    public void restartStudent(Context ctx) {
        classroom.teacher(ctx);
        ClassInfo klass = classroom.classByCode(ctx.pathParam("code"));
        int restarted = classroom.restartKernelsOf(klass.code(), ctx.pathParam("student"));
        ctx.json(Map.of("restarted", restarted));
    }

    public void resetLesson(Context ctx) {
        classroom.teacher(ctx);
        ClassInfo klass = classroom.classByCode(ctx.pathParam("code"));
        int cleared = classroom.resetLesson(klass.code(), ctx.pathParam("lesson"));
        ctx.json(Map.of("cellsCleared", cleared, "students", klass.students()));
    }

    /** {@code {"maxStudents": n}}: how many students may join. */
    public void setClassSize(Context ctx) {
        classroom.teacher(ctx);
        ClassInfo klass = classroom.classByCode(ctx.pathParam("code"));
        ClassInfo changed = classroom.setClassSize(klass.code(), RequestBody.of(ctx).integer("maxStudents"));
        ctx.json(Map.of("students", changed.students(), "maxStudents", changed.maxStudents()));
    }

    /** Starts a kernel for each student still to come; answers how many are ready and what the pool aims for. */
    public void getKernelsReady(Context ctx) {
        classroom.teacher(ctx);
        ClassInfo klass = classroom.classByCode(ctx.pathParam("code"));
        var readiness = classroom.getKernelsReady(klass.code());
        ctx.json(Map.of("warm", readiness.warm(), "starting", readiness.starting(), "target", readiness.target()));
    }

    public void removeStudent(Context ctx) {
        classroom.teacher(ctx);
        ClassInfo klass = classroom.classByCode(ctx.pathParam("code"));
        int closed = classroom.removeStudent(klass.code(), ctx.pathParam("student"));
        ctx.json(Map.of("removed", true, "kernelsClosed", closed));
    }

    /** Per student and exercise: attempts, passed, when (see {@link ProgressCsv}). */
    public void progressCsv(Context ctx) {
        classroom.teacher(ctx);
        ClassInfo klass = classroom.classByCode(ctx.pathParam("code"));
        ctx.header("Cache-Control", "no-store");
        ctx.header("Content-Disposition", "attachment; filename=\"glassbox-" + klass.code() + "-progress.csv\"");
        ctx.contentType("text/csv; charset=utf-8");
        ctx.result(ProgressCsv.of(klass.code(), store, lessons));
    }
}
