package dev.glassbox.web.security;

import dev.glassbox.web.store.Store;
import dev.glassbox.web.store.Store.Learner;
import dev.glassbox.web.store.Store.Role;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions: a random cookie (HttpOnly, SameSite=Strict, Secure over HTTPS) names a learner; the
 * database keeps only its SHA-256. Each session also has a CSRF token that every state-changing
 * request must send back. In single-user mode there is one learner, the owner: every request that shows the
 * {@link OwnerToken} (or every request, when the owner turned the token off) is theirs, from any browser. In
 * classroom mode a session begins when a student joins a class or the teacher signs in, always with a new cookie
 * (so a cookie planted before the sign-in is worth nothing after it).
 */
public final class Sessions {
    public static final String COOKIE = "glassbox_session";
    /** A teacher signs in again after this long; a student's or learner's cookie lasts a year. */
    public static final Duration TEACHER_SESSION = Duration.ofHours(12);
    private static final Duration LEARNER_SESSION = Duration.ofDays(365);
    /** A visitor's session: long enough to read the join page and join. */
    static final Duration VISITOR_SESSION = Duration.ofDays(1);
    /** Visitors kept in memory at most; the oldest is forgotten first (it gets a new session on its next visit). */
    static final int MAX_VISITORS = 10_000;
    /** The database learns that someone was seen at most this often per learner; the dashboard reads the fresher memory. */
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Makes the stored learner of a new session from its id, cookie hash and CSRF token. */
    @FunctionalInterface
    public interface NewLearner {
        Learner create(String id, String tokenHash, String csrfToken);
    }

