package dev.glassbox.explorer.tokenizers;

import dev.glassbox.explorer.formats.hf.TokenizerJson;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One token per character (Unicode code point), for toy models trained on a small alphabet: the id of a
 * character is its position in the vocabulary list. In a plain list, entries longer than one character
 * ({@code <unk>}, {@code <eos>}) are special tokens, which decoding skips; in a tokenizer.json (a WordLevel
 * model), they must be added tokens, and those marked special are. A character outside the vocabulary becomes the
 * unknown token, or is refused with an IllegalArgumentException when there is none.
 */
public final class CharTokenizer implements Tokenizer {
    private final Vocabulary vocab;
    private final AddedTokens added;
    private final Template template;
    private final int unkId;                         // -1: none

    CharTokenizer(Vocabulary vocab, AddedTokens added, Template template, int unkId) {
        this.vocab = vocab;
        this.added = added;
        this.template = template;
        this.unkId = unkId;
    }

    /** A tokenizer for {@code vocabulary} (id = position) whose unknown characters are refused. */
    public static CharTokenizer of(List<String> vocabulary) { return of(vocabulary, null); }

    /** A tokenizer for {@code vocabulary} (id = position); characters not in it become {@code unkToken}, which must be in it. */
    public static CharTokenizer of(List<String> vocabulary, String unkToken) {
        String[] tokens = vocabulary.toArray(String[]::new);
        boolean[] special = new boolean[tokens.length];
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id] == null || tokens[id].isEmpty()) throw new IllegalArgumentException("vocabulary entry " + id + " is empty");
            special[id] = tokens[id].codePointCount(0, tokens[id].length()) != 1;
        }
        Vocabulary vocab = new Vocabulary(tokens, special);
        return new CharTokenizer(vocab, AddedTokens.NONE, Template.NONE, unkToken == null ? -1 : vocab.require(unkToken, "unk token"));
    }

    /** A tokenizer.json with a WordLevel model whose tokens, apart from the added tokens, are single characters. */
    static CharTokenizer from(TokenizerJson json) {
        Vocabulary vocab = Vocabulary.of(json);
        Set<Integer> added = new HashSet<>();
        for (TokenizerJson.AddedToken t : json.addedTokens()) added.add(t.id());
        for (var entry : json.vocab().entrySet()) {
            String token = entry.getKey();
            if (token.codePointCount(0, token.length()) != 1 && !added.contains(entry.getValue())) {
                throw new IllegalArgumentException("WordLevel token " + token + " (id " + entry.getValue()
                        + ") is longer than one character: only WordLevel with one character per token (apart from special tokens) is supported");
            }
        }
        if (!json.normalizer().isNull()) {
            throw new IllegalArgumentException("character tokenizer with normalizer " + JsonPipeline.describe(json.normalizer()) + " is not supported (supported: none)");
        }
        String pre = json.preTokenizer().path("type").asText("");
        if (!json.preTokenizer().isNull() && !pre.equals("Split")) {
            throw new IllegalArgumentException("character tokenizer with pre_tokenizer " + JsonPipeline.describe(json.preTokenizer())
                    + " is not supported (supported: none or Split; every character is a token)");
        }
        String unk = json.model().path("unk_token").asText(null);
        return new CharTokenizer(vocab, AddedTokens.of(json), Template.from(json.postProcessor(), vocab),
                unk == null || vocab.id(unk) < 0 ? -1 : vocab.id(unk));
    }

    @Override public Encoding encode(String text, boolean addSpecialTokens) {
        Encoding.Builder out = new Encoding.Builder();
        if (addSpecialTokens) template.begin(out, vocab);
        for (AddedTokens.Segment segment : added.split(text)) {
            if (segment.id() >= 0) {
                out.add(segment.id(), vocab.token(segment.id()), segment.from(), segment.to());
                continue;
            }
            for (int i = segment.from(); i < segment.to(); ) {
                int cp = text.codePointAt(i);
                int end = i + Character.charCount(cp);
                int id = vocab.id(text.substring(i, end));
                if (id < 0 || vocab.special(id)) id = unkId;
                if (id < 0) {
                    throw new IllegalArgumentException("character " + text.substring(i, end) + " (U+" + String.format("%04X", cp)
                            + ") at index " + i + " is not in the vocabulary and there is no unknown token");
                }
                out.add(id, vocab.token(id), i, end);
                i = end;
            }
        }
        if (addSpecialTokens) template.end(out, vocab);
        return out.build();
    }

    /** The characters of the tokens, special tokens skipped. */
    @Override public String decode(int[] ids) {
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            String token = vocab.token(id);
            if (!vocab.special(id)) out.append(token);
        }
        return out.toString();
    }

    @Override public String token(int id) { return vocab.token(id); }

    @Override public int vocabSize() { return vocab.size(); }

    @Override public String kind() { return "characters"; }

    @Override public String toString() { return kind() + " tokenizer, " + vocabSize() + " tokens"; }
}
