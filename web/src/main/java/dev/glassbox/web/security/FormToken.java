package dev.glassbox.web.security;

import io.javalin.http.Context;

import java.time.Duration;

/**
 * The CSRF token of the forms that start a session (join a class, the teacher's sign-in), which have
 * no session to carry one: a random value in a cookie of its own that the form repeats in its
 * {@code csrf} field ("double submit"). It never touches the session cookie, so showing the join page
 * to a browser that arrived from another site (and so sent no SameSite=Strict cookie) cannot clobber
 * the session it already has.
 */
public final class FormToken {
    public static final String COOKIE = "glassbox_form";
    public static final String FIELD = "csrf";
    private static final Duration LIFETIME = Duration.ofHours(12);

    private FormToken() {}

    /** The token for a form on this page: the browser's, or a new one set on the response. */
    public static String issue(Context ctx) {
        String token = ctx.cookie(COOKIE);
        if (token != null && token.length() >= 20 && token.length() <= 100) return token;
        token = Sessions.randomToken();
        ctx.res().addHeader("Set-Cookie", COOKIE + "=" + token + "; Path=/; Max-Age=" + LIFETIME.toSeconds()
                + "; HttpOnly; SameSite=Strict" + (RequestGuard.overHttps(ctx) ? "; Secure" : ""));
        return token;
    }

    /** True when the form's field repeats the cookie. */
    static boolean valid(Context ctx) {
        String cookie = ctx.cookie(COOKIE);
        String field = isForm(ctx) ? ctx.formParam(FIELD) : ctx.header("X-CSRF-Token");
        return cookie != null && cookie.length() >= 20 && Sessions.same(field, cookie);
    }

    static boolean isForm(Context ctx) {
        String type = ctx.contentType();
        return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }
}
