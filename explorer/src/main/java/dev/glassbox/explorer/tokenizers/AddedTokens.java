package dev.glassbox.explorer.tokenizers;

import dev.glassbox.explorer.formats.hf.TokenizerJson;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokens that are found in the raw text before anything else runs: a text that contains {@code [SEP]}
 * or {@code <|endoftext|>} gets that token's id, not the pieces of its letters. The text is cut into
 * stretches of ordinary text and added tokens, taking at each place the longest added token that starts
 * there. {@code lstrip} / {@code rstrip} tokens take the whitespace on their left / right with them;
 * {@code single_word} tokens only match a whole word.
 *
 * <p>Unlike Hugging Face's tokenizers, tokens are always matched in the original text, also those marked
 * {@code normalized} (which there are matched after normalization, e.g. after lowercasing).
 */
final class AddedTokens {
    /** One token to look for. */
    record Token(int id, String content, boolean lstrip, boolean rstrip, boolean singleWord) {}

    /** A stretch {@code [from, to)} of the text: an added token's id, or -1 for ordinary text. */
    record Segment(int from, int to, int id) {}

    static final AddedTokens NONE = new AddedTokens(List.of());

    private final Map<Character, List<Token>> byFirstChar = new HashMap<>();   // each list longest first

    AddedTokens(List<Token> tokens) {
        for (Token t : tokens) {
            if (t.content().isEmpty()) continue;
            byFirstChar.computeIfAbsent(t.content().charAt(0), c -> new ArrayList<>()).add(t);
        }
        for (List<Token> list : byFirstChar.values()) list.sort(Comparator.comparingInt((Token t) -> t.content().length()).reversed());
    }

    static AddedTokens of(TokenizerJson json) {
        List<Token> tokens = new ArrayList<>();
        for (TokenizerJson.AddedToken t : json.addedTokens()) {
            tokens.add(new Token(t.id(), t.content(), t.lstrip(), t.rstrip(), t.singleWord()));
        }
        return new AddedTokens(tokens);
    }

    /** {@code text} as ordinary stretches and added tokens, in order, covering all of it. */
    List<Segment> split(String text) {
        List<Segment> segments = new ArrayList<>();
        int plain = 0;                                          // where the current ordinary stretch began
        for (int i = 0; i < text.length(); ) {
            Token match = byFirstChar.isEmpty() ? null : match(text, i);
            if (match == null) {
                i++;
                continue;
            }
            int from = i, to = i + match.content().length();
            if (match.lstrip()) while (from > plain && BertNormalizer.isWhitespace(text.charAt(from - 1))) from--;
            if (match.rstrip()) while (to < text.length() && BertNormalizer.isWhitespace(text.charAt(to))) to++;
            if (from > plain) segments.add(new Segment(plain, from, -1));
            segments.add(new Segment(from, to, match.id()));
            plain = i = to;
        }
        if (plain < text.length()) segments.add(new Segment(plain, text.length(), -1));
        return segments;
    }

    private Token match(String text, int at) {
        List<Token> candidates = byFirstChar.get(text.charAt(at));
        if (candidates == null) return null;
        for (Token t : candidates) {
            if (!text.startsWith(t.content(), at)) continue;
            int end = at + t.content().length();
            if (t.singleWord() && (wordChar(text, at - 1) || wordChar(text, end))) continue;
            return t;
        }
        return null;
    }

    private static boolean wordChar(String text, int i) {
        if (i < 0 || i >= text.length()) return false;
        char c = text.charAt(i);
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
