package dev.glassbox.explorer.tokenizers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.explorer.formats.hf.TokenizerJson;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Llama's tokenizer (SentencePiece in BPE mode): byte-pair encoding over the characters of the text.
 * <ol>
 *   <li>Spaces become {@code ▁} (U+2581) and a {@code ▁} is put in front of the text (the "dummy prefix"),
 *       so {@code "Hello world"} is tokenized as {@code ▁Hello▁world} and a word at the start looks like a
 *       word after a space.</li>
 *   <li>The characters are merged pair by pair ({@link Bpe}): GGUF files give every token a score and the
 *       adjacent pair whose joined token scores highest merges first; tokenizer.json files list the merges
 *       in order.</li>
 *   <li>A character that is not in the vocabulary falls back to its UTF-8 bytes, one {@code <0xNN>} token
 *       per byte ({@code 😀} -> {@code <0xF0> <0x9F> <0x98> <0x80>}); without byte tokens it becomes the
 *       unknown token.</li>
 *   <li>Decoding turns {@code ▁} back into spaces, joins runs of byte tokens into UTF-8 characters and drops
 *       the space of the dummy prefix.</li>
 * </ol>
 */
public final class SentencePieceBpe implements Tokenizer {
    static final char SPACE = '\u2581';

    /** Where the dummy prefix {@code ▁} goes: nowhere, before the text, or before every stretch between added tokens. */
    enum Prefix { NONE, FIRST, EVERY }

    /**
     * How the text is prepared and how unknown characters are handled.
     *
     * @param prefix            where a {@code ▁} is put in front
     * @param prefixBeforeSpace also when the stretch already starts with a space (Prepend normalizers and
     *                          llama.cpp do; Metaspace pre-tokenizers do not)
     * @param splitWords        cut the text before every {@code ▁}, so merges stay within words
     * @param byteFallback      unknown characters become {@code <0xNN>} byte tokens
     * @param fuseUnk           consecutive unknown characters become one unknown token
     */
    record Options(Prefix prefix, boolean prefixBeforeSpace, boolean splitWords, boolean byteFallback, boolean fuseUnk) {}

    private final Vocabulary vocab;
    private final Bpe bpe;
    private final AddedTokens added;
    private final Template template;
    private final Options options;
    private final IntPredicate piece;                // ids that text may be tokenized into (not control tokens)
    private final int unkId;                         // -1: none
    private final int[] byteIds = new int[256];      // id of <0xNN> for byte NN, or -1
    private final int[] byteOfId;                    // (vocab size,) the byte a <0xNN> token stands for, or -1

    SentencePieceBpe(Vocabulary vocab, Bpe bpe, AddedTokens added, Template template, Options options, IntPredicate piece, int unkId) {
        this.vocab = vocab;
        this.bpe = bpe;
        this.added = added;
        this.template = template;
        this.options = options;
        this.piece = piece;
        this.unkId = unkId;
        this.byteOfId = new int[vocab.size()];
        Arrays.fill(byteOfId, -1);
        for (int b = 0; b < 256; b++) {
            byteIds[b] = vocab.id(String.format("<0x%02X>", b));
            if (byteIds[b] >= 0) byteOfId[byteIds[b]] = b;
        }
    }

    /** Whether a tokenizer.json normalizer replaces spaces by {@code ▁}: the SentencePiece style without a Metaspace. */
    static boolean replacesSpaces(JsonNode normalizer) {
        for (JsonNode n : JsonPipeline.components(normalizer)) {
            if (n.path("type").asText("").equals("Replace") && n.path("pattern").path("String").asText("").equals(" ")
                    && n.path("content").asText("").equals(String.valueOf(SPACE))) return true;
        }
        return false;
    }

