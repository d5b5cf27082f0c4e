package dev.glassbox.web.classroom;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;

/**
 * Class codes: six characters from an alphabet without look-alikes (no 0/O, 1/I/L), read aloud or
 * copied from the board, typed in any case, with or without spaces and dashes. 31^6 is about 890
 * million codes; with failed joins rate-limited per address, guessing one in a lesson's time is hopeless.
 */
public final class ClassCode {
    public static final String ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    public static final int LENGTH = 6;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ClassCode() {}

    public static String random() {
        StringBuilder code = new StringBuilder(LENGTH);
        for (int i = 0; i < LENGTH; i++) code.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        return code.toString();
    }

    /** The code as stored ("k7qx-2m" -> "K7QX2M"), or empty when it cannot be one. */
    public static Optional<String> normalize(String typed) {
        if (typed == null) return Optional.empty();
        String code = typed.replaceAll("[\\s-]", "").toUpperCase(Locale.ROOT);
        if (code.length() != LENGTH) return Optional.empty();
        for (int i = 0; i < code.length(); i++) {
            if (ALPHABET.indexOf(code.charAt(i)) < 0) return Optional.empty();
        }
        return Optional.of(code);
    }
}
