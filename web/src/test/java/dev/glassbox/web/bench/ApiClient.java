package dev.glassbox.web.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.web.server.Json;

import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** The API as a script uses it: GET /api/session for the cookie and CSRF token, then JSON posts. */
final class ApiClient {
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
    private String csrf;

    ApiClient(String base) {
        this.base = base;
    }

    void login() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/session")).build(), HttpResponse.BodyHandlers.ofString());
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
