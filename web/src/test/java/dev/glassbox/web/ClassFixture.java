package dev.glassbox.web;

import dev.glassbox.web.classroom.Passphrase;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Several learners on one server: a classroom-mode app with one class, its teacher signed in, and students who
 * join it through the forms. (Single-user mode has one learner, the owner, whatever the browser.)
 */
public final class ClassFixture implements AutoCloseable {
    static final String PASSPHRASE = "a fixture passphrase";

    /** A joined student as another test package sees them: their cookies and their CSRF token. */
    public record Student(java.net.http.HttpClient http, String csrf) {}

    public final App app;
    final Browserless teacher;
    final String code;

    private ClassFixture(App app, Browserless teacher, String code) {
        this.app = app;
        this.teacher = teacher;
        this.code = code;
    }

    /** Starts {@code settings} in classroom mode and opens a class. */
    public static ClassFixture start(App.Settings settings) throws Exception {
        App app = App.start(settings.withClassroom(Passphrase.of(PASSPHRASE)));
        Browserless teacher = new Browserless(app);
        assertEquals(303, teacher.signIn(PASSPHRASE).statusCode());
        HttpResponse<String> created = teacher.form("/teacher/classes", Map.of("csrf", teacher.csrf, "name", "Fixture class"));
        assertEquals(303, created.statusCode(), created.body());
        String location = created.headers().firstValue("Location").orElseThrow();
        return new ClassFixture(app, teacher, location.substring(location.lastIndexOf('/') + 1));
    }

    /** A new student of the class, joined and holding their CSRF token. */
    Browserless student(String name) throws Exception {
        Browserless s = new Browserless(app);
        HttpResponse<String> joined = s.join(code, name);
        assertEquals(303, joined.statusCode(), joined.body());
        return s;
    }

    /** As {@link #student}, for tests in other packages. */
    public Student join(String name) throws Exception {
        Browserless s = student(name);
        return new Student(s.http, s.csrf);
    }

    @Override
    public void close() {
        app.close();
    }
}
