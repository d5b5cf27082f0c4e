package dev.glassbox.explorer.tokenizers;

import java.util.ArrayList;
import java.util.List;

/**
 * BERT's pre-tokenizer: splits normalized text into words at whitespace (which is dropped) and around every
 * punctuation character (which becomes a word of its own). Punctuation is Unicode's P* categories plus all
 * ASCII symbols that are not letters or digits ({@code $ + < = > ^ ` | ~} are symbols to Unicode, not
 * punctuation, but BERT splits them off too).
 */
final class BertPreTokenizer {
    private BertPreTokenizer() {}

    /** The words of {@code text} as {@code [from, to)} pairs of normalized indices, in order. */
    static List<int[]> split(NormalizedText text) {
        List<int[]> words = new ArrayList<>();
        String s = text.text();
        int wordStart = -1;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (BertNormalizer.isWhitespace(cp) || isPunctuation(cp)) {
                if (wordStart >= 0) words.add(new int[] {wordStart, i});
                wordStart = -1;
                if (!BertNormalizer.isWhitespace(cp)) words.add(new int[] {i, next});
            } else if (wordStart < 0) {
                wordStart = i;
            }
            i = next;
        }
        if (wordStart >= 0) words.add(new int[] {wordStart, s.length()});
        return words;
    }

    static boolean isPunctuation(int cp) {
        if (cp < 0x80) return cp > ' ' && cp < 0x7F && !Character.isLetterOrDigit(cp);
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }
}
