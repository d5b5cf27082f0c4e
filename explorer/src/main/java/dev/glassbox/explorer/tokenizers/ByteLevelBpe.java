package dev.glassbox.explorer.tokenizers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.explorer.formats.hf.TokenizerJson;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * GPT-2's tokenizer: byte-pair encoding over the UTF-8 bytes of the text, so any text can be encoded
 * without an unknown token. (Llama 3 and Qwen use it too, with their own pattern; Qwen also normalizes to NFC first.)
 * <ol>
 *   <li>A regular expression cuts the text into pieces: contractions, letters with one space before them,
 *       digits, other symbols, runs of spaces ({@code "Hello world's"} -> {@code Hello}, {@code " world"},
 *       {@code 's}). Merges never cross a piece boundary.</li>
 *   <li>Each piece's UTF-8 bytes are written as characters of the {@link ByteLevel} table ({@code " world"}
 *       -> {@code Ġworld}) and merged pair by pair in the order of the merge list ({@link Bpe}).
 *       Merged pieces are cached.</li>
 *   <li>Decoding maps the characters back to bytes and reads them as UTF-8.</li>
 * </ol>
 */
public final class ByteLevelBpe implements Tokenizer {
    /** GPT-2's pre-tokenization pattern. */
    static final String GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    /** Llama 3's: case-insensitive contractions, a letter run may take one symbol before it, at most three digits. */
    static final String LLAMA3_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final int CACHE_LIMIT = 10_000;

    /**
     * How the text is prepared before the merges.
     *
     * @param form           a Unicode normalization applied first, or null
     * @param patterns       regular expressions applied in order, each cutting the pieces of the one before
     * @param addPrefixSpace put a space before a text that does not start with one (RoBERTa)
     * @param ignoreMerges   a piece that is a token as a whole is not merged (Llama 3)
     * @param trimOffsets    spans leave out the spaces at the edges of a token
     */
    record Options(Normalizer.Form form, List<String> patterns, boolean addPrefixSpace, boolean ignoreMerges, boolean trimOffsets) {}

    /** A merged piece: its token ids, and where each token starts in the piece's bytes (then the byte count). */
    private record Merged(int[] ids, int[] starts) {}

    private final Vocabulary vocab;
    private final Bpe bpe;
    private final AddedTokens added;
    private final Template template;
    private final Options options;
    private final List<Pattern> splits;              // options.patterns compiled
    private final int unkId;                         // -1: none
    private final Map<String, Merged> cache = new ConcurrentHashMap<>();

    ByteLevelBpe(Vocabulary vocab, List<TokenizerJson.Merge> merges, AddedTokens added, Template template, Options options, int unkId) {
        this.vocab = vocab;
        this.bpe = Bpe.byRank(merges, vocab);
        this.added = added;
        this.template = template;
        this.options = options;
        this.splits = new ArrayList<>();
        for (String regex : options.patterns()) {
            try {
                this.splits.add(Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("pre-tokenizer pattern " + regex + " is not a Java regular expression: " + e.getDescription(), e);
            }
        }
        this.unkId = unkId;
    }

    /**
     * A tokenizer.json with a BPE model and a ByteLevel pre-tokenizer, alone (GPT-2) or after Split
     * pre-tokenizers with their own pattern (Llama 3, Qwen).
     */
    static ByteLevelBpe from(TokenizerJson json) {
        Normalizer.Form form = null;
        if (!json.normalizer().isNull()) {
            try {
                form = Normalizer.Form.valueOf(json.normalizer().path("type").asText(""));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("byte-level BPE with normalizer " + JsonPipeline.describe(json.normalizer())
                        + " is not supported (supported: none, NFC, NFD, NFKC, NFKD)");
            }
        }
        List<String> patterns = new ArrayList<>();
        boolean prefixSpace = false;
        for (JsonNode p : JsonPipeline.components(json.preTokenizer())) {
            switch (p.path("type").asText("")) {
                case "ByteLevel" -> {
                    prefixSpace = p.path("add_prefix_space").asBoolean(true);
                    if (p.path("use_regex").asBoolean(true)) patterns.add(GPT2_PATTERN);
                }
                case "Split" -> {
                    String behavior = p.path("behavior").asText("");
                    String regex = p.path("pattern").path("Regex").asText(null);
                    if (regex == null && p.path("pattern").path("String").isTextual()) regex = Pattern.quote(p.path("pattern").path("String").textValue());
                    if (!behavior.equals("Isolated") || p.path("invert").asBoolean(false) || regex == null) {
                        throw new IllegalArgumentException("pre_tokenizer Split " + p + " is not supported (supported: a Regex or String pattern, behavior Isolated, invert false)");
                    }
                    patterns.add(regex);
                }
                default -> throw new IllegalArgumentException("byte-level BPE with pre_tokenizer " + JsonPipeline.describe(p)
                        + " is not supported (supported: ByteLevel, Split)");
            }
        }
        JsonNode model = json.model();
        if (!model.path("continuing_subword_prefix").asText("").isEmpty() || !model.path("end_of_word_suffix").asText("").isEmpty()) {
            throw new IllegalArgumentException("byte-level BPE with a continuing_subword_prefix or an end_of_word_suffix is not supported");
        }
        boolean trimOffsets = false;
        for (JsonNode p : JsonPipeline.components(json.postProcessor())) {
            if (p.path("type").asText("").equals("ByteLevel")) trimOffsets = p.path("trim_offsets").asBoolean(true);
        }
        Vocabulary vocab = Vocabulary.of(json);
        String unk = model.path("unk_token").asText(null);
        Options options = new Options(form, patterns, prefixSpace, model.path("ignore_merges").asBoolean(false), trimOffsets);
        return new ByteLevelBpe(vocab, json.merges(), AddedTokens.of(json), Template.from(json.postProcessor(), vocab), options,
                unk == null ? -1 : vocab.require(unk, "unk_token"));
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
        NormalizedText normalized = options.form() == null ? NormalizedText.of(text, from, to) : NormalizedText.of(text, from, to, options.form());
        if (options.addPrefixSpace() && normalized.length() > 0 && normalized.charAt(0) != ' ') {
            NormalizedText prefixed = new NormalizedText(normalized.length() + 1);
            prefixed.append(' ', normalized.start(0), normalized.end(0));       // belongs to the first character
            prefixed.append(normalized, 0, normalized.length());
            normalized = prefixed;
        }
        String s = normalized.text();
        for (int[] piece : pieces(s)) encodePiece(text, s, piece[0], piece[1], normalized, out);
    }

    /** The pieces of {@code s} as {@code [from, to)} pairs: every pattern cuts every piece into matches and the gaps between them. */
    private List<int[]> pieces(String s) {
        List<int[]> pieces = new ArrayList<>();
        pieces.add(new int[] {0, s.length()});
        for (Pattern pattern : splits) {
            List<int[]> cut = new ArrayList<>();
            for (int[] piece : pieces) {
                Matcher m = pattern.matcher(s).region(piece[0], piece[1]);
                int at = piece[0];
                while (m.find()) {
                    if (m.end() == m.start()) continue;                         // an empty match cuts nothing
                    if (m.start() > at) cut.add(new int[] {at, m.start()});
                    cut.add(new int[] {m.start(), m.end()});
                    at = m.end();
                }
                if (at < piece[1]) cut.add(new int[] {at, piece[1]});
            }
            pieces = cut;
        }
        return pieces;
    }

    private void encodePiece(String original, String s, int from, int to, NormalizedText normalized, Encoding.Builder out) {
        // the piece's bytes as table characters, and the original span of the character each byte came from
        StringBuilder bytes = new StringBuilder();
        int[] starts = new int[(to - from) * 4], ends = new int[(to - from) * 4];
        for (int i = from; i < to; ) {
            int cp = s.codePointAt(i);
            for (byte b : ByteLevel.utf8(cp)) {
                starts[bytes.length()] = normalized.start(i);
                ends[bytes.length()] = normalized.end(i);
                bytes.append(ByteLevel.charOf(b));
            }
            i += Character.charCount(cp);
        }
        String word = bytes.toString();
        Merged merged = cache.get(word);
        if (merged == null) {
            merged = merge(word);
            if (cache.size() >= CACHE_LIMIT) cache.clear();
            cache.put(word, merged);
        }
        for (int k = 0; k < merged.ids.length; k++) {
            int first = merged.starts[k], last = merged.starts[k + 1] - 1;
            int start = starts[first], end = ends[last];
            if (options.trimOffsets()) {                                                  // spaces are not part of a word's span
                while (start < end && BertNormalizer.isWhitespace(original.charAt(start))) start++;
                while (end > start && BertNormalizer.isWhitespace(original.charAt(end - 1))) end--;
            }
            out.add(merged.ids[k], vocab.token(merged.ids[k]), start, end);
        }
    }

    private Merged merge(String word) {
        int whole = options.ignoreMerges() ? vocab.id(word) : -1;
        if (whole >= 0) return new Merged(new int[] {whole}, new int[] {0, word.length()});
        String[] symbols = new String[word.length()];
        for (int i = 0; i < symbols.length; i++) symbols[i] = String.valueOf(word.charAt(i));
        int[] starts = bpe.merge(symbols);
        int[] ids = new int[starts.length - 1];
        for (int k = 0; k < ids.length; k++) {
            ids[k] = vocab.id(word.substring(starts[k], starts[k + 1]));
            if (ids[k] < 0) {
                // only a single byte can be missing: merges join tokens into tokens
                if (unkId < 0) {
                    throw new IllegalArgumentException("byte 0x" + String.format("%02X", ByteLevel.byteOf(word.charAt(starts[k])))
                            + " (" + word.charAt(starts[k]) + ") is not in the vocabulary and there is no unk_token");
                }
                ids[k] = unkId;
            }
        }
        return new Merged(ids, starts);
    }

    /** Joins the bytes of the tokens (special tokens skipped) and reads them as UTF-8; bad bytes become U+FFFD. */
    @Override public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            String token = vocab.token(id);
            if (!vocab.special(id)) ByteLevel.appendBytes(token, bytes);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override public String token(int id) { return vocab.token(id); }

    @Override public int vocabSize() { return vocab.size(); }

    @Override public String kind() { return "BPE (byte-level)"; }

    @Override public String toString() { return kind() + " tokenizer, " + vocabSize() + " tokens"; }
}
