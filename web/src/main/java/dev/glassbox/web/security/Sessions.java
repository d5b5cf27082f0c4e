package dev.glassbox.web.security;

import dev.glassbox.web.store.Store;
import dev.glassbox.web.store.Store.Learner;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Anonymous learners: a random session cookie (HttpOnly, SameSite=Strict) identifies a learner; the
 * database keeps only its SHA-256. Each learner also has a CSRF token that every state-changing request
 * must send back in the {@code X-CSRF-Token} header.
 */
public final class Sessions {
    public static final String COOKIE = "glassbox_session";
    private static final int ONE_YEAR_SECONDS = 365 * 24 * 3600;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Store store;
    private final boolean secureCookies;

    public Sessions(Store store, boolean secureCookies) {
        this.store = store;
        this.secureCookies = secureCookies;
    }

    /** The learner this request belongs to, if its cookie names one. */
    public Optional<Learner> current(Context ctx) {
        Learner cached = ctx.attribute("learner");
        if (cached != null) return Optional.of(cached);
        String token = ctx.cookie(COOKIE);
        if (token == null || token.length() > 100) return Optional.empty();
        Optional<Learner> learner = store.learnerByTokenHash(hash(token));
        learner.ifPresent(l -> ctx.attribute("learner", l));
        return learner;
    }

    /** The current learner, or a new one with a fresh cookie set on the response. */
    public Learner ensure(Context ctx) {
        return current(ctx).orElseGet(() -> {
            String token = randomToken();
            Learner learner = store.createLearner(randomToken(), hash(token), randomToken());
            ctx.header("Set-Cookie", COOKIE + "=" + token + "; Path=/; Max-Age=" + ONE_YEAR_SECONDS
                    + "; HttpOnly; SameSite=Strict" + (secureCookies ? "; Secure" : ""));
            ctx.attribute("learner", learner);
            return learner;
        });
    }

    static String randomToken() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Constant-time comparison of a presented token with the expected one. */
    static boolean same(String presented, String expected) {
        return presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }
}
