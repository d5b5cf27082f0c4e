package dev.glassbox.web.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.web.App;
import dev.glassbox.web.OwnerLink;
import dev.glassbox.web.server.Json;
import dev.glassbox.web.store.Store.Role;

import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

/**
 * The API as a script uses it: the owner of a single-user server (who opened the start-up link), or a student who
 * joined a class with {@code POST /api/join}; then GET /api/session for the CSRF token, and JSON posts.
 */
final class ApiClient {
    private final String base;
    private final HttpClient http;
    private String csrf;

    private ApiClient(String base, HttpClient http) {
        this.base = base;
        this.http = http;
    }

    /** Single-user mode's owner. */
    static ApiClient owner(App app) throws Exception {
        ApiClient client = new ApiClient("http://localhost:" + app.port(), OwnerLink.client(app));
        client.login();
        return client;
    }

    /** A new student of the class {@code code} on a classroom-mode app. */
    static ApiClient student(App app, String code, String name) throws Exception {
        ApiClient client = new ApiClient("http://localhost:" + app.port(), HttpClient.newBuilder().cookieHandler(new CookieManager()).build());
        client.login();                                           // a visitor's session, to send the join with
        client.post("/api/join", Map.of("code", code, "name", name));
        client.login();                                           // the student's own session and token
        return client;
    }

    /**
     * A class of {@code size} on a classroom-mode app, made on the server's side (the teacher's sign-in form is not
     * what a load run measures); its code.
     */
    static String openClass(App app, int size) {
        var store = app.deps().store();
        var teacher = store.createLearner(UUID.randomUUID().toString(), "bench-teacher:" + UUID.randomUUID(), UUID.randomUUID().toString(), Role.TEACHER);
        String code = app.deps().classroom().createClass(teacher, "Load run").code();
        app.deps().classroom().setClassSize(code, size);
        return code;
    }

    private void login() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/session")).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("/api/session answered " + r.statusCode() + ": " + r.body());
        csrf = Json.MAPPER.readTree(r.body()).get("csrfToken").asText();
    }

    /** The session's cookies as a Cookie header, and its CSRF token: for a request made without this client (a raw socket). */
    String cookieHeader() {
        CookieManager cookies = (CookieManager) http.cookieHandler().orElseThrow();
        return String.join("; ", cookies.getCookieStore().getCookies().stream().map(c -> c.getName() + "=" + c.getValue()).toList());
    }

    String csrf() {
        return csrf;
    }

    String openKernel() throws Exception {
        return post("/api/kernels", null).get("id").asText();
    }

    /** Stops the kernel's running cell and the cells waiting for it. */
    JsonNode interrupt(String kernel) throws Exception {
        return post("/api/kernels/" + kernel + "/interrupt", null);
    }

    JsonNode execute(String kernel, String code) throws Exception {
        return post("/api/kernels/" + kernel + "/execute", Map.of("code", code));
    }

    private JsonNode post(String path, Object body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .header("X-CSRF-Token", csrf).header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(Json.write(body)))
                .build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        return Json.MAPPER.readTree(r.body());
    }
}
