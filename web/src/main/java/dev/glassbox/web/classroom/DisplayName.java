package dev.glassbox.web.classroom;

import java.text.Normalizer;

/**
 * The name a student shows the teacher: 1 to 40 characters after trimming, runs of spaces made one,
 * no control characters (tabs and line breaks included) and no invisible formatting characters, which
 * could hide or reorder text on the dashboard.
 */
public final class DisplayName {
    public static final int MAX_LENGTH = 40;

    private DisplayName() {}

    /** The cleaned name. @throws IllegalArgumentException with a message for the student */
    public static String clean(String typed) {
        if (typed == null) throw new IllegalArgumentException("Enter your name, so your teacher knows who you are.");
        String name = Normalizer.normalize(typed, Normalizer.Form.NFC).strip();
        if (name.isEmpty()) throw new IllegalArgumentException("Enter your name, so your teacher knows who you are.");
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            int type = Character.getType(c);
            if (type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.UNASSIGNED || type == Character.SURROGATE
                    || type == Character.PRIVATE_USE) {
                throw new IllegalArgumentException(String.format("Your name contains an invisible or control character (U+%04X); "
                        + "use letters, digits, spaces and punctuation.", c));
            }
            i += Character.charCount(c);
        }
        name = name.replaceAll("\\p{Zs}+", " ");
        int length = name.codePointCount(0, name.length());
        if (length > MAX_LENGTH) {
            throw new IllegalArgumentException("Your name has " + length + " characters; use at most " + MAX_LENGTH + ".");
        }
        return name;
    }
}
