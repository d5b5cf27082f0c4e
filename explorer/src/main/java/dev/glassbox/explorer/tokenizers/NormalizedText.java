package dev.glassbox.explorer.tokenizers;

import java.text.Normalizer;
import java.util.Arrays;

/**
 * Text after normalization, with an alignment back to the original: every char of the normalized text
 * remembers the span {@code [start, end)} of the original code point it was made from. A char inserted
 * by a normalizer (the {@code ▁} of a dummy prefix, the spaces around a CJK ideograph) takes the span of
 * the character it belongs to, so a token's span is {@code start(first char)..end(last char)} and spans
 * never decrease along the text.
 */
final class NormalizedText {
    private final StringBuilder text;
    private int[] starts;                           // (length,) original index of each char's code point
    private int[] ends;                             // (length,) original end of it

    NormalizedText(int capacity) {
        text = new StringBuilder(capacity);
        starts = new int[Math.max(capacity, 4)];
        ends = new int[Math.max(capacity, 4)];
    }

    /** {@code original[from, to)} unchanged: both chars of a surrogate pair get the pair's span. */
    static NormalizedText of(String original, int from, int to) {
        NormalizedText out = new NormalizedText(to - from);
        for (int i = from; i < to; ) {
            int n = Character.charCount(original.codePointAt(i));
            if (i + n > to) n = 1;                  // a high surrogate cut off by the end of the stretch
            out.append(original, i, i + n, i, i + n);
            i += n;
        }
        return out;
    }

    /**
     * {@code original[from, to)} in a Unicode normalization form (NFC for Qwen). The text is normalized in
     * chunks of one base character and the combining marks after it; every char of a chunk's result gets the
     * chunk's span ({@code ﬁ} -> {@code fi} under NFKC: both chars span the ligature).
     */
    static NormalizedText of(String original, int from, int to, Normalizer.Form form) {
        NormalizedText out = new NormalizedText(to - from);
        for (int chunk = from; chunk < to; ) {
            int end = chunk + Character.charCount(original.codePointAt(chunk));
            while (end < to && combines(original.codePointAt(end))) end += Character.charCount(original.codePointAt(end));
            end = Math.min(end, to);
            out.append(Normalizer.normalize(original.substring(chunk, end), form), chunk, end);
            chunk = end;
        }
        return out;
    }

    /** Whether a code point joins the character before it: a combining mark, or a Hangul vowel or final consonant jamo. */
    private static boolean combines(int cp) {
        return switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.COMBINING_SPACING_MARK, Character.ENCLOSING_MARK -> true;
            default -> (cp >= 0x1160 && cp <= 0x11FF) || (cp >= 0xD7B0 && cp <= 0xD7FF);
        };
    }

    /** Appends {@code s[from, to)}, every char of it aligned to the original span {@code [start, end)}. */
    void append(CharSequence s, int from, int to, int start, int end) {
        int n = to - from;
        if (text.length() + n > starts.length) {
            int capacity = Math.max(starts.length * 2, text.length() + n);
            starts = Arrays.copyOf(starts, capacity);
            ends = Arrays.copyOf(ends, capacity);
        }
        for (int k = 0; k < n; k++) {
            starts[text.length() + k] = start;
            ends[text.length() + k] = end;
        }
        text.append(s, from, to);
    }

    void append(String s, int start, int end) { append(s, 0, s.length(), start, end); }

    void append(char c, int start, int end) { append(String.valueOf(c), start, end); }

    /** Appends {@code other[from, to)} with its alignment. */
    void append(NormalizedText other, int from, int to) {
        for (int i = from; i < to; i++) append(other.text, i, i + 1, other.starts[i], other.ends[i]);
    }

    String text() { return text.toString(); }

    int length() { return text.length(); }

    char charAt(int i) { return text.charAt(i); }

    /** Where in the original text the code point behind normalized char {@code i} starts. */
    int start(int i) { return starts[i]; }

    /** Where in the original text the code point behind normalized char {@code i} ends. */
    int end(int i) { return ends[i]; }
}
