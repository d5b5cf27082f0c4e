package dev.glassbox.web;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** A script talking to the API the way the README says: GET /api/session, then send the CSRF token back. */
final class Browserless {
    static {
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    }

    final String base;
    final HttpClient http;
    String csrf;

    Browserless(int port) {
        this("http://localhost:" + port, HttpClient.newBuilder().cookieHandler(new CookieManager()).build());
    }

    private Browserless(String base, HttpClient http) {
        this.base = base;
        this.http = http;
    }

    /** The same learner (cookie and token) talking to a server on another port, e.g. after a restart. */
    Browserless rebase(int port) {
        Browserless moved = new Browserless("http://localhost:" + port, http);
        moved.csrf = csrf;
        return moved;
    }

    Browserless login() throws IOException, InterruptedException {
        csrf = json(get("/api/session")).get("csrfToken").asText();
        return this;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> send(String method, String path, Object body, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.write(body)))
                .header("Content-Type", "application/json");
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A state-changing request as the page sends it: same origin, with the CSRF token. */
    HttpResponse<String> call(String method, String path, Object body) throws IOException, InterruptedException {
        return send(method, path, body, Map.of("X-CSRF-Token", csrf, "Origin", base));
    }

    String openKernel() throws IOException, InterruptedException {
        HttpResponse<String> r = call("POST", "/api/kernels", null);
        if (r.statusCode() != 201) throw new AssertionError("open kernel: " + r.statusCode() + " " + r.body());
        return json(r).get("id").asText();
    }

    JsonNode execute(String kernel, String code) throws IOException, InterruptedException {
        return json(call("POST", "/api/kernels/" + kernel + "/execute", Map.of("code", code)));
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return Json.MAPPER.readTree(response.body());
    }
}