    /**
     * A tokenizer.json with a BPE model and either a normalizer {@code Sequence[Prepend("▁"), Replace(" ", "▁")]}
     * (Llama 2) or a Metaspace pre-tokenizer (Mistral, TinyLlama).
     */
    static SentencePieceBpe from(TokenizerJson json) {
        Prefix prefix = Prefix.NONE;
        boolean prefixBeforeSpace = false, replaced = false, split = false;
        for (JsonNode n : JsonPipeline.components(json.normalizer())) {
            String type = n.path("type").asText("");
            if (type.equals("Prepend") && n.path("prepend").asText("").equals(String.valueOf(SPACE))) {
                prefix = Prefix.EVERY;                  // normalizers run on every stretch between added tokens
                prefixBeforeSpace = true;
            } else if (replacesSpaces(n)) {
                replaced = true;
            } else {
                throw new IllegalArgumentException("SentencePiece BPE with normalizer " + JsonPipeline.describe(n)
                        + " is not supported (supported: Prepend(\"▁\"), Replace(\" \", \"▁\"))");
            }
        }
        for (JsonNode p : JsonPipeline.components(json.preTokenizer())) {
            if (!p.path("type").asText("").equals("Metaspace") || !p.path("replacement").asText(String.valueOf(SPACE)).equals(String.valueOf(SPACE))) {
                throw new IllegalArgumentException("SentencePiece BPE with pre_tokenizer " + JsonPipeline.describe(p)
                        + " is not supported (supported: Metaspace with replacement ▁, or none)");
            }
            replaced = true;
            split = p.path("split").asBoolean(true);
            String scheme = p.path("prepend_scheme").asText(p.path("add_prefix_space").asBoolean(true) ? "always" : "never");
            prefix = switch (scheme) {
                case "always" -> Prefix.EVERY;
                case "first" -> Prefix.FIRST;
                case "never" -> Prefix.NONE;
                default -> throw new IllegalArgumentException("Metaspace prepend_scheme " + scheme + " is not supported (supported: always, first, never)");
            };
        }
        if (!replaced) throw new IllegalArgumentException("SentencePiece BPE expects spaces replaced by ▁ (a Replace normalizer or a Metaspace pre_tokenizer)");
        JsonNode model = json.model();
        if (!model.path("continuing_subword_prefix").asText("").isEmpty() || !model.path("end_of_word_suffix").asText("").isEmpty()) {
            throw new IllegalArgumentException("SentencePiece BPE with a continuing_subword_prefix or an end_of_word_suffix is not supported");
        }
        Vocabulary vocab = Vocabulary.of(json);
        String unk = model.path("unk_token").asText(null);
        Options options = new Options(prefix, prefixBeforeSpace, split, model.path("byte_fallback").asBoolean(false),
                model.path("fuse_unk").asBoolean(false));
        return new SentencePieceBpe(vocab, Bpe.byRank(json.merges(), vocab), AddedTokens.of(json), Template.from(json.postProcessor(), vocab),
                options, id -> true, unk == null ? -1 : vocab.require(unk, "unk_token"));
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
        // spaces -> ▁, then the dummy prefix, which belongs to the first character
        NormalizedText normalized = new NormalizedText(to - from + 1);
        NormalizedText plain = NormalizedText.of(text, from, to);
        boolean prefix = plain.length() > 0 && (options.prefix == Prefix.EVERY || (options.prefix == Prefix.FIRST && from == 0))
                && (options.prefixBeforeSpace || plain.charAt(0) != ' ');
        if (prefix) normalized.append(SPACE, plain.start(0), plain.end(0));
        for (int i = 0; i < plain.length(); i++) normalized.append(plain.charAt(i) == ' ' ? SPACE : plain.charAt(i), plain.start(i), plain.end(i));

        String s = normalized.text();
        if (s.isEmpty()) return;
        if (!options.splitWords) {
            encodeWord(s, 0, s.length(), normalized, out);
            return;
        }
        int wordStart = 0;                              // each word starts at a ▁ (except perhaps the first)
        for (int i = 1; i < s.length(); i++) {
            if (s.charAt(i) != SPACE) continue;
            encodeWord(s, wordStart, i, normalized, out);
            wordStart = i;
        }
        encodeWord(s, wordStart, s.length(), normalized, out);
    }

    private void encodeWord(String s, int from, int to, NormalizedText normalized, Encoding.Builder out) {
        // symbols: the word's code points, and where each starts in s
        int n = s.codePointCount(from, to);
        String[] symbols = new String[n];
        int[] at = new int[n + 1];
        for (int k = 0, i = from; k < n; k++) {
            at[k] = i;
            i += Character.charCount(s.codePointAt(i));
            symbols[k] = s.substring(at[k], i);
        }
        at[n] = to;
        int[] pieces = bpe.merge(symbols);
        boolean lastWasUnk = false;
        for (int k = 0; k + 1 < pieces.length; k++) {
            int first = at[pieces[k]], end = at[pieces[k + 1]];
            int start = normalized.start(first), stop = normalized.end(end - 1);
            int id = vocab.id(s.substring(first, end));
            if (id >= 0 && piece.test(id)) {
                out.add(id, vocab.token(id), start, stop);
                lastWasUnk = false;
                continue;
            }
            // only single characters are missing: merges join tokens into tokens
            byte[] bytes = ByteLevel.utf8(s.codePointAt(first));
            if (options.byteFallback && hasByteTokens(bytes)) {
                for (byte b : bytes) out.add(byteIds[b & 0xFF], vocab.token(byteIds[b & 0xFF]), start, stop);
                lastWasUnk = false;
            } else if (unkId >= 0) {
                if (lastWasUnk && options.fuseUnk) out.extendLast(stop);
                else out.add(unkId, vocab.token(unkId), start, stop);
                lastWasUnk = true;
            } else {
                throw new IllegalArgumentException("character " + s.substring(first, end) + " (U+" + String.format("%04X", s.codePointAt(first))
                        + ") is not in the vocabulary, and there is " + (options.byteFallback ? "no <0xNN> token for one of its bytes" : "no byte fallback")
                        + " and no unk_token");
            }
        }
    }

    private boolean hasByteTokens(byte[] bytes) {
        for (byte b : bytes) if (byteIds[b & 0xFF] < 0) return false;
        return true;
    }

    /** The tokens' text with {@code ▁} as spaces and byte tokens as bytes, read as UTF-8, without the dummy prefix's space. */
    @Override public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            String token = vocab.token(id);
            if (vocab.special(id)) continue;
            if (byteOfId[id] >= 0) bytes.write(byteOfId[id]);
            else bytes.writeBytes(token.replace(SPACE, ' ').getBytes(StandardCharsets.UTF_8));
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        return options.prefix != Prefix.NONE && text.startsWith(" ") ? text.substring(1) : text;
    }

    @Override public String token(int id) { return vocab.token(id); }

    @Override public int vocabSize() { return vocab.size(); }

    @Override public String kind() { return "BPE (SentencePiece)"; }

    @Override public String toString() { return kind() + " tokenizer, " + vocabSize() + " tokens"; }
}