    private final Store store;
    /** Single-user mode's one learner; null in classroom mode. */
    private final Learner owner;
    /** What a request must show to be the owner; null when the owner turned it off (or in classroom mode). */
    private final OwnerToken ownerToken;
    private final Map<String, Instant> lastSeen = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastTouched = new ConcurrentHashMap<>();
    /**
     * Classroom visitors (who have not joined a class), by the hash of their cookie: kept in memory only, the
     * {@link #MAX_VISITORS} most recent for {@link #VISITOR_SESSION}, since a script can ask for sessions without end
     * and a visitor has nothing to save. Joining makes a student, in the database.
     */
    private final Map<String, Learner> visitors = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Learner> eldest) {
            return size() > MAX_VISITORS;
        }
    };

    private Sessions(Store store, Learner owner, OwnerToken ownerToken) {
        this.store = store;
        this.owner = owner;
        this.ownerToken = ownerToken;
    }

    /** Classroom mode: a first visit makes a visitor, who becomes a student by joining a class. */
    public static Sessions classroom(Store store) {
        return new Sessions(store, null, null);
    }

    /**
     * Single-user mode: one learner, the owner, whoever's browser it is. {@code token}: what each request must show
     * to be the owner (null: nothing, anyone who reaches the server is the owner). With a token, the cookie of the
     * owner is the token itself, so the owner's learner row is the one whose cookie hash is the token's; a data
     * folder from before the token gets its most recently seen learner as the owner (work done in other browsers
     * stays in the database, unreachable).
     */
    public static Sessions singleUser(Store store, OwnerToken token) {
        String hash = hash(token != null ? token.value() : randomToken());   // without a token no cookie names the owner
        Learner owner = store.ownerLearner(hash, randomToken(), randomToken());
        return new Sessions(store, owner, token);
    }

    /** Whether requests must show the owner's token (single-user mode with the token on). */
    public boolean tokenRequired() {
        return ownerToken != null;
    }

    /** Whether {@code presented} is the owner's token. */
    boolean isOwnerToken(String presented) {
        return ownerToken != null && ownerToken.matches(presented);
    }

    /** Makes this browser the owner's: the session cookie becomes the token (single-user mode with the token on). */
    void rememberOwner(Context ctx) {
        ctx.res().addHeader("Set-Cookie", COOKIE + "=" + ownerToken.value() + "; Path=/; Max-Age=" + LEARNER_SESSION.toSeconds()
                + "; HttpOnly; SameSite=Strict" + (RequestGuard.overHttps(ctx) ? "; Secure" : ""));
    }

    /** The learner this request belongs to, if its cookie names one (an expired teacher session names nobody). */
    public Optional<Learner> current(Context ctx) {
        Learner cached = ctx.attribute("learner");
        if (cached != null) return Optional.of(cached);
        if (owner != null) {
            if (ownerToken != null && !ownerToken.shownBy(ctx)) return Optional.empty();
            ctx.attribute("learner", owner);
            return Optional.of(owner);
        }
        String token = ctx.cookie(COOKIE);
        if (token == null || token.length() > 100) return Optional.empty();
        String hash = hash(token);
        Learner visitor = visitor(hash);
        if (visitor != null) {
            ctx.attribute("learner", visitor);
            return Optional.of(visitor);
        }
        Optional<Learner> learner = store.learnerByTokenHash(hash)
                .filter(l -> l.role() != Role.TEACHER || l.createdAt().plus(TEACHER_SESSION).isAfter(Instant.now()));
        learner.ifPresent(l -> ctx.attribute("learner", l));
        return learner;
    }

    /**
     * The current learner, or (classroom mode) a new visitor with a fresh cookie set on the response. In single-user
     * mode the owner, whom {@link Access} let through.
     */
    public Learner ensure(Context ctx) {
        if (owner != null) {
            return current(ctx).orElseThrow(() -> new io.javalin.http.UnauthorizedResponse(Access.TOKEN_MISSING));
        }
        return current(ctx).orElseGet(() -> start(ctx, VISITOR_SESSION, (id, hash, csrf) -> {
            Learner visitor = new Learner(id, csrf, Role.VISITOR, null, null, Instant.now());
            synchronized (visitors) {
                visitors.put(hash, visitor);
            }
            return visitor;
        }));
    }

    /** The visitor whose cookie has this hash, if it is still kept. */
    private Learner visitor(String hash) {
        synchronized (visitors) {
            Learner v = visitors.get(hash);
            if (v != null && v.createdAt().plus(VISITOR_SESSION).isBefore(Instant.now())) {
                visitors.remove(hash);
                return null;
            }
            return v;
        }
    }

    /** Visitors kept in memory now. */
    public int visitorCount() {
        synchronized (visitors) {
            return visitors.size();
        }
    }

    /**
     * Starts a new session for the learner {@code create} makes, with a new cookie; a visitor session
     * the request had is forgotten.
     */
    public Learner start(Context ctx, Duration lifetime, NewLearner create) {
        Optional<Learner> before = current(ctx);
        String token = randomToken();
        Learner learner = create.create(randomToken(), hash(token), randomToken());
        ctx.res().addHeader("Set-Cookie", COOKIE + "=" + token + "; Path=/; Max-Age=" + lifetime.toSeconds()
                + "; HttpOnly; SameSite=Strict" + (RequestGuard.overHttps(ctx) ? "; Secure" : ""));
        ctx.attribute("learner", learner);
        before.filter(b -> b.role() == Role.VISITOR).ifPresent(b -> {
            synchronized (visitors) {
                visitors.values().removeIf(v -> v.id().equals(b.id()));
            }
            store.deleteVisitor(b.id());                    // one from before visitors were kept in memory
        });
        seen(learner);
        return learner;
    }

    /** Ends the request's session: the cookie is cleared and its hash no longer names anybody. */
    public void end(Context ctx) {
        current(ctx).ifPresent(l -> {
            if (l.role() == Role.VISITOR) {
                synchronized (visitors) {
                    visitors.values().removeIf(v -> v.id().equals(l.id()));
                }
            } else {
                store.revokeSession(l.id(), randomToken());
            }
        });
        ctx.res().addHeader("Set-Cookie", COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
                + (RequestGuard.overHttps(ctx) ? "; Secure" : ""));
        ctx.attribute("learner", null);
    }

    /** Notes that the learner is here now (for the teacher's "last seen"). */
    public void seen(Learner learner) {
        if (learner.role() == Role.VISITOR) return;          // nobody shows a visitor's last visit: no row, no map entry
        Instant now = Instant.now();
        lastSeen.put(learner.id(), now);
        Instant touched = lastTouched.get(learner.id());
        if (touched == null || touched.plus(TOUCH_EVERY).isBefore(now)) {
            lastTouched.put(learner.id(), now);
            store.touch(learner.id(), now);
        }
    }

    /** When the learner was last seen by this server, or {@code stored} (from the database) if that is later or nothing is known here. */
    public Instant lastSeen(String learnerId, Instant stored) {
        Instant here = lastSeen.get(learnerId);
        return here == null || (stored != null && stored.isAfter(here)) ? stored : here;
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
    public static boolean same(String presented, String expected) {
        return presented != null && expected != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }
}
