package dev.glassbox.web;

import dev.glassbox.notebook.host.KernelSettings;
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
        Browserless guesser = new Browserless(app);
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
        Browserless teacher = new Browserless(app);
        assertEquals(303, teacher.signIn(PASSPHRASE).statusCode());
        String code = ClassroomTest.createClass(teacher, "Guessing");
        String wrongCode = code.equals("ABCDEF") ? "ABCDEG" : "ABCDEF";

        Browserless guesser = new Browserless(app).login();
        for (int i = 1; i <= 20; i++) {
            assertEquals(404, guesser.call("POST", "/api/join", java.util.Map.of("code", wrongCode, "name", "Eve")).statusCode(), "guess " + i);
        }
        HttpResponse<String> limited = guesser.call("POST", "/api/join", java.util.Map.of("code", code, "name", "Eve"));
        assertEquals(429, limited.statusCode(), limited.body());
        assertTrue(Browserless.json(limited).get("error").asText().contains("Too many wrong class codes"), limited.body());
    }

    /** A wrong sign-in through a proxy that says the request came from {@code address}. */
    static HttpResponse<String> signInFrom(App app, String address, String passphrase) throws Exception {
        Browserless b = new Browserless(app);
        return b.form("/teacher/login", java.util.Map.of("csrf", b.formToken("/teacher"), "passphrase", passphrase),
                java.util.Map.of("X-Forwarded-For", address));
    }

    @Test
    void parallelWrongGuessesAreCountedBeforeAnyIsChecked() throws Exception {
        java.util.List<Browserless> guessers = new java.util.ArrayList<>();
        java.util.List<String> tokens = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Browserless b = new Browserless(app);
            tokens.add(b.formToken("/teacher"));
            guessers.add(b);
        }
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.List<java.util.concurrent.CompletableFuture<Integer>> answers = new java.util.ArrayList<>();
        for (int i = 0; i < guessers.size(); i++) {
            Browserless b = guessers.get(i);
            String token = tokens.get(i);
            int n = i;
            answers.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                    return b.form("/teacher/login", java.util.Map.of("csrf", token, "passphrase", "parallel guess " + n)).statusCode();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
        }
        go.countDown();
        long compared = 0;
        for (var a : answers) if (a.get() == 401) compared++;
        assertTrue(compared <= 5, "at most five guesses a minute from one address reach the passphrase, also in parallel: " + compared);
    }

    @Test
    void behindATrustedProxyOneStudentCannotLockOutTheTeacherButManyAddressesAreLimitedToo() throws Exception {
        app.close();
        app = App.start(new App.Settings("127.0.0.1", 0, data.resolve("proxied"), null,
                KernelSettings.defaults(data.resolve("scratch")).withPoolSize(0))
                .withClassroom(Passphrase.of(PASSPHRASE)).withTrustedProxies(java.util.Set.of("127.0.0.1")));
        for (int i = 1; i <= 5; i++) assertEquals(401, signInFrom(app, "10.0.0.66", "guess " + i).statusCode());
        assertEquals(429, signInFrom(app, "10.0.0.66", "guess 6").statusCode(), "the guesser's own address is limited");
        assertEquals(303, signInFrom(app, "10.0.0.1", PASSPHRASE).statusCode(), "the teacher, at another address behind the same proxy, signs in");
        // a client's own X-Forwarded-For is only the rightmost hop's word: the proxy appends the address it saw
        assertEquals(429, signInFrom(app, "1.2.3.4, 10.0.0.66", "guess 7").statusCode(), "a forged first hop changes nothing");
        for (int a = 2; a <= 4; a++) {
            for (int i = 1; i <= 5; i++) assertEquals(401, signInFrom(app, "10.0.1." + a, "guess " + i).statusCode());
        }
        HttpResponse<String> account = signInFrom(app, "10.0.2.1", "one more guess");
        assertEquals(429, account.statusCode(), "twenty wrong passphrases a minute from all addresses together: " + account.body());
        assertTrue(account.body().contains("several computers"), account.body());
    }

    @Test
    void withoutATrustedProxyAForwardedAddressIsNotBelieved() throws Exception {
        for (int i = 1; i <= 5; i++) assertEquals(401, signInFrom(app, "10.0.0." + i, "guess " + i).statusCode());
        assertEquals(429, signInFrom(app, "10.0.0.99", "guess 6").statusCode(), "a client cannot pick a new address per guess");
    }
}
