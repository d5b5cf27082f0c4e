package dev.glassbox.web.security;

import io.javalin.http.Context;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The single-user owner's secret, as Jupyter's token: single-user mode listens on loopback, which every user of
 * this computer can reach, so each request must show that it comes from the person who started Glassbox. The
 * start-up line prints a link with the token ({@code /?token=...}); opening it sets the session cookie to the
 * token, so every browser of the owner becomes the same learner. Scripts send {@code Authorization: token ...}.
 * The token lives in the data folder ({@code owner-token}, readable by its owner only) so that a restart keeps
 * the link and the cookies valid; deleting the file makes a new one at the next start.
 */
public final class OwnerToken {
    /** The file in the data folder that holds the token. */
    public static final String FILE = "owner-token";
    /** The query parameter of the start-up link. */
    public static final String PARAMETER = "token";

    private final String value;

    private OwnerToken(String value) {
        this.value = value;
    }

    /** The token kept in {@code dataDir}, made (owner-only) on the first start. */
    public static OwnerToken inFolder(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            Files.createDirectories(dataDir);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, Sessions.randomToken() + "\n", StandardCharsets.US_ASCII);
            } catch (FileAlreadyExistsException kept) {
                // the token of an earlier start: its link and cookies stay valid
            } catch (UnsupportedOperationException notPosix) {
                if (!Files.exists(file)) Files.writeString(file, Sessions.randomToken() + "\n", StandardCharsets.US_ASCII);
            }
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (text.length() < 20 || !text.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
                throw new IllegalStateException("The owner token in " + file + " is not one Glassbox made (at least 20 letters,"
                        + " digits, - or _): delete the file and Glassbox makes a new one at the next start.");
            }
            return new OwnerToken(text);
        } catch (IOException e) {
            throw new IllegalStateException("cannot keep the owner token in " + file + ": " + e.getMessage(), e);
        }
    }

    public String value() {
        return value;
    }

    /** Whether this request shows the token: the session cookie, {@code Authorization: token ...} or {@code ?token=}. */
    boolean shownBy(Context ctx) {
        return matches(ctx.cookie(Sessions.COOKIE)) || matches(ctx.queryParam(PARAMETER)) || matches(fromHeader(ctx.header("Authorization")));
    }

    /** Constant-time comparison with a presented token (null: not presented). */
    boolean matches(String presented) {
        return presented != null && presented.length() < 200 && Sessions.same(presented, value);
    }

    /** {@code token X} or {@code Bearer X} -> X. */
    private static String fromHeader(String authorization) {
        if (authorization == null) return null;
        String a = authorization.strip();
        int space = a.indexOf(' ');
        if (space < 0) return null;
        String scheme = a.substring(0, space);
        return scheme.equalsIgnoreCase("token") || scheme.equalsIgnoreCase("bearer") ? a.substring(space + 1).strip() : null;
    }
}
