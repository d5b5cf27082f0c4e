package dev.glassbox.web;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The single-user owner as the README has them start: by opening the link Glassbox prints, which sets the cookie. */
public final class OwnerLink {
    private OwnerLink() {}

    /** An HTTP client (with cookies) that has opened {@code app}'s start-up link; for a classroom app, a fresh client. */
    public static HttpClient client(App app) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        if (app.ownerToken().isPresent()) {
            HttpResponse<String> opened = http.send(HttpRequest.newBuilder(URI.create(app.startUrl())).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (opened.statusCode() != 303) throw new AssertionError("the start-up link answered " + opened.statusCode() + ": " + opened.body());
        }
        return http;
    }
}
