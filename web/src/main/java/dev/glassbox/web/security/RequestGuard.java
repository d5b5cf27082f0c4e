package dev.glassbox.web.security;

import dev.glassbox.web.store.Store.Learner;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HandlerType;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Runs before every request. A web page the learner happens to visit must never run code in their
 * kernel through http://localhost, so:
 * <ul>
 * <li>the Host header must be one of ours (this defeats DNS rebinding, where evil.example resolves to 127.0.0.1);</li>
 * <li>a state-changing request must come from our own origin (Origin, or Sec-Fetch-Site when Origin is absent);</li>
 * <li>and it must carry the session's CSRF token in {@code X-CSRF-Token} (or, from a plain HTML form, in its
 *     {@code csrf} field). The two forms that start a session (joining a class, the teacher's sign-in) have no
 *     session yet: they carry the {@link FormToken} instead.</li>
 * </ul>
 * In classroom mode any Host is accepted: students reach the server by whatever address or name the room
 * uses, which the server cannot know. That gives up nothing: DNS rebinding matters to a server that trusts
 * being reachable only from this computer, and a classroom server is reachable from the network anyway.
 * A rebinding page under another name gets none of our cookies (they belong to the name the student
 * used), so it can do only what any visitor can: the session cookie and the CSRF token still guard every
 * request that changes anything.
 * It also sets the security headers of every response (CSP without inline scripts, no framing).
 */
public final class RequestGuard {
    private static final Set<HandlerType> STATE_CHANGING = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.DELETE, HandlerType.PATCH);
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final Sessions sessions;
    private final Set<String> allowedHosts;
    private final Set<String> sessionStartingForms;

    /**
     * @param allowedHosts         host names (without port) this server answers to; empty: any (classroom mode)
     * @param sessionStartingForms paths of the forms that start a session, checked with the {@link FormToken}
     */
    public RequestGuard(Sessions sessions, Set<String> allowedHosts, Set<String> sessionStartingForms) {
        this.sessions = sessions;
        this.allowedHosts = Set.copyOf(allowedHosts);
        this.sessionStartingForms = Set.copyOf(sessionStartingForms);
    }

    public void check(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        // same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with our own form posts.
        ctx.header("Referrer-Policy", "same-origin");
        String host = hostName(ctx.header("Host"));
        if (host == null || (!allowedHosts.isEmpty() && !allowedHosts.contains(host))) {
            throw new ForbiddenResponse("Unknown host " + ctx.header("Host") + ": this Glassbox answers to " + allowedHosts);
        }
        if (!STATE_CHANGING.contains(ctx.method())) return;
        String origin = ctx.header("Origin");
        if (origin != null) {
            String expected = (overHttps(ctx) ? "https" : ctx.scheme()) + "://" + ctx.header("Host");
            if (!origin.equalsIgnoreCase(expected)) {
                throw new ForbiddenResponse("Cross-origin request refused: Origin " + origin + " is not " + expected);
            }
        } else {
            String site = ctx.header("Sec-Fetch-Site");
            if (site != null && !site.equals("same-origin") && !site.equals("none")) {
                throw new ForbiddenResponse("Cross-site request refused (Sec-Fetch-Site: " + site + ")");
            }
        }
        if (sessionStartingForms.contains(ctx.path())) {
            if (!FormToken.valid(ctx)) throw new ForbiddenResponse("This form has expired: reload the page and send it again");
            return;
        }
        Optional<Learner> learner = sessions.current(ctx);
        if (learner.isEmpty() && sessions.tokenRequired()) throw new io.javalin.http.UnauthorizedResponse(Access.TOKEN_MISSING);
        if (learner.isEmpty()) throw new ForbiddenResponse("No session: GET /api/session first, then send its csrfToken in X-CSRF-Token");
        String token = ctx.header("X-CSRF-Token");
        if (token == null && FormToken.isForm(ctx)) token = ctx.formParam(FormToken.FIELD);
        if (!Sessions.same(token, learner.get().csrfToken())) {
            throw new ForbiddenResponse("Missing or wrong X-CSRF-Token header");
        }
    }

    /**
     * True when the browser reached us over HTTPS: directly, or through a proxy that says so in
     * X-Forwarded-Proto. (A client that lies here only withholds its own cookie from plain HTTP.)
     */
    public static boolean overHttps(Context ctx) {
        String forwarded = ctx.header("X-Forwarded-Proto");
        if (forwarded != null && !forwarded.isBlank()) {
            return forwarded.split(",")[0].trim().equalsIgnoreCase("https");
        }
        return "https".equalsIgnoreCase(ctx.scheme());
    }

    /** "localhost:7070" -> "localhost", "[::1]:7070" -> "[::1]"; null when malformed. */
    static String hostName(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) return null;
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? null : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }
}
