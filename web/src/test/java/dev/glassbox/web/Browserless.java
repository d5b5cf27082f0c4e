package dev.glassbox.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.web.server.Json;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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

    /**
     * A script of {@code app}'s user: in single-user mode it first opens the start-up link with the owner's token,
     * as the README says, which sets the cookie every later request shows.
     */
    Browserless(App app) {
        this("http://localhost:" + app.port(), client(app));
    }

    /** The owner of a server started as the README says, by opening the link it printed ({@code http://localhost:PORT/?token=...}). */
    static Browserless opening(String startUrl) throws IOException, InterruptedException {
        URI link = URI.create(startUrl);
        Browserless b = new Browserless("http://localhost:" + link.getPort(), HttpClient.newBuilder().cookieHandler(new CookieManager()).build());
        HttpResponse<String> opened = b.get(link.getRawPath() + (link.getRawQuery() == null ? "" : "?" + link.getRawQuery()));
        if (link.getRawQuery() != null && opened.statusCode() != 303) {
            throw new AssertionError("the start-up link " + startUrl + " answered " + opened.statusCode() + ": " + opened.body());
        }
        return b;
    }

    private static HttpClient client(App app) {
        try {
            return OwnerLink.client(app);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
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

    /** The session's cookies as a Cookie header, for a request this client cannot make (a raw socket). */
    String cookieHeader() {
        CookieManager cookies = (CookieManager) http.cookieHandler().orElseThrow();
        return cookies.getCookieStore().getCookies().stream().map(c -> c.getName() + "=" + c.getValue()).collect(Collectors.joining("; "));
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

    /** A plain HTML form post from our own page (same origin); the client does not follow redirects. */
    HttpResponse<String> form(String path, Map<String, String> fields) throws IOException, InterruptedException {
        return form(path, fields, Map.of());
    }

    /** As {@link #form(String, Map)}, with more headers (e.g. what a reverse proxy adds). */
    HttpResponse<String> form(String path, Map<String, String> fields, Map<String, String> headers) throws IOException, InterruptedException {
        String body = fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", base);
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final Pattern FORM_TOKEN = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    /** The CSRF token in the form of the page at {@code path}. */
    String formToken(String path) throws IOException, InterruptedException {
        HttpResponse<String> page = get(path);
        Matcher m = FORM_TOKEN.matcher(page.body());
        if (!m.find()) throw new AssertionError("no csrf field on " + path + " (" + page.statusCode() + ")");
        return m.group(1);
    }

    /** Joins a class through the form at /join, as a student's browser does; then holds the student's CSRF token. */
    HttpResponse<String> join(String code, String name) throws IOException, InterruptedException {
        HttpResponse<String> r = form("/join", Map.of("csrf", formToken("/join"), "code", code, "name", name, "next", "/"));
        if (r.statusCode() == 303) login();
        return r;
    }

    /** Signs in as the teacher through the form at /teacher. */
    HttpResponse<String> signIn(String passphrase) throws IOException, InterruptedException {
        HttpResponse<String> r = form("/teacher/login", Map.of("csrf", formToken("/teacher"), "passphrase", passphrase));
        if (r.statusCode() == 303) login();
        return r;
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
