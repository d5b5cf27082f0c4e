package dev.glassbox.explorer.tokenizers;

import com.fasterxml.jackson.databind.JsonNode;

import java.text.Normalizer;
import java.util.Locale;

/**
 * BERT's normalizer, one code point at a time, in the order the Hugging Face one runs its steps:
 * <ol>
 *   <li>clean text: drop NUL, U+FFFD and control characters (categories Cc, Cf, Cn, Co, except tab, newline,
 *       carriage return), then turn every whitespace character into a plain space;</li>
 *   <li>Chinese characters: put a space on each side of a CJK ideograph, so it becomes a word of its own;</li>
 *   <li>strip accents: decompose (NFD) and drop the nonspacing marks (Mn), so {@code é} becomes {@code e}; a
 *       separate combining accent is dropped and is in no token's span, as in Hugging Face's alignments
 *       ({@code e\u0301} is the token {@code e} spanning only the {@code e});</li>
 *   <li>lowercase.</li>
 * </ol>
 * Accents are stripped when {@code strip_accents} is true, or when it is null and {@code lowercase} is true
 * (the uncased BERT models).
 */
record BertNormalizer(boolean cleanText, boolean handleChineseChars, boolean stripAccents, boolean lowercase) {

    /** From the {@code normalizer} object of a tokenizer.json, {@code {"type": "BertNormalizer", ...}}. */
    static BertNormalizer from(JsonNode json) {
        boolean lowercase = json.path("lowercase").asBoolean(true);
        JsonNode strip = json.path("strip_accents");
        return new BertNormalizer(json.path("clean_text").asBoolean(true), json.path("handle_chinese_chars").asBoolean(true),
                strip.isBoolean() ? strip.booleanValue() : lowercase, lowercase);
    }

    NormalizedText normalize(String original, int from, int to) {
        NormalizedText out = new NormalizedText(to - from);
        for (int i = from; i < to; ) {
            int cp = original.codePointAt(i);
            int end = Math.min(i + Character.charCount(cp), to);
            if (cleanText) {
                if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                    i = end;
                    continue;
                }
                if (isWhitespace(cp)) cp = ' ';
            }
            boolean ideograph = handleChineseChars && isChineseChar(cp);
            if (ideograph) out.append(' ', i, end);
            String s = Character.toString(cp);
            if (stripAccents) s = stripAccents(s);
            if (lowercase) s = s.toLowerCase(Locale.ROOT);           // one code point: no final-sigma context
            out.append(s, i, end);
            if (ideograph) out.append(' ', i, end);
            i = end;
        }
        return out;
    }

    private static String stripAccents(String s) {
        String decomposed = Normalizer.normalize(s, Normalizer.Form.NFD);
        StringBuilder kept = new StringBuilder(decomposed.length());
        decomposed.codePoints().filter(c -> Character.getType(c) != Character.NON_SPACING_MARK).forEach(kept::appendCodePoint);
        return kept.toString();
    }

    /** Tab, newline and carriage return count as whitespace, not as control characters. */
    static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') return false;
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.UNASSIGNED, Character.PRIVATE_USE, Character.SURROGATE -> true;
            default -> false;
        };
    }

    /**
     * The Unicode White_Space property (Rust's {@code char::is_whitespace}). Java's own
     * {@code Character.isWhitespace} differs: it leaves out no-break spaces and counts U+001C..U+001F.
     */
    static boolean isWhitespace(int cp) {
        return switch (cp) {
            case 0x85, 0xA0, 0x2007, 0x202F -> true;
            case 0x1C, 0x1D, 0x1E, 0x1F -> false;
            default -> Character.isWhitespace(cp);
        };
    }

    /** The CJK Unified Ideographs blocks and their extensions; Hangul, Hiragana and Katakana are not among them. */
    static boolean isChineseChar(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
