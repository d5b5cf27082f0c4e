package dev.glassbox.web;

import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.web.classroom.Passphrase;
import dev.glassbox.web.security.Audience;
import dev.glassbox.web.server.ServerLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every route of the classroom app declares who may use it, and a visitor, a student and the teacher each
 * get exactly that, whatever spelling of the path they send (a trailing slash, doubled slashes).
 */
class RouteAccessTest {
    static final String PASSPHRASE = "correct horse battery";
    static final String LESSON = "vectors-in-the-notebook";

    @TempDir
    static Path data;
    static App app;
    static Browserless teacher;
    static Browserless student;
    static Browserless visitor;
    static String code;

    @BeforeAll
    static void start() throws Exception {
        KernelSettings kernels = KernelSettings.defaults(data.resolve("scratch")).withTimeLimit(Duration.ofSeconds(10)).withPoolSize(0);
        app = App.start(new App.Settings("127.0.0.1", 0, data, null, kernels)
                .withClassroom(Passphrase.of(PASSPHRASE)).withLimits(ServerLimits.defaults().withMaxKernels(1)));
        app.awaitModels(Duration.ofMinutes(3));
        teacher = new Browserless(app);
        assertEquals(303, teacher.signIn(PASSPHRASE).statusCode());
        code = ClassroomTest.createClass(teacher, "Period 4");
        student = new Browserless(app);
        assertEquals(303, student.join(code, "Ada").statusCode());
        visitor = new Browserless(app).login();      // an anonymous session: it passes the CSRF check, not the gate
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void everyRouteDeclaresItsAudience() {
        List<App.Route> routes = app.routes();
        assertTrue(routes.size() > 30, "the classroom app has all its routes: " + routes);
        List<App.Route> undeclared = routes.stream().filter(r -> r.audience() == null).toList();
        assertEquals(List.of(), undeclared, "routes without an Audience (refused to everybody)");
    }

    @Test
    void thePagesOwnScriptsAndStylesReachEveryone() throws Exception {
        for (String file : List.of("/assets/app.js", "/assets/app.css", "/assets/favicon.svg")) {
            HttpResponse<String> r = visitor.get(file);
            assertEquals(200, r.statusCode(), file + " is a static file, not a route: " + r.statusCode());
        }
        assertEquals(404, visitor.get("/assets/no-such-file.js").statusCode());
    }

    @Test
    void aTrailingSlashDoesNotGetAVisitorPastTheGate() throws Exception {
        String model = Browserless.json(visitor.get("/api/models")).get(0).get("id").asText();
        for (String path : List.of("/api/models/" + model + "/generate/", "/api/models/" + model + "/generate",
                "/api/models/" + model + "/trace/", "/api/kernels/")) {
            HttpResponse<String> r = visitor.call("POST", path, Map.of("text", "Once upon a time", "maxTokens", 2));
            assertEquals(401, r.statusCode(), "POST " + path + " -> " + r.statusCode() + " " + r.body());
        }
        HttpResponse<String> tensors = visitor.get("/api/models/" + model + "/tensors");
        String tensor = Browserless.json(tensors).get(0).get("name").asText();
        for (String suffix : List.of("/stats", "/stats/", "/values", ".npy")) {
            HttpResponse<String> r = visitor.get("/api/models/" + model + "/tensors/" + tensor + suffix);
            assertEquals(401, r.statusCode(), "tensor data is for the class: " + suffix + " -> " + r.statusCode());
        }
    }

    @Test
    void eachRouteAnswersVisitorStudentAndTeacherAsItsAudienceSays() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (App.Route route : app.routes()) {
            if (route.path().equals("/teacher/logout")) continue;          // it would sign the teacher out for the routes after it
            String path = route.path().replace("{lesson}", LESSON).replace("{code}", code).replace("{id}", "no-such-id")
                    .replace("{cell}", "no-such-cell").replace("{draft}", "no-such-draft").replace("{quiz}", "no-such-quiz").replace("{student}", "no-such-student").replace("<rest>", "no-such-tensor/stats");
            for (String spelling : List.of(path, path.equals("/") ? "/" : path + "/", path.replaceFirst("/", "//"))) {
                for (var who : List.of(Map.entry("visitor", visitor), Map.entry("student", student), Map.entry("teacher", teacher))) {
                    HttpResponse<String> r = route.method().equals("GET") ? who.getValue().get(spelling)
                            : who.getValue().call(route.method(), spelling, Map.of());
                    String refusal = refusal(r);
                    boolean mayUse = switch (route.audience()) {
                        case EVERYONE -> true;
                        case CLASS -> !who.getKey().equals("visitor");
                        case TEACHER -> who.getKey().equals("teacher");
                    };
                    boolean notFound = (r.statusCode() == 404 || r.statusCode() == 400) && !spelling.equals(path);   // another spelling may reach no route at all
                    if (mayUse && refusal != null || !mayUse && refusal == null && !notFound) {
                        wrong.add(who.getKey() + " " + route.method() + " " + spelling + " (" + route.audience() + "): "
                                + r.statusCode() + " " + (refusal != null ? refusal : abbreviate(r.body())));
                    }
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void singleUserModeAsksEveryRouteButHealthForTheOwnersToken(@org.junit.jupiter.api.io.TempDir Path ownerData) throws Exception {
        KernelSettings kernels = KernelSettings.defaults(ownerData.resolve("scratch")).withPoolSize(0);
        try (App single = App.start(new App.Settings("127.0.0.1", 0, ownerData, null, kernels))) {
            Browserless owner = new Browserless(single).login();
            Browserless stranger = new Browserless(single.port());   // another user of the computer: no link, no token
            List<String> wrong = new ArrayList<>();
            for (App.Route route : single.routes()) {
                String path = route.path().replace("{lesson}", LESSON).replace("{id}", "no-such-id").replace("{cell}", "no-such-cell")
                        .replace("{draft}", "no-such-draft").replace("{quiz}", "no-such-quiz").replace("<rest>", "no-such-tensor/stats");
                for (String spelling : List.of(path, path.equals("/") ? "/" : path + "/", path.replaceFirst("/", "//"))) {
                    HttpResponse<String> r = route.method().equals("GET") ? stranger.get(spelling)
                            : stranger.send(route.method(), spelling, Map.of(), Map.of("Origin", stranger.base, "X-CSRF-Token", owner.csrf));
                    boolean open = route.path().equals("/api/health");
                    boolean notFound = (r.statusCode() == 404 || r.statusCode() == 400) && !spelling.equals(path);
                    boolean refused = r.statusCode() == 401 && r.body().contains("?token=");
                    if (open == refused && !notFound) wrong.add(route.method() + " " + spelling + ": " + r.statusCode() + " " + abbreviate(r.body()));
                }
            }
            assertEquals(List.of(), wrong);
            assertEquals(200, owner.get("/lessons/" + LESSON).statusCode(), "the owner gets in");
        }
    }

    /** How the gate refused the request, or null when it let it through (whatever the route then answered). */
    static String refusal(HttpResponse<String> r) {
        String location = r.headers().firstValue("Location").orElse("");
        if (r.statusCode() == 401 && r.body().contains("Join a class first")) return "401 join first";
        if (r.statusCode() == 401 && r.body().contains("teacher only")) return "401 teacher only";
        if (r.statusCode() == 403 && r.body().contains("teacher only")) return "403 teacher only";
        if (r.statusCode() == 303 && (location.startsWith("/join") || location.equals("/teacher"))) return "303 " + location;
        return null;
    }

    static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
