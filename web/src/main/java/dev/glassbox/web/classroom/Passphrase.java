package dev.glassbox.web.classroom;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The teacher's passphrase. Only its SHA-256 is kept, it never appears in a log or a {@code toString},
 * and checking a guess takes the same time whatever the guess (digests of equal length, compared in
 * constant time).
 */
public final class Passphrase {
    public static final int MIN_LENGTH = 8;

    private final byte[] digest;

    private Passphrase(byte[] digest) {
        this.digest = digest;
    }

    /** @throws IllegalArgumentException when it is shorter than {@link #MIN_LENGTH} characters (the message never repeats it) */
    public static Passphrase of(String passphrase) {
        if (passphrase == null || passphrase.isBlank()) {
            throw new IllegalArgumentException("the teacher passphrase is missing");
        }
        int length = passphrase.codePointCount(0, passphrase.length());
        if (length < MIN_LENGTH) {
            throw new IllegalArgumentException("the teacher passphrase has " + length + " characters; it needs at least " + MIN_LENGTH);
        }
        return new Passphrase(sha256(passphrase));
    }

    /** True when {@code guess} is the passphrase. */
    public boolean matches(String guess) {
        return guess != null && MessageDigest.isEqual(digest, sha256(guess));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "Passphrase[hidden]";
    }
}
