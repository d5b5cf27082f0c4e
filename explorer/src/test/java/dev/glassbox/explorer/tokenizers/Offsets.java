package dev.glassbox.explorer.tokenizers;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The offsets convention every tokenizer keeps (see {@link Encoding}). */
final class Offsets {
    private Offsets() {}

    /** Spans of text tokens lie within the text and never go back; added special tokens have (-1, -1). */
    static void assertWithinTextAndNonDecreasing(String text, Encoding e) {
        int lastStart = 0, lastEnd = 0;
        for (int i = 0; i < e.length(); i++) {
            int start = e.starts()[i], end = e.ends()[i];
            if (start == -1 && end == -1) continue;
            String where = "token " + i + " (" + e.tokens()[i] + ") of " + e + " for \"" + text + "\"";
            assertTrue(0 <= start && start <= end && end <= text.length(), where + ": span within the text");
            assertTrue(start >= lastStart && end >= lastEnd, where + ": spans do not go back");
            lastStart = start;
            lastEnd = end;
        }
    }
}
