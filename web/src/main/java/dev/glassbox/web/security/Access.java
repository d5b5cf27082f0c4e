package dev.glassbox.web.security;

import dev.glassbox.web.store.Store.Learner;
import dev.glassbox.web.store.Store.Role;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HttpStatus;
import io.javalin.http.UnauthorizedResponse;
import io.javalin.security.RouteRole;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Who may use what, checked before every request that matched a route (after the {@link RequestGuard}):
 * each route declares its {@link Audience} where it is registered, and a route that declares none is
 * refused to everybody. The rule is the matched route's, so any spelling of a path that reaches the
 * route (a trailing slash, a doubled one) meets the same rule. In single-user mode the one learner is whoever
 * shows the {@link OwnerToken} (everybody, when it is off); a link with {@code ?token=} sets the browser's cookie
 * and leads to the same address without the token. In classroom mode a visitor is sent to {@code /join} (pages) or answered 401 (API) on the
 * class's routes, and a non-teacher to {@code /teacher} (pages) or answered 401 (a visitor) or 403 (a
 * student) (API) on the teacher's. Also
 * notes when each learner was last seen.
 */
public final class Access {
    private static final Logger LOG = Logger.getLogger(Access.class.getName());

    /** Why a single-user request without the owner's token is refused. */
    public static final String TOKEN_MISSING = "This Glassbox belongs to the person who started it: open the link it printed"
            + " at start-up (it ends in ?token=...), or paste the token from the file owner-token in its data folder."
            + " Scripts send the header Authorization: token ...";
    /** Routes a single-user server answers without the owner's token: nothing in them is the owner's. */
    private static final java.util.Set<String> OPEN_WITHOUT_TOKEN = java.util.Set.of("/api/health");

    private final Sessions sessions;
    private final boolean classroom;

    public Access(Sessions sessions, boolean classroom) {
        this.sessions = sessions;
        this.classroom = classroom;
    }

    /** For {@code beforeMatched}: the matched route's rule, applied to the current learner. */
    public void check(Context ctx) {
        Audience audience = audience(ctx.routeRoles());
        if (audience == null && isPublicFile(ctx.path())) return;   // the page's own scripts, styles and images
        if (audience == null) {
            LOG.severe("route " + ctx.method() + " " + ctx.endpoint().path + " declares no Audience: refused to everybody");
            throw new ForbiddenResponse("This address is closed: it declares who may use it nowhere.");
        }
        if (!classroom && sessions.tokenRequired()) {
            ownerOnly(ctx);
            return;
        }
        Optional<Learner> learner = sessions.current(ctx);
        learner.ifPresent(sessions::seen);
        if (!classroom || audience == Audience.EVERYONE) return;
        Role role = learner.map(Learner::role).orElse(null);
        String path = ctx.path();
        boolean api = path.startsWith("/api/");
        if (audience == Audience.TEACHER) {
            if (role == Role.TEACHER) return;
            if (api && role == Role.STUDENT) throw new ForbiddenResponse("This is for the teacher only.");
            if (api) throw new UnauthorizedResponse("This is for the teacher only: sign in as the teacher first, at /teacher.");
            ctx.redirect("/teacher", HttpStatus.SEE_OTHER);
            ctx.skipRemainingHandlers();
            return;
        }
        if (role == Role.STUDENT || role == Role.TEACHER) return;
        if (api) throw new UnauthorizedResponse("Join a class first: open /join and enter the class code your teacher gave you");
        ctx.redirect("/join" + (path.equals("/") ? "" : "?next=" + URLEncoder.encode(path, StandardCharsets.UTF_8)), HttpStatus.SEE_OTHER);
        ctx.skipRemainingHandlers();
    }

    /**
     * Single-user mode with the token on: a request that shows it passes (and a link that carries it sets the cookie
     * and leads to the same page without it); any other is refused, but for {@link #OPEN_WITHOUT_TOKEN}.
     */
    private void ownerOnly(Context ctx) {
        String fromLink = ctx.queryParam(OwnerToken.PARAMETER);
        if (fromLink != null) {
            if (!sessions.isOwnerToken(fromLink)) {
                throw new UnauthorizedResponse("The token in this link is not this Glassbox's token. " + TOKEN_MISSING);
            }
            sessions.rememberOwner(ctx);
            if (ctx.method() == io.javalin.http.HandlerType.GET && !ctx.path().startsWith("/api/")) {
                ctx.redirect(withoutToken(ctx), HttpStatus.SEE_OTHER);   // the token leaves the address bar and the history
                ctx.skipRemainingHandlers();
                return;
            }
        }
        Optional<Learner> owner = sessions.current(ctx);
        if (owner.isPresent()) {
            sessions.seen(owner.get());
            return;
        }
        io.javalin.router.Endpoint route = ctx.endpoints().matchedHttpEndpoint();
        if (route != null && OPEN_WITHOUT_TOKEN.contains(route.path)) return;
        throw new UnauthorizedResponse(TOKEN_MISSING);
    }

    /** The request's path and query without the token parameter. */
    private static String withoutToken(Context ctx) {
        String query = ctx.queryParamMap().entrySet().stream()
                .filter(e -> !e.getKey().equals(OwnerToken.PARAMETER))
                .flatMap(e -> e.getValue().stream().map(v -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(v, StandardCharsets.UTF_8)))
                .collect(java.util.stream.Collectors.joining("&"));
        return localPath(ctx.path() + (query.isEmpty() ? "" : "?" + query));
    }

    /** Whether {@code path} names a file of the app's static folder ({@code /public} on the class path): no route, no rule. */
    static boolean isPublicFile(String path) {
        if (path.contains("..") || path.endsWith("/")) return false;
        return Access.class.getResource("/public" + path) != null;
    }

    /** The one {@link Audience} among a route's roles, or null when it declares none (or several). */
    public static Audience audience(Set<? extends RouteRole> roles) {
        List<Audience> declared = roles.stream().filter(Audience.class::isInstance).map(Audience.class::cast).toList();
        return declared.size() == 1 ? declared.getFirst() : null;
    }

    /** {@code next} if it is a path on this server (never another site: no open redirects), else "/". */
    public static String localPath(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\") || next.length() > 500) return "/";
        for (int i = 0; i < next.length(); i++) {
            if (next.charAt(i) < 0x20 || next.charAt(i) == 0x7f) return "/";
        }
        return next;
    }
}
