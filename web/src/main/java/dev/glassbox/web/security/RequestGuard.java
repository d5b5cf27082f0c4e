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
 * <li>and it must carry the learner's CSRF token in {@code X-CSRF-Token}.</li>
 * </ul>
 * It also sets the security headers of every response (CSP without inline scripts, no framing).
 */
public final class RequestGuard {
    private static final Set<HandlerType> STATE_CHANGING = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.DELETE, HandlerType.PATCH);
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final Sessions sessions;
    private final Set<String> allowedHosts;

    /** {@code allowedHosts}: host names (without port) this server answers to. */
    public RequestGuard(Sessions sessions, Set<String> allowedHosts) {
        this.sessions = sessions;
        this.allowedHosts = Set.copyOf(allowedHosts);
    }

    public void check(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        String host = hostName(ctx.header("Host"));
        if (host == null || !allowedHosts.contains(host)) {
            throw new ForbiddenResponse("Unknown host " + ctx.header("Host") + ": this Glassbox answers to " + allowedHosts);
        }
        if (!STATE_CHANGING.contains(ctx.method())) return;
        String origin = ctx.header("Origin");
        if (origin != null) {
            String expected = ctx.scheme() + "://" + ctx.header("Host");
            if (!origin.equalsIgnoreCase(expected)) {
                throw new ForbiddenResponse("Cross-origin request refused: Origin " + origin + " is not " + expected);
            }
        } else {
            String site = ctx.header("Sec-Fetch-Site");
            if (site != null && !site.equals("same-origin") && !site.equals("none")) {
                throw new ForbiddenResponse("Cross-site request refused (Sec-Fetch-Site: " + site + ")");
            }
        }
        Optional<Learner> learner = sessions.current(ctx);
        if (learner.isEmpty()) throw new ForbiddenResponse("No session: GET /api/session first, then send its csrfToken in X-CSRF-Token");
        if (!Sessions.same(ctx.header("X-CSRF-Token"), learner.get().csrfToken())) {
            throw new ForbiddenResponse("Missing or wrong X-CSRF-Token header");
        }
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
