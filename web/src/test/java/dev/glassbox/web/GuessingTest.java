package dev.glassbox.web;

import dev.glassbox.kernel.KernelSettings;
import dev.glassbox.web.classroom.Passphrase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nobody guesses their way in: after five wrong teacher passphrases in a minute from one address, or
 * twenty wrong class codes, that address is refused (429) for the rest of the minute, even with the
 * right passphrase or code. Each test has its own server, since the limit holds for the whole address.
 */
class GuessingTest {
    static final String PASSPHRASE = "the real passphrase";

    @TempDir
    Path data;
    App app;

    @BeforeEach
    void start() throws Exception {
        KernelSettings kernels = KernelSettings.defaults(data.resolve("scratch")).withPoolSize(0);
        app = App.start(new App.Settings("127.0.0.1", 0, data, null, kernels).withClassroom(Passphrase.of(PASSPHRASE)));
    }

    @AfterEach
    void stop() {
        app.close();
    }

    @Test
    void teacherSignInIsRateLimited() throws Exception {
        Browserless guesser = new Browserless(app.port());
        for (int i = 1; i <= 5; i++) {
            HttpResponse<String> wrong = guesser.signIn("guess number " + i);
            assertEquals(401, wrong.statusCode(), "guess " + i);
        }
        HttpResponse<String> limited = guesser.signIn(PASSPHRASE);
        assertEquals(429, limited.statusCode(), "the right passphrase after five wrong ones is still refused");
        assertTrue(limited.body().contains("Too many wrong passphrases from this computer"), limited.body());
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter > 0 && retryAfter <= 60, "Retry-After " + retryAfter);
        assertEquals(401, guesser.get("/api/classes/ABCDEF/dashboard").statusCode(), "and nobody was signed in");
    }

    @Test
    void wrongClassCodesAreRateLimited() throws Exception {
        Browserless teacher = new Browserless(app.port());
        assertEquals(303, teacher.signIn(PASSPHRASE).statusCode());
        String code = ClassroomTest.createClass(teacher, "Guessing");
        String wrongCode = code.equals("ABCDEF") ? "ABCDEG" : "ABCDEF";

        Browserless guesser = new Browserless(app.port()).login();
        for (int i = 1; i <= 20; i++) {
            assertEquals(404, guesser.call("POST", "/api/join", java.util.Map.of("code", wrongCode, "name", "Eve")).statusCode(), "guess " + i);
        }
        HttpResponse<String> limited = guesser.call("POST", "/api/join", java.util.Map.of("code", code, "name", "Eve"));
        assertEquals(429, limited.statusCode(), limited.body());
        assertTrue(Browserless.json(limited).get("error").asText().contains("Too many wrong class codes"), limited.body());
    }
}
