package dev.glassbox.explorer.tokenizers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.explorer.formats.hf.TokenizerJson;

/**
 * BERT's tokenizer. The text is normalized ({@link BertNormalizer}: cleaned, lowercased, accents stripped),
 * cut into words at whitespace and punctuation ({@link BertPreTokenizer}), and each word is split greedily,
 * longest match first, into vocabulary pieces: the first piece as it is, the others with the {@code ##}
 * prefix ({@code "tokenizer"} -> {@code token ##izer}). A word that cannot be split completely, or that is
 * longer than {@code max_input_chars_per_word} characters, becomes one {@code [UNK]}. The post-processor
 * then adds {@code [CLS]} before and {@code [SEP]} after.
 */
public final class WordPiece implements Tokenizer {
    private final Vocabulary vocab;
    private final AddedTokens added;
    private final BertNormalizer normalizer;         // null: the text is used as it is
    private final Template template;
    private final int unkId;
    private final String prefix;
    private final int maxInputCharsPerWord;
    private final boolean cleanup;
    private final int longestToken;                  // in chars, prefix included: no match can be longer

    WordPiece(Vocabulary vocab, AddedTokens added, BertNormalizer normalizer, Template template, String unkToken,
              String prefix, int maxInputCharsPerWord, boolean cleanup) {
        this.vocab = vocab;
        this.added = added;
        this.normalizer = normalizer;
        this.template = template;
        this.unkId = vocab.require(unkToken, "unk_token");
        this.prefix = prefix;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
        this.cleanup = cleanup;
        int longest = 0;
        for (int id = 0; id < vocab.size(); id++) if (vocab.has(id)) longest = Math.max(longest, vocab.token(id).length());
        this.longestToken = longest;
    }

    /** A tokenizer.json with a WordPiece model, a BertNormalizer (or none) and a BertPreTokenizer. */
    static WordPiece from(TokenizerJson json) {
        JsonNode normalizer = json.normalizer();
        String normalizerType = normalizer.path("type").asText("");
        if (!normalizer.isNull() && !normalizerType.equals("BertNormalizer")) {
            throw new IllegalArgumentException("WordPiece with normalizer " + JsonPipeline.describe(normalizer) + " is not supported (supported: BertNormalizer or none)");
        }
        if (!json.preTokenizer().path("type").asText("").equals("BertPreTokenizer")) {
            throw new IllegalArgumentException("WordPiece with pre_tokenizer " + JsonPipeline.describe(json.preTokenizer()) + " is not supported (supported: BertPreTokenizer)");
        }
        JsonNode model = json.model();
        JsonNode decoder = json.decoder();
        Vocabulary vocab = Vocabulary.of(json);
        return new WordPiece(vocab, AddedTokens.of(json), normalizer.isNull() ? null : BertNormalizer.from(normalizer),
                Template.from(json.postProcessor(), vocab), model.path("unk_token").asText("[UNK]"),
                model.path("continuing_subword_prefix").asText("##"), model.path("max_input_chars_per_word").asInt(100),
                !decoder.path("type").asText("").equals("WordPiece") || decoder.path("cleanup").asBoolean(true));
    }

    @Override public Encoding encode(String text, boolean addSpecialTokens) {
        Encoding.Builder out = new Encoding.Builder();
        if (addSpecialTokens) template.begin(out, vocab);
        for (AddedTokens.Segment segment : added.split(text)) {
            if (segment.id() >= 0) out.add(segment.id(), vocab.token(segment.id()), segment.from(), segment.to());
            else encodeText(text, segment.from(), segment.to(), out);
        }
        if (addSpecialTokens) template.end(out, vocab);
        return out.build();
    }

    private void encodeText(String text, int from, int to, Encoding.Builder out) {
        NormalizedText normalized = normalizer == null ? NormalizedText.of(text, from, to) : normalizer.normalize(text, from, to);
        String s = normalized.text();
        for (int[] word : BertPreTokenizer.split(normalized)) {
            int start = word[0], end = word[1];
            if (s.codePointCount(start, end) > maxInputCharsPerWord || !splitWord(s, start, end, normalized, out)) {
                out.add(unkId, vocab.token(unkId), normalized.start(start), normalized.end(end - 1));
            }
        }
    }

    /** Adds the pieces of {@code s[start, end)}, longest match first; false (adding nothing) if some part has no piece. */
    private boolean splitWord(String s, int start, int end, NormalizedText normalized, Encoding.Builder out) {
        int before = out.size();
        int[] ids = new int[end - start];
        int[] cuts = new int[end - start + 1];                   // piece k is s[cuts[k], cuts[k + 1])
        int pieces = 0;
        cuts[0] = start;
        for (int at = start; at < end; ) {
            String head = at == start ? "" : prefix;
            int id = -1, stop = Math.min(end, at + longestToken - head.length());
            if (stop < end && Character.isLowSurrogate(s.charAt(stop))) stop--;   // never cut a surrogate pair
            for (; stop > at; stop = s.offsetByCodePoints(stop, -1)) {
                id = vocab.id(head + s.substring(at, stop));
                if (id >= 0) break;
            }
            if (id < 0) return false;
            ids[pieces] = id;
            cuts[++pieces] = at = stop;
        }
        for (int k = 0; k < pieces; k++) {
            out.add(ids[k], vocab.token(ids[k]), normalized.start(cuts[k]), normalized.end(cuts[k + 1] - 1));
        }
        assert out.size() == before + pieces;
        return true;
    }

    /**
     * Joins the tokens with spaces, gluing {@code ##} pieces to the token before them; with {@code cleanup}
     * (the default) also removes the space before {@code . , ? !} and in English contractions.
     */
    @Override public String decode(int[] ids) {
        StringBuilder out = new StringBuilder();
        boolean first = true;
        for (int id : ids) {
            String token = vocab.token(id);
            if (vocab.special(id)) continue;
            if (!first) token = token.startsWith(prefix) ? token.substring(prefix.length()) : " " + token;
            out.append(cleanup ? cleanup(token) : token);
            first = false;
        }
        return out.toString();
    }

    /** Hugging Face's WordPiece decoder cleanup, applied to each token with its leading space. */
    private static String cleanup(String token) {
        return token.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",").replace(" ' ", "'")
                .replace(" n't", "n't").replace(" 'm", "'m").replace(" do not", " don't").replace(" 's", "'s")
                .replace(" 've", "'ve").replace(" 're", "'re");
    }

    @Override public String token(int id) { return vocab.token(id); }

    @Override public int vocabSize() { return vocab.size(); }

    @Override public String kind() { return "WordPiece"; }

    @Override public String toString() { return kind() + " tokenizer, " + vocabSize() + " tokens"; }
}
